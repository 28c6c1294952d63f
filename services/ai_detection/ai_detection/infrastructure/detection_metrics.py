"""Prometheus adapters for the detection worker, the use case and the cost tracker's ports."""

from prometheus_client import Counter, Gauge

REKOGNITION_CALLS = Counter(
    "vms_rekognition_calls",
    "Paid detection API calls, per camera and API (DetectLabels, DetectFaces).",
    ["camera_id", "api"],
)
REKOGNITION_COST = Gauge(
    "vms_rekognition_cost_usd",
    "USD spent on paid detection calls since the worker started, per camera.",
    ["camera_id"],
)
BUDGET_EXHAUSTED = Counter(
    "vms_detection_budget_exhausted",
    "Times a camera switched to the fallback provider because a daily budget was spent "
    "(scope camera or tenant).",
    ["camera_id", "scope"],
)
DETECTION_FRAMES = Counter(
    "vms_detection_frames",
    "Frames handled by the detection worker, by outcome (published, skipped, corrupt, failed) "
    "and reason (gate reason, corrupt_jpeg, provider_error).",
    ["camera_id", "outcome", "reason"],
)
DEAD_LETTERED = Counter(
    "vms_detection_dead_lettered",
    "Frames put in the frames.dlq queue, by reason (not_a_frame, unknown_camera, provider_failed).",
    ["reason"],
)


class PrometheusCostMetrics:
    """`CostMetrics` port."""

    def paid_calls(self, camera_id: str, api: str, count: int) -> None:
        REKOGNITION_CALLS.labels(camera_id=camera_id, api=api).inc(count)

    def cost(self, camera_id: str, usd: float) -> None:
        REKOGNITION_COST.labels(camera_id=camera_id).inc(usd)

    def budget_exhausted(self, camera_id: str, scope: str) -> None:
        BUDGET_EXHAUSTED.labels(camera_id=camera_id, scope=scope).inc()


class PrometheusDetectMetrics:
    """`DetectMetrics` port."""

    def frame(self, camera_id: str, outcome: str, reason: str) -> None:
        DETECTION_FRAMES.labels(camera_id=camera_id, outcome=outcome, reason=reason).inc()

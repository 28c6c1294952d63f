"""The worker's Prometheus metrics (served on WORKER_METRICS_PORT, see config.celery)."""

from prometheus_client import Counter

DETECTION_EVENTS = Counter(
    "vms_detection_events",
    "Detection events taken from detections.processing, by outcome.",
    ["outcome"],
)
DEAD_LETTERS = Counter(
    "vms_dead_letters",
    "Messages dead-lettered by the worker, by queue and error code.",
    ["queue", "code"],
)

"""The Prometheus adapters of the cost and detection metrics ports expose the documented names."""

from prometheus_client import REGISTRY

from ai_detection.infrastructure.detection_metrics import (
    PrometheusCostMetrics,
    PrometheusDetectMetrics,
)


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_cost_metrics_names_and_labels() -> None:
    metrics = PrometheusCostMetrics()
    calls = value("vms_rekognition_calls_total", camera_id="mcam", api="DetectFaces")
    cost = value("vms_rekognition_cost_usd", camera_id="mcam")
    metrics.paid_calls("mcam", "DetectFaces", 2)
    metrics.cost("mcam", 0.002)
    metrics.budget_exhausted("mcam", "tenant")
    PrometheusDetectMetrics().frame("mcam", "skipped", "static")
    assert value("vms_rekognition_calls_total", camera_id="mcam", api="DetectFaces") == calls + 2
    assert value("vms_rekognition_cost_usd", camera_id="mcam") == cost + 0.002
    assert value("vms_detection_budget_exhausted_total", camera_id="mcam", scope="tenant") >= 1
    assert (
        value("vms_detection_frames_total", camera_id="mcam", outcome="skipped", reason="static")
        >= 1
    )

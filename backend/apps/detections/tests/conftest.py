"""A DetectionResult event for a camera, as the detection service publishes it."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from apps.cameras.models import Camera
from vms_common.contracts import Box, DetectionResult, Face, Label


def a_detection(camera: Camera, captured_at: datetime, **overrides: Any) -> DetectionResult:
    fields: dict[str, Any] = {
        "tenant_id": str(camera.tenant_id),
        "camera_id": str(camera.id),
        "captured_at": captured_at,
        "processed_at": captured_at + timedelta(milliseconds=250),
        "provider": "rekognition",
        "labels": (
            Label(
                name="person", confidence=0.93, box=Box(left=0.1, top=0.2, width=0.3, height=0.6)
            ),
        ),
        "faces": (Face(confidence=0.88, box=Box(left=0.2, top=0.2, width=0.1, height=0.1)),),
        "cost_usd": 0.002,
        "trace_id": "trace-det-1",
    }
    return DetectionResult(**{**fields, **overrides})


@pytest.fixture
def detection_event() -> Callable[..., DetectionResult]:
    return a_detection

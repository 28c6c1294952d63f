"""Signal receivers: alert rules are evaluated on every batch of newly stored detections."""

from collections.abc import Sequence
from typing import Any

from apps.alerts.services import alerts_raise
from apps.detections.models import DetectionResult


def alerts_on_detections_stored(
    sender: Any, *, detections: Sequence[DetectionResult] = (), **_: Any
) -> None:
    """`detections_stored`: runs inside the storing transaction (see that signal)."""
    alerts_raise(detections=detections)

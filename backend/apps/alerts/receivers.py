"""Signal receivers: alert rules are evaluated on every batch of newly stored detections."""

from collections.abc import Sequence
from typing import Any

from django.db import InterfaceError, OperationalError

from apps.alerts.services import alerts_raise
from apps.detections.models import DetectionResult
from vms_common.logging import get_logger

logger = get_logger(__name__)


def alerts_on_detections_stored(
    sender: Any, *, detections: Sequence[DetectionResult] = (), **_: Any
) -> None:
    """`detections_stored`: runs inside the storing transaction (see that signal).

    A database outage fails the batch (it is retried with the detections). Any other
    failure of the alert rules is logged and the detections are stored without alerts:
    a defect in the rules must not send detection results to the dead-letter queue.
    """
    try:
        alerts_raise(detections=detections)
    except (OperationalError, InterfaceError):
        raise
    except Exception:
        logger.exception(
            "alert rules failed on stored detections; stored without alerts",
            detections=len(detections),
        )

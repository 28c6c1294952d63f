"""Writes: storing the detection results the detection service publishes."""

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from apps.cameras.selectors import camera_of_event
from apps.core.exceptions import InvalidInput
from apps.detections.models import DetectionResult
from vms_common.contracts import DetectionResult as DetectionResultEvent
from vms_common.contracts import Event
from vms_common.logging import get_logger

logger = get_logger(__name__)


def detection_event_persist(event: Event) -> DetectionResult:
    """The consumer's entry point: a detection result event, anything else is refused."""
    if not isinstance(event, DetectionResultEvent):
        raise InvalidInput(
            f"not a detection result: {event.routing_key}",
            code="unexpected_event",
            extra={"routing_key": event.routing_key},
        )
    return detection_persist(event=event)


def detection_persist(*, event: DetectionResultEvent) -> DetectionResult:
    """Store a detection result once per `event_id`.

    A redelivered event returns the row stored the first time, also when two workers take
    it at once (the unique `event_id` decides). Raises UnknownCamera when the camera does
    not exist in the event's tenant.
    """
    camera = camera_of_event(event)
    fields: dict[str, Any] = {
        "tenant_id": camera.tenant_id,
        "camera": camera,
        "captured_at": event.captured_at,
        "processed_at": event.processed_at,
        "provider": event.provider,
        "labels": [label.model_dump(mode="json") for label in event.labels],
        "faces": [face.model_dump(mode="json") for face in event.faces],
        "cost_usd": Decimal(str(event.cost_usd)).quantize(Decimal("0.000001")),
        "trace_id": event.trace_id[:64],
    }
    try:
        with transaction.atomic():
            result, created = DetectionResult.objects.get_or_create(
                event_id=event.event_id, defaults=fields
            )
    except IntegrityError:
        # Another worker stored the same event between our read and our insert.
        result, created = DetectionResult.objects.get(event_id=event.event_id), False
    logger.info(
        "detection result stored" if created else "detection result already stored",
        event_id=str(event.event_id),
        detection_id=result.id,
        labels=len(fields["labels"]),
        faces=len(fields["faces"]),
    )
    return result

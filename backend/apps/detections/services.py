"""Writes: storing the detection results the detection service publishes."""

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from apps.cameras.errors import UnknownCamera
from apps.cameras.models import Camera
from apps.core.exceptions import ApplicationError
from apps.detections.models import DetectionResult
from apps.detections.signals import detections_stored
from vms_common.contracts import DetectionResult as DetectionResultEvent
from vms_common.logging import get_logger

logger = get_logger(__name__)


@dataclass(frozen=True)
class StoredBatch:
    """What `detections_store` did with a batch: the rows it stored for the first time, and
    the events it refused, by `event_id`, with why. The rest were already stored."""

    stored: list[DetectionResult]
    refused: dict[uuid.UUID, ApplicationError]


def detections_store(*, events: Sequence[DetectionResultEvent]) -> StoredBatch:
    """Store a batch of detection results once per `event_id`, in one transaction.

    One query finds the events' cameras, one `INSERT ... ON CONFLICT (event_id) DO NOTHING`
    stores the new ones, so a redelivered event, or one another worker stores at the same
    moment, is skipped rather than stored twice. An event whose camera does not exist in its
    tenant is refused (UnknownCamera) and the others are stored. `detections_stored` is sent
    with the new rows before the transaction commits.
    """
    cameras = _cameras_of(events)
    refused: dict[uuid.UUID, ApplicationError] = {}
    rows: dict[uuid.UUID, DetectionResult] = {}
    for event in events:
        camera = cameras.get(_camera_key(event))
        if camera is None:
            refused[event.event_id] = UnknownCamera(
                f"unknown camera {event.camera_id} in tenant {event.tenant_id}",
                extra={"tenant_id": event.tenant_id, "camera_id": event.camera_id},
            )
        elif event.event_id not in rows:
            rows[event.event_id] = _row(event, camera)
    with transaction.atomic():
        stored = _insert_new(list(rows.values()))
        if stored:
            detections_stored.send(sender=DetectionResult, detections=stored)
    logger.info(
        "detection results stored",
        events=len(events),
        stored=len(stored),
        already_stored=len(rows) - len(stored),
        refused=len(refused),
    )
    return StoredBatch(stored=stored, refused=refused)


def detection_persist(*, event: DetectionResultEvent) -> DetectionResult:
    """Store one detection result (see `detections_store`) and return its row, new or not.

    Raises UnknownCamera when the camera does not exist in the event's tenant.
    """
    batch = detections_store(events=[event])
    if event.event_id in batch.refused:
        raise batch.refused[event.event_id]
    if batch.stored:
        return batch.stored[0]
    return DetectionResult.objects.get(event_id=event.event_id)


def _camera_key(event: DetectionResultEvent) -> tuple[uuid.UUID, uuid.UUID] | None:
    try:
        return uuid.UUID(event.tenant_id), uuid.UUID(event.camera_id)
    except ValueError:
        return None  # not ids of ours: an unknown camera


def _cameras_of(
    events: Sequence[DetectionResultEvent],
) -> dict[tuple[uuid.UUID, uuid.UUID] | None, Camera]:
    ids = {key[1] for key in map(_camera_key, events) if key is not None}
    cameras = Camera.objects.filter(pk__in=ids)
    return {(c.tenant_id, c.id): c for c in cameras}


def _row(event: DetectionResultEvent, camera: Camera) -> DetectionResult:
    return DetectionResult(
        tenant_id=camera.tenant_id,
        camera=camera,
        event_id=event.event_id,
        captured_at=event.captured_at,
        processed_at=event.processed_at,
        provider=event.provider,
        labels=[label.model_dump(mode="json") for label in event.labels],
        faces=[face.model_dump(mode="json") for face in event.faces],
        cost_usd=Decimal(str(event.cost_usd)).quantize(Decimal("0.000001")),
        trace_id=event.trace_id[:64],
        created_at=timezone.now(),
    )


_COLUMNS = (
    "tenant_id",
    "camera_id",
    "event_id",
    "captured_at",
    "processed_at",
    "provider",
    "labels",
    "faces",
    "cost_usd",
    "trace_id",
    "created_at",
)


def _insert_new(rows: list[DetectionResult]) -> list[DetectionResult]:
    """Insert the rows whose event_id is new; the inserted ones get their id."""
    if not rows:
        return []
    table = DetectionResult._meta.db_table
    one = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
    sql = (
        f"INSERT INTO {table} ({', '.join(_COLUMNS)}) VALUES "  # noqa: S608 (our names only)
        + ", ".join([one] * len(rows))
        + " ON CONFLICT (event_id) DO NOTHING RETURNING id, event_id"
    )
    params: list[Any] = []
    for row in rows:
        params.extend(
            [
                row.tenant_id,
                row.camera_id,
                row.event_id,
                row.captured_at,
                row.processed_at,
                row.provider,
                json.dumps(row.labels),
                json.dumps(row.faces),
                row.cost_usd,
                row.trace_id,
                row.created_at,
            ]
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        inserted = {event_id: pk for pk, event_id in cursor.fetchall()}
    stored = []
    for row in rows:
        pk = inserted.get(row.event_id)
        if pk is not None:
            row.id = pk
            row._state.adding = False
            stored.append(row)
    return stored

"""Writes: turning SegmentCompleted events into Recording rows."""

import uuid

from apps.cameras.models import Camera
from apps.core.exceptions import Conflict, InvalidInput
from apps.playback.errors import UnknownCamera
from apps.playback.models import Recording, RecordingStatus
from domain.playback.recording import is_safe_relative_path
from vms_common.contracts import SegmentCompleted
from vms_common.logging import get_logger

logger = get_logger(__name__)


def recording_persist(*, event: SegmentCompleted) -> Recording:
    """Store the recording an event announces, once per `event_id`.

    A redelivered event returns the row stored the first time, also when two workers take
    it at once (the unique `event_id` decides). Raises UnknownCamera when the camera does
    not exist in the event's tenant, InvalidInput when the segment cannot be right.
    """
    camera = _camera_of(event)
    if event.end <= event.start:
        raise InvalidInput("segment ends before it starts", code="invalid_segment")
    if not is_safe_relative_path(event.path):
        raise InvalidInput(
            "segment path must be relative to the recordings root",
            code="invalid_segment",
            extra={"path": event.path},
        )
    recording, created = Recording.objects.get_or_create(
        event_id=event.event_id,
        defaults={
            "tenant_id": camera.tenant_id,
            "camera": camera,
            "start": event.start,
            "end": event.end,
            "duration_s": event.duration_s,
            "path": event.path,
            "size_bytes": event.size_bytes,
            "codec": event.codec,
            "width": event.width,
            "height": event.height,
            "sha256": event.sha256,
            "status": RecordingStatus.OK,
        },
    )
    if not created and recording.camera_id != camera.id:
        raise Conflict(
            "event_id already belongs to another camera's recording",
            code="event_id_conflict",
            extra={"event_id": str(event.event_id)},
        )
    logger.info(
        "recording persisted" if created else "duplicate segment event ignored",
        recording_id=recording.id,
        event_id=str(event.event_id),
    )
    return recording


def _camera_of(event: SegmentCompleted) -> Camera:
    extra = {"tenant_id": event.tenant_id, "camera_id": event.camera_id}
    try:
        tenant_id = uuid.UUID(event.tenant_id)
        camera_id = uuid.UUID(event.camera_id)
    except ValueError:
        raise UnknownCamera("unknown camera: ids are not UUIDs", extra=extra) from None
    camera = Camera.objects.filter(pk=camera_id, tenant_id=tenant_id).first()
    if camera is None:
        raise UnknownCamera(
            f"unknown camera {event.camera_id} in tenant {event.tenant_id}", extra=extra
        )
    return camera

"""Writes: turning segment events into Recording rows, and keeping those rows true.

One function per event type, each idempotent: a redelivered event changes nothing more.
"""

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from apps.cameras.models import Camera
from apps.cameras.selectors import camera_of_event
from apps.core.exceptions import Conflict, InvalidInput, ResourceNotFound
from apps.playback.models import Recording, RecordingStatus, RecordingTier
from domain.playback.recording import RecordedSegment, SegmentStatus, is_safe_relative_path
from infrastructure.storage.errors import (
    RecordingFileMissing,
    RecordingFileTruncated,
    StorageUnavailable,
)
from infrastructure.storage.recordings import recording_init_size
from vms_common.contracts import (
    Event,
    SegmentCompleted,
    SegmentCorrupt,
    SegmentDeleted,
    SegmentTiered,
)
from vms_common.logging import get_logger
from vms_common.mp4 import Mp4Error

logger = get_logger(__name__)


def segment_event_persist(event: Event) -> Any:
    """Apply any segment event to the recordings; the consumer's one entry point."""
    apply = _APPLIERS.get(type(event))
    if apply is None:
        raise InvalidInput(
            f"not a segment event: {event.routing_key}",
            code="unexpected_event",
            extra={"routing_key": event.routing_key},
        )
    return apply(event)


def recording_persist(*, event: SegmentCompleted) -> Recording:
    """Store the recording an event announces, once per `event_id`.

    A redelivered event returns the row stored the first time, also when two workers take
    it at once (the unique `event_id` decides). Raises UnknownCamera when the camera does
    not exist in the event's tenant, InvalidInput when the segment cannot be right.
    """
    camera = camera_of_event(event)
    if event.end <= event.start:
        raise InvalidInput("segment ends before it starts", code="invalid_segment")
    _check_path(event.path)
    init_size = event.init_size_bytes
    if init_size is not None and init_size >= event.size_bytes:
        # Playback works it out from the file instead; the segment itself is fine.
        logger.warning(
            "init section size not below the segment size, ignored",
            init_size_bytes=init_size,
            size_bytes=event.size_bytes,
        )
        init_size = None
    return _store(
        event,
        camera,
        {
            "start": event.start,
            "end": event.end,
            "duration_s": event.duration_s,
            "path": event.path,
            "size_bytes": event.size_bytes,
            "init_size_bytes": init_size,
            "codec": event.codec,
            "width": event.width,
            "height": event.height,
            "sha256": event.sha256,
            "status": RecordingStatus.OK,
        },
    )


def recording_corrupt_persist(*, event: SegmentCorrupt) -> Recording:
    """Store a segment the recorder could not verify, flagged corrupt, once per `event_id`.

    It is listed by the playback API as corrupt, counted as a gap and never played.
    """
    camera = camera_of_event(event)
    if event.end < event.start:
        raise InvalidInput("segment ends before it starts", code="invalid_segment")
    _check_path(event.path)
    return _store(
        event,
        camera,
        {
            "start": event.start,
            "end": event.end,
            "duration_s": (event.end - event.start).total_seconds(),
            "path": event.path,
            "size_bytes": event.size_bytes,
            "codec": "",
            "width": 0,
            "height": 0,
            "sha256": event.sha256,
            "status": RecordingStatus.CORRUPT,
            "status_reason": event.reason[:1000],
        },
    )


def recording_delete(*, event: SegmentDeleted) -> int:
    """Forget the recording at the event's path; how many rows went (0 when already gone)."""
    camera = camera_of_event(event)
    _check_path(event.path)
    deleted, _ = Recording.objects.filter(
        tenant_id=camera.tenant_id, camera=camera, path=event.path
    ).delete()
    logger.info(
        "recording deleted" if deleted else "deleted segment had no recording, nothing to do",
        path=event.path,
        reason=event.reason.value,
        event_id=str(event.event_id),
        rows=deleted,
    )
    return deleted


def recording_tier(*, event: SegmentTiered) -> int:
    """Note that the recording at the event's path now lives in S3 at `location`.

    Raises ResourceNotFound (`recording_not_found`) when no recording has that path:
    events of one camera arrive in order, so its SegmentCompleted should have come first.
    """
    camera = camera_of_event(event)
    _check_path(event.path)
    updated = Recording.objects.filter(
        tenant_id=camera.tenant_id, camera=camera, path=event.path
    ).update(tier=RecordingTier.S3, location=event.location)
    if not updated:
        raise ResourceNotFound(
            "no recording at the tiered segment's path",
            code="recording_not_found",
            extra={"path": event.path, "camera_id": event.camera_id},
        )
    logger.info("recording tiered", path=event.path, location=event.location, rows=updated)
    return updated


def recording_flag_corrupt(*, recording_id: int, reason: str) -> None:
    """Flag a recording found unplayable (e.g. its file is shorter than recorded)."""
    Recording.objects.filter(pk=recording_id).update(
        status=RecordingStatus.CORRUPT, status_reason=reason[:1000]
    )
    logger.warning("recording flagged corrupt", recording_id=recording_id, reason=reason)


def recording_init_sizes_fill(segments: Sequence[RecordedSegment]) -> list[RecordedSegment]:
    """The segments with the init section size of older rows worked out from their files.

    Sizes found are stored, so each file is read once. A file cut short or not a
    fragmented MP4 gets its recording flagged corrupt; a file that cannot be read now
    (missing, storage unreachable) is left without a size, which the playlist skips.
    """
    found: dict[int, int] = {}
    broken: dict[int, str] = {}
    for segment in segments:
        if not segment.playable or segment.init_size_bytes is not None:
            continue
        try:
            found[segment.id] = recording_init_size(segment)
        except RecordingFileTruncated as exc:
            broken[segment.id] = exc.message
        except Mp4Error as exc:
            broken[segment.id] = f"not a complete fragmented MP4: {exc}"
        except (RecordingFileMissing, StorageUnavailable) as exc:
            logger.warning(
                "init section of a recording unknown, left out of the playlist",
                recording_id=segment.id,
                error=exc.message,
            )
    if found:
        rows = [Recording(pk=pk, init_size_bytes=size) for pk, size in found.items()]
        Recording.objects.bulk_update(rows, ["init_size_bytes"], batch_size=500)
    for recording_id, reason in broken.items():
        recording_flag_corrupt(recording_id=recording_id, reason=reason)
    if not found and not broken:
        return list(segments)
    return [
        dataclasses.replace(segment, init_size_bytes=found[segment.id])
        if segment.id in found
        else dataclasses.replace(segment, status=SegmentStatus.CORRUPT)
        if segment.id in broken
        else segment
        for segment in segments
    ]


_APPLIERS: dict[type[Event], Callable[[Any], Any]] = {
    SegmentCompleted: lambda event: recording_persist(event=event),
    SegmentCorrupt: lambda event: recording_corrupt_persist(event=event),
    SegmentDeleted: lambda event: recording_delete(event=event),
    SegmentTiered: lambda event: recording_tier(event=event),
}


def _store(event: Event, camera: Camera, fields: dict[str, Any]) -> Recording:
    recording, created = Recording.objects.get_or_create(
        event_id=event.event_id,
        defaults={"tenant_id": camera.tenant_id, "camera": camera, **fields},
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
        status=recording.status,
        event_id=str(event.event_id),
    )
    return recording


def _check_path(path: str) -> None:
    if not is_safe_relative_path(path):
        raise InvalidInput(
            "segment path must be relative to the recordings root",
            code="invalid_segment",
            extra={"path": path},
        )

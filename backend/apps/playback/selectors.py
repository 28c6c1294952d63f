"""Reads: recordings of a camera in a time range, its playlist and timeline, tenant-scoped."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from apps.cameras.models import Camera
from apps.core.exceptions import AuthenticationRequired, ResourceNotFound
from apps.detections.selectors import StoredDetectionCounts
from apps.playback.models import Recording
from apps.playback.segment_links import SegmentLinks, segment_link_expiry
from apps.playback.services import recording_init_sizes_fill
from domain.playback.hls import vod_playlist
from domain.playback.recording import Gap, RecordedSegment, find_gaps
from domain.playback.timeline import Bucket, DetectionCounts, bucket_count, spans_bucketed
from infrastructure.auth.link_signatures import PLAYLIST, SEGMENT_FILE, link_reader, micros
from infrastructure.persistence.recording_repository import (
    recorded_spans_in_range,
    recordings_in_range,
)


@dataclass(frozen=True)
class PlaybackRange:
    """What was recorded between `start` and `end`, and where the holes are."""

    camera: Camera
    start: datetime
    end: datetime
    recordings: list[RecordedSegment]
    gaps: list[Gap]


@dataclass(frozen=True)
class Timeline:
    camera: Camera
    start: datetime
    end: datetime
    bucket_s: int
    buckets: list[Bucket]


class NoDetectionsStored:
    """Detection counts of nothing stored: zeros, never invented (e.g. for tests)."""

    def counts(
        self, *, tenant_id: str, camera_id: str, start: datetime, bucket_s: int, buckets: int
    ) -> Sequence[int]:
        return [0] * buckets


def camera_recordings_in_range(
    *, camera: Camera, start: datetime, end: datetime
) -> list[RecordedSegment]:
    """The camera's recordings (any status) overlapping `[start, end)`, by start."""
    return recordings_in_range(
        camera_id=camera.id, tenant_id=camera.tenant_id, start=start, end=end
    )


def playback_range(
    *, camera: Camera, start: datetime, end: datetime, now: datetime | None = None
) -> PlaybackRange:
    recordings = camera_recordings_in_range(camera=camera, start=start, end=end)
    gaps = find_gaps(
        (r.segment for r in recordings), start=start, end=end, now=now or timezone.now()
    )
    return PlaybackRange(camera=camera, start=start, end=end, recordings=recordings, gaps=gaps)


def detections_per_bucket(
    *,
    camera: Camera,
    start: datetime,
    bucket_s: int,
    buckets: int,
    source: DetectionCounts | None = None,
) -> Sequence[int]:
    """Detections of the camera counted per bucket, from the detection store's port."""
    counts = (source or StoredDetectionCounts()).counts(
        tenant_id=str(camera.tenant_id),
        camera_id=str(camera.id),
        start=start,
        bucket_s=bucket_s,
        buckets=buckets,
    )
    if len(counts) != buckets:
        raise ValueError(f"detection counts for {len(counts)} buckets, expected {buckets}")
    return counts


def playback_timeline(
    *,
    camera: Camera,
    start: datetime,
    end: datetime,
    bucket_s: int,
    now: datetime | None = None,
    detections: DetectionCounts | None = None,
) -> Timeline:
    """Recorded and gap seconds and detections per bucket of `bucket_s` from `start`."""
    spans = recorded_spans_in_range(
        camera_id=camera.id, tenant_id=camera.tenant_id, start=start, end=end
    )
    counts = detections_per_bucket(
        camera=camera,
        start=start,
        bucket_s=bucket_s,
        buckets=bucket_count(start, end, bucket_s),
        source=detections,
    )
    buckets = spans_bucketed(
        spans,
        start=start,
        end=end,
        bucket_s=bucket_s,
        now=now or timezone.now(),
        detections=counts,
    )
    return Timeline(camera=camera, start=start, end=end, bucket_s=bucket_s, buckets=buckets)


def recording_get_for_user(user: Any, recording_id: int) -> Recording:
    """One recording of the user's tenant; other tenants' recordings are not found."""
    tenant_id = getattr(user, "tenant_id", None)
    recording = Recording.objects.filter(pk=recording_id, tenant_id=tenant_id).first()
    if tenant_id is None or recording is None:
        raise ResourceNotFound("recording not found", code="recording_not_found")
    return recording


def reader_of_signed_link(*, signature: str, expires: Any, recording_id: int) -> Any:
    """The active user a segment link was signed for; 401 when it is bad or expired."""
    return link_reader(
        purpose=SEGMENT_FILE, signature=signature, parts=(recording_id,), expires=expires
    )


def reader_of_signed_playlist(
    *, signature: str, expires: Any, camera_id: str, start: datetime, end: datetime
) -> Any:
    """The active user a playlist link was signed for; 401 when it is bad or expired."""
    try:
        camera_key = str(uuid.UUID(camera_id))
    except ValueError:
        raise AuthenticationRequired("the link is not valid", code="invalid_signature") from None
    return link_reader(
        purpose=PLAYLIST,
        signature=signature,
        parts=(camera_key, micros(start), micros(end)),
        expires=expires,
    )


def playback_playlist(*, camera: Camera, start: datetime, end: datetime, user_id: Any) -> str:
    """The HLS VOD playlist of the camera's playable recordings overlapping the range.

    Segment links are signed for `user_id` and stay valid for the TTL plus the length of
    the range, so that playing the whole range does not outlive them. Older rows without
    an init section size get it from their files, once (see recording_init_sizes_fill).
    """
    segments = camera_recordings_in_range(camera=camera, start=start, end=end)
    if any(s.playable and s.init_size_bytes is None for s in segments):
        segments = recording_init_sizes_fill(segments)
    links = SegmentLinks(
        user_id=user_id, expires=segment_link_expiry((end - start).total_seconds())
    )
    return vod_playlist(segments, lambda segment: links(segment.id))

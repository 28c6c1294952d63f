"""Reads: recordings of a camera in a time range, and single recordings, tenant-scoped."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from apps.cameras.models import Camera
from apps.core.exceptions import AuthenticationRequired, ResourceNotFound
from apps.playback.models import Recording
from domain.playback.recording import Gap, Segment, SegmentStatus, find_gaps
from infrastructure.auth.segment_urls import segment_signature_user_id

# Segments are 1 to 5 minutes long; a range query looks this far back for a segment that
# started before the range and still overlaps it, so the index on (camera, start) bounds it.
LONGEST_SEGMENT = timedelta(hours=6)


@dataclass(frozen=True)
class Timeline:
    """What was recorded between `start` and `end`, and where the holes are."""

    camera: Camera
    start: datetime
    end: datetime
    recordings: list[Recording]
    gaps: list[Gap]


def recordings_in_range(*, camera: Camera, start: datetime, end: datetime) -> QuerySet[Recording]:
    """The camera's recordings that overlap `[start, end)`, ordered by start."""
    return Recording.objects.filter(
        tenant_id=camera.tenant_id,
        camera=camera,
        start__lt=end,
        start__gt=start - LONGEST_SEGMENT,
        end__gt=start,
    ).order_by("start", "id")


def playback_timeline(
    *, camera: Camera, start: datetime, end: datetime, now: datetime | None = None
) -> Timeline:
    recordings = list(recordings_in_range(camera=camera, start=start, end=end))
    segments = [Segment(r.start, r.end, SegmentStatus(r.status)) for r in recordings]
    gaps = find_gaps(segments, start=start, end=end, now=now or timezone.now())
    return Timeline(camera=camera, start=start, end=end, recordings=recordings, gaps=gaps)


def recording_get_for_user(user: Any, recording_id: int) -> Recording:
    """One recording of the user's tenant; other tenants' recordings are not found."""
    tenant_id = getattr(user, "tenant_id", None)
    recording = Recording.objects.filter(pk=recording_id, tenant_id=tenant_id).first()
    if tenant_id is None or recording is None:
        raise ResourceNotFound("recording not found", code="recording_not_found")
    return recording


def reader_of_signed_link(*, signature: str, recording_id: int) -> Any:
    """The active user a segment link was signed for; 401 when it is bad or expired."""
    user_id = segment_signature_user_id(
        signature=signature,
        recording_id=recording_id,
        max_age_s=settings.SEGMENT_URL_TTL_SECONDS,
    )
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise AuthenticationRequired("the segment link is not valid", code="invalid_signature")
    return user

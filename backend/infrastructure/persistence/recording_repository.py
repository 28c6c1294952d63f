"""Reading recordings by time, fast: lean rows straight from PostgreSQL, no model instances.

The range query walks the index on (camera, start): rows that start before the range end
and after `range start - LONGEST_SEGMENT`, keeping those that end after the range start.
A segment longer than LONGEST_SEGMENT (the recorder writes 1 to 5 minutes) would be missed.
"""

import uuid
from datetime import datetime, timedelta

from apps.playback.models import Recording
from domain.playback.recording import RecordedSegment, SegmentStatus, StorageTier

LONGEST_SEGMENT = timedelta(hours=6)

_COLUMNS = (
    "id",
    "start",
    "end",
    "duration_s",
    "status",
    "tier",
    "path",
    "location",
    "size_bytes",
    "init_size_bytes",
    "sha256",
)
_STATUSES = {status.value: status for status in SegmentStatus}
_TIERS = {tier.value: tier for tier in StorageTier}


def recordings_in_range(
    *,
    camera_id: uuid.UUID | str,
    tenant_id: uuid.UUID | str,
    start: datetime,
    end: datetime,
) -> list[RecordedSegment]:
    """The camera's recordings (of any status) that overlap `[start, end)`, by start.

    A segment that starts or ends inside the range is included whole; one that only
    touches the range (ends exactly at `start` or starts exactly at `end`) is not.
    """
    rows = (
        Recording.objects.filter(
            tenant_id=tenant_id,
            camera_id=camera_id,
            start__lt=end,
            start__gt=start - LONGEST_SEGMENT,
            end__gt=start,
        )
        .order_by("start", "id")
        .values_list(*_COLUMNS)
    )
    return [
        RecordedSegment(
            id=row[0],
            start=row[1],
            end=row[2],
            duration_s=row[3],
            status=_STATUSES[row[4]],
            tier=_TIERS[row[5]],
            path=row[6],
            location=row[7],
            size_bytes=row[8],
            init_size_bytes=row[9],
            sha256=row[10],
        )
        for row in rows
    ]


def coverage_in_range(
    *,
    camera_id: uuid.UUID | str,
    tenant_id: uuid.UUID | str,
    start: datetime,
    end: datetime,
) -> list[tuple[datetime, datetime, SegmentStatus]]:
    """(start, end, status) of the recordings overlapping `[start, end)`, by start.

    The timeline's query: three columns that the index on (camera, start) holds, so a
    week of one camera is read from the index alone.
    """
    rows = (
        Recording.objects.filter(
            tenant_id=tenant_id,
            camera_id=camera_id,
            start__lt=end,
            start__gt=start - LONGEST_SEGMENT,
            end__gt=start,
        )
        .order_by("start")
        .values_list("start", "end", "status")
    )
    return [(row[0], row[1], _STATUSES[row[2]]) for row in rows]

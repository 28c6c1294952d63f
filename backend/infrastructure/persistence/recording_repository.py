"""Reading recordings by time, fast: lean rows straight from PostgreSQL, no model instances.

Both queries walk the index on (camera, start), which also holds `end`, `status` and
`tenant` (INCLUDE). Rows that overlap `[start, end)` are those starting before `end` and
ending after `start`; the earliest of them starts at most LONGEST_SEGMENT before
`start`. The range query first finds that earliest start from the index alone, then
reads only the overlapping rows from the table, so a 1-hour range of 1-minute segments
reads about 60 rows however long the look-back. A segment longer than LONGEST_SEGMENT
(the recorder writes 1 to 5 minutes) would be missed.
"""

import uuid
from datetime import UTC, datetime, timedelta

from django.db import connection

from domain.playback.recording import RecordedSegment, SegmentStatus, StorageTier

LONGEST_SEGMENT = timedelta(hours=6)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_STATUSES = {status.value: status for status in SegmentStatus}
_TIERS = {tier.value: tier for tier in StorageTier}

# The table is apps.playback.models.Recording's (db_table "playback_recording").
_RANGE_SQL = """
SELECT id, (extract(epoch FROM start) * 1000000)::int8,
       (extract(epoch FROM "end") * 1000000)::int8, duration_s, status, tier, path, location,
       size_bytes, init_size_bytes, sha256
FROM playback_recording
WHERE camera_id = %(camera)s AND tenant_id = %(tenant)s
  AND start < %(end)s AND "end" > %(start)s
  AND start >= COALESCE(
      (SELECT min(start) FROM playback_recording
       WHERE camera_id = %(camera)s AND tenant_id = %(tenant)s
         AND start > %(lookback)s AND start <= %(start)s AND "end" > %(start)s),
      %(start)s)
ORDER BY start, id
"""

_SPANS_SQL = """
SELECT extract(epoch FROM (start - %(start)s))::float8,
       extract(epoch FROM ("end" - %(start)s))::float8
FROM playback_recording
WHERE camera_id = %(camera)s AND tenant_id = %(tenant)s AND status = 'ok'
  AND start < %(end)s AND start > %(lookback)s AND "end" > %(start)s
ORDER BY start
"""


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
    # Times come as microseconds since 1970: building datetimes from them here is several
    # times cheaper than the driver's timestamptz conversion.
    with connection.cursor() as cursor:
        cursor.execute(_RANGE_SQL, _params(camera_id, tenant_id, start, end))
        rows = cursor.fetchall()
    statuses, tiers, epoch, micro = _STATUSES, _TIERS, _EPOCH, _MICROSECOND
    return [
        RecordedSegment(
            id=row[0],
            start=epoch + row[1] * micro,
            end=epoch + row[2] * micro,
            duration_s=row[3],
            status=statuses[row[4]],
            tier=tiers[row[5]],
            path=row[6],
            location=row[7],
            size_bytes=row[8],
            init_size_bytes=row[9],
            sha256=row[10],
        )
        for row in rows
    ]


def recorded_spans_in_range(
    *,
    camera_id: uuid.UUID | str,
    tenant_id: uuid.UUID | str,
    start: datetime,
    end: datetime,
) -> list[tuple[float, float]]:
    """(start, end) in seconds since `start` of the playable recordings overlapping the range.

    Sorted by start. The timeline's query: every column it reads is in the index on
    (camera, start), so a week of one camera (10 080 one-minute segments) is read from
    the index alone, and plain numbers come back rather than datetimes, which cost
    several microseconds each to build.
    """
    with connection.cursor() as cursor:
        cursor.execute(_SPANS_SQL, _params(camera_id, tenant_id, start, end))
        spans: list[tuple[float, float]] = cursor.fetchall()
    return spans


def _params(
    camera_id: uuid.UUID | str, tenant_id: uuid.UUID | str, start: datetime, end: datetime
) -> dict[str, object]:
    return {
        "camera": _uuid(camera_id),
        "tenant": _uuid(tenant_id),
        "start": start,
        "end": end,
        "lookback": start - LONGEST_SEGMENT,
    }


def _uuid(value: uuid.UUID | str) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))

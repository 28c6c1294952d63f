"""Reads: detection results of a camera, and their counts per timeline bucket."""

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import connection

from apps.detections.models import DetectionResult

# One row per non-empty bucket. A result counts when the provider found something in the
# frame (a label or a face); frames analysed with nothing found are not detections.
_COUNTS_SQL = f"""
SELECT floor(extract(epoch FROM captured_at - %(start)s) / %(bucket_s)s)::int AS bucket,
       count(*)
  FROM {DetectionResult._meta.db_table}
 WHERE tenant_id = %(tenant_id)s
   AND camera_id = %(camera_id)s
   AND captured_at >= %(start)s
   AND captured_at < %(end)s
   AND (jsonb_array_length(labels) > 0 OR jsonb_array_length(faces) > 0)
 GROUP BY bucket
"""  # noqa: S608 (the table name is ours; every value is a parameter)


class StoredDetectionCounts:
    """The timeline's DetectionCounts from the `detection_results` table, in one query.

    Uses the (camera, captured_at) index; buckets are `bucket_s` wide from `start`.
    Measured: a week of results at 1 FPS (604,800 rows) counts in about 0.3 s, an hour in
    about 3 ms (local PostgreSQL).
    """

    def counts(
        self, *, tenant_id: str, camera_id: str, start: datetime, bucket_s: int, buckets: int
    ) -> Sequence[int]:
        result = [0] * buckets
        if buckets <= 0:
            return result
        end = start + timedelta(seconds=bucket_s * buckets)
        with connection.cursor() as cursor:
            cursor.execute(
                _COUNTS_SQL,
                {
                    "tenant_id": tenant_id,
                    "camera_id": camera_id,
                    "start": start,
                    "end": end,
                    "bucket_s": bucket_s,
                },
            )
            for bucket, count in cursor.fetchall():
                if 0 <= bucket < buckets:
                    result[bucket] = count
        return result


def camera_detections_in_range(
    *, tenant_id: str, camera_id: str, start: datetime, end: datetime
) -> list[DetectionResult]:
    """The camera's detection results captured in `[start, end)`, oldest first."""
    return list(
        DetectionResult.objects.filter(
            tenant_id=tenant_id,
            camera_id=camera_id,
            captured_at__gte=start,
            captured_at__lt=end,
        ).order_by("captured_at")
    )


def detections_for_user(
    user: Any, *, camera_id: uuid.UUID | None = None, since: int | None = None, limit: int = 100
) -> list[DetectionResult]:
    """The user's tenant's detection results, ascending id, at most `limit`.

    With `since`: the first `limit` results with `id > since` (the catch-up after a
    reconnect, paged by the last id). Without: the newest `limit`. With `camera_id`: that
    camera's only (the caller has checked the camera is the tenant's).
    """
    tenant_id = getattr(user, "tenant_id", None)
    if not tenant_id:
        return []
    rows = DetectionResult.objects.filter(tenant_id=tenant_id)
    if camera_id is not None:
        rows = rows.filter(camera_id=camera_id)
    if since is not None:
        return list(rows.filter(id__gt=since).order_by("id")[:limit])
    newest = list(rows.order_by("-id")[:limit])
    newest.reverse()
    return newest

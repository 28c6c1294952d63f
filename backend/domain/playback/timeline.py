"""Coverage of a range cut into equal buckets: recorded seconds, gap seconds, detections.

What a canvas timeline needs to draw a day or a week at once. Time after `now` is neither
recorded nor a gap (it has not happened yet); corrupt segments cover nothing.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from domain.playback.recording import Segment


@dataclass(frozen=True, slots=True)
class Bucket:
    start: datetime
    recorded_s: float
    gap_s: float
    detections: int


class DetectionCounts(Protocol):
    """Where detection counts per bucket come from (the detections store, once it exists)."""

    def counts(
        self, *, tenant_id: str, camera_id: str, start: datetime, bucket_s: int, buckets: int
    ) -> Sequence[int]: ...


def bucket_count(start: datetime, end: datetime, bucket_s: int) -> int:
    return math.ceil((end - start).total_seconds() / bucket_s)


def coverage_buckets(
    segments: Iterable[Segment],
    *,
    start: datetime,
    end: datetime,
    bucket_s: int,
    now: datetime,
    detections: Sequence[int] | None = None,
) -> list[Bucket]:
    """One bucket per `bucket_s` seconds from `start`; the last one may end past `end`.

    Only `[start, min(end, now))` counts. Overlapping segments are counted once.
    """
    spans = (
        ((s.start - start).total_seconds(), (s.end - start).total_seconds())
        for s in segments
        if s.playable
    )
    return spans_bucketed(
        sorted(spans), start=start, end=end, bucket_s=bucket_s, now=now, detections=detections
    )


def spans_bucketed(
    spans: Iterable[tuple[float, float]],
    *,
    start: datetime,
    end: datetime,
    bucket_s: int,
    now: datetime,
    detections: Sequence[int] | None = None,
) -> list[Bucket]:
    """coverage_buckets over recorded spans given as seconds since `start`, sorted by start.

    The fast path for the database: one pass over the spans, one over the buckets.
    """
    count = bucket_count(start, end, bucket_s)
    horizon_s = max(0.0, (min(end, now) - start).total_seconds())
    recorded = [0.0] * count
    covered_until = 0.0
    for span_start, span_end in spans:
        first = span_start if span_start > covered_until else covered_until
        last = span_end if span_end < horizon_s else horizon_s
        if last <= first:
            continue
        covered_until = last
        index = int(first // bucket_s)
        while first < last:
            bucket_end = (index + 1) * bucket_s
            upto = last if last < bucket_end else bucket_end
            recorded[index] += upto - first
            first = upto
            index += 1
    buckets = []
    for index in range(count):
        bucket_start = index * bucket_s
        elapsed = min(max(horizon_s - bucket_start, 0.0), bucket_s)
        recorded_s = min(recorded[index], elapsed)
        buckets.append(
            Bucket(
                start=start + timedelta(seconds=bucket_start),
                recorded_s=round(recorded_s, 3),
                gap_s=round(elapsed - recorded_s, 3),
                detections=detections[index] if detections is not None else 0,
            )
        )
    return buckets

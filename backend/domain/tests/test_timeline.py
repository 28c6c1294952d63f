from datetime import UTC, datetime, timedelta

from domain.playback.recording import Segment, SegmentStatus
from domain.playback.timeline import Bucket, bucket_count, coverage_buckets

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
LATER = T0 + timedelta(days=30)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def seg(first: float, last: float, status: SegmentStatus = SegmentStatus.OK) -> Segment:
    return Segment(at(first), at(last), status)


def summary(buckets: list[Bucket]) -> list[tuple[float, float]]:
    return [(b.recorded_s, b.gap_s) for b in buckets]


def test_recorded_and_gap_seconds_add_up_to_each_bucket() -> None:
    # recorded 30-90 and 150-240 s; buckets of 60 s over 0-240
    buckets = coverage_buckets(
        [seg(30, 90), seg(150, 240)], start=T0, end=at(240), bucket_s=60, now=LATER
    )

    assert [b.start for b in buckets] == [at(0), at(60), at(120), at(180)]
    assert summary(buckets) == [(30, 30), (30, 30), (30, 30), (60, 0)]
    assert all(b.detections == 0 for b in buckets)


def test_segments_reaching_outside_the_range_count_only_inside() -> None:
    buckets = coverage_buckets(
        [seg(-50, 10), seg(110, 500)], start=T0, end=at(120), bucket_s=60, now=LATER
    )

    assert summary(buckets) == [(10, 50), (10, 50)]


def test_overlapping_segments_are_counted_once() -> None:
    buckets = coverage_buckets(
        [seg(0, 40), seg(20, 60), seg(10, 30)], start=T0, end=at(60), bucket_s=60, now=LATER
    )

    assert summary(buckets) == [(60, 0)]


def test_a_segment_spanning_many_buckets_fills_each() -> None:
    buckets = coverage_buckets([seg(5, 295)], start=T0, end=at(300), bucket_s=60, now=LATER)

    assert summary(buckets) == [(55, 5), (60, 0), (60, 0), (60, 0), (55, 5)]


def test_corrupt_segments_count_as_gaps() -> None:
    buckets = coverage_buckets(
        [seg(0, 60, SegmentStatus.CORRUPT)], start=T0, end=at(60), bucket_s=60, now=LATER
    )

    assert summary(buckets) == [(0, 60)]


def test_the_future_is_neither_recorded_nor_a_gap() -> None:
    now = at(90)
    buckets = coverage_buckets(
        [seg(0, 80), seg(80, 200)], start=T0, end=at(240), bucket_s=60, now=now
    )

    assert summary(buckets) == [(60, 0), (30, 0), (0, 0), (0, 0)]


def test_the_last_bucket_counts_only_up_to_the_end_of_the_range() -> None:
    buckets = coverage_buckets([seg(0, 200)], start=T0, end=at(150), bucket_s=60, now=LATER)

    assert bucket_count(T0, at(150), 60) == 3
    assert summary(buckets) == [(60, 0), (60, 0), (30, 0)]


def test_detection_counts_are_carried_per_bucket() -> None:
    buckets = coverage_buckets([], start=T0, end=at(120), bucket_s=60, now=LATER, detections=[3, 0])

    assert [b.detections for b in buckets] == [3, 0]


def test_a_week_of_one_minute_segments_is_bucketed_whole() -> None:
    """Its speed is measured by bench/timeline_buckets.py."""
    week = [seg(n * 60, n * 60 + 59.5) for n in range(7 * 1440)]

    buckets = coverage_buckets(week, start=T0, end=at(7 * 86400), bucket_s=600, now=LATER)

    assert len(buckets) == 1008
    assert {(b.recorded_s, b.gap_s) for b in buckets} == {(595.0, 5.0)}

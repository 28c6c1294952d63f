from datetime import UTC, datetime, timedelta

import pytest

from domain.playback.recording import (
    Gap,
    Segment,
    SegmentStatus,
    find_gaps,
    is_safe_relative_path,
)

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
LATER = T0 + timedelta(days=1)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def seg(start_min: float, end_min: float, status: SegmentStatus = SegmentStatus.OK) -> Segment:
    return Segment(at(start_min), at(end_min), status)


def test_no_segments_make_the_whole_range_one_gap() -> None:
    assert find_gaps([], at(0), at(10), now=LATER) == [Gap(at(0), at(10))]


def test_contiguous_segments_covering_the_range_leave_no_gap() -> None:
    segments = [seg(0, 1), seg(1, 2), seg(2, 3)]
    assert find_gaps(segments, at(0), at(3), now=LATER) == []


def test_leading_middle_and_trailing_holes_are_reported() -> None:
    segments = [seg(2, 3), seg(5, 6)]
    assert find_gaps(segments, at(0), at(10), now=LATER) == [
        Gap(at(0), at(2)),
        Gap(at(3), at(5)),
        Gap(at(6), at(10)),
    ]


def test_holes_within_the_tolerance_are_not_gaps() -> None:
    half_second = 0.5 / 60
    segments = [seg(0, 1), seg(1 + half_second, 2)]
    assert find_gaps(segments, at(0), at(2), now=LATER, tolerance_s=1.0) == []


def test_a_hole_just_longer_than_the_tolerance_is_a_gap() -> None:
    two_seconds = 2 / 60
    segments = [seg(0, 1), seg(1 + two_seconds, 2)]
    assert find_gaps(segments, at(0), at(2), now=LATER, tolerance_s=1.0) == [
        Gap(at(1), at(1 + two_seconds))
    ]


def test_nothing_after_now_is_a_gap() -> None:
    segments = [seg(0, 4)]
    assert find_gaps(segments, at(0), at(60), now=at(5)) == [Gap(at(4), at(5))]


def test_a_range_entirely_in_the_future_has_no_gaps() -> None:
    assert find_gaps([], at(10), at(20), now=at(5)) == []


def test_corrupt_segments_count_as_holes() -> None:
    segments = [seg(0, 1), seg(1, 2, SegmentStatus.CORRUPT), seg(2, 3)]
    assert find_gaps(segments, at(0), at(3), now=LATER) == [Gap(at(1), at(2))]


def test_overlapping_and_unordered_segments_are_merged() -> None:
    segments = [seg(4, 6), seg(0, 3), seg(2, 5)]
    assert find_gaps(segments, at(0), at(8), now=LATER) == [Gap(at(6), at(8))]


def test_segments_reaching_outside_the_range_are_clipped_to_it() -> None:
    segments = [seg(-5, 2), seg(8, 15)]
    assert find_gaps(segments, at(0), at(10), now=LATER) == [Gap(at(2), at(8))]


@pytest.mark.parametrize(
    "path",
    ["t/c/2026/11/23/19/segment_20261123T193000Z.mp4", "segment.mp4", "a/./b.mp4"],
)
def test_relative_paths_below_the_root_are_safe(path: str) -> None:
    assert is_safe_relative_path(path)


@pytest.mark.parametrize(
    "path", ["", "/etc/passwd", "../secret.mp4", "a/../../b.mp4", "a\\..\\b.mp4", "a\x00.mp4"]
)
def test_absolute_and_escaping_paths_are_unsafe(path: str) -> None:
    assert not is_safe_relative_path(path)

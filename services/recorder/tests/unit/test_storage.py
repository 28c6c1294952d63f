from datetime import UTC, datetime, timedelta, timezone

from recorder.storage import segment_relative_path


def test_segment_path_follows_the_layout_in_utc():
    start = datetime(2026, 11, 23, 21, 5, 9, 250_000, tzinfo=timezone(timedelta(hours=2)))
    path = segment_relative_path("t1", "cam-9", start)
    assert path.as_posix() == "t1/cam-9/2026/11/23/19/segment_20261123T190509.250Z.mp4"


def test_segments_a_millisecond_apart_get_distinct_names():
    start = datetime(2026, 1, 1, tzinfo=UTC)
    a = segment_relative_path("t", "c", start)
    b = segment_relative_path("t", "c", start + timedelta(milliseconds=1))
    assert a != b

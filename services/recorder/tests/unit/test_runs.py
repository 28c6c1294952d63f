from datetime import UTC, datetime, timedelta

from recorder.runs import ANCHOR_NAME, Timeline, timeline_load, timeline_save

ANCHOR = datetime(2026, 3, 1, 12, 0, 0, 250000, tzinfo=UTC)


def test_stream_time_maps_to_wall_time_from_the_first_segment():
    timeline = Timeline(ANCHOR, first_start_s=1.5)
    assert timeline.wall(1.5) == ANCHOR
    assert timeline.wall(61.5) == ANCHOR + timedelta(seconds=60)
    assert Timeline(ANCHOR).wall(3.0) == ANCHOR + timedelta(seconds=3)


def test_the_saved_anchor_reads_back_and_leaves_no_temporary_file(tmp_path):
    timeline_save(tmp_path, Timeline(ANCHOR))
    assert timeline_load(tmp_path) == Timeline(ANCHOR, None)
    timeline_save(tmp_path, Timeline(ANCHOR, 0.0))
    assert timeline_load(tmp_path) == Timeline(ANCHOR, 0.0)
    assert [p.name for p in tmp_path.iterdir()] == [ANCHOR_NAME]


def test_a_missing_or_damaged_anchor_reads_as_none(tmp_path):
    assert timeline_load(tmp_path) is None
    (tmp_path / ANCHOR_NAME).write_text('{"anchor": "yesterday"')
    assert timeline_load(tmp_path) is None
    (tmp_path / ANCHOR_NAME).write_text('{"anchor": "2026-03-01T12:00:00"}')  # no time zone
    assert timeline_load(tmp_path) is None

"""Which segments expire, which are held, which go first when the disk is full: no I/O."""

from datetime import UTC, datetime, timedelta

from recorder.retention import (
    MAX_SEGMENT,
    DiskSpace,
    EvidenceHold,
    RetentionPolicy,
    StoredSegment,
    due_for_tiering,
    expired,
    oldest_first,
    parse_segment_path,
)
from recorder.storage import segment_relative_path

NOW = datetime(2026, 3, 31, 2, 0, tzinfo=UTC)


def _segment(start: datetime, camera: str = "cam-1", size: int = 100) -> StoredSegment:
    path = segment_relative_path("tenant-a", camera, start).as_posix()
    parsed = parse_segment_path(path, size)
    assert parsed is not None
    return parsed


def _minutes(start: datetime, count: int, camera: str = "cam-1") -> list[StoredSegment]:
    return [_segment(start + timedelta(minutes=n), camera) for n in range(count)]


def test_a_storage_path_gives_the_segment_start_tenant_and_camera():
    start = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    segment = parse_segment_path(segment_relative_path("t-1", "c_2", start).as_posix(), 42)
    assert (segment.tenant_id, segment.camera_id, segment.size_bytes) == ("t-1", "c_2", 42)
    assert segment.start == start


def test_paths_that_are_not_finished_segments_are_ignored():
    assert parse_segment_path("t/c/2026/01/02/03/notes.txt") is None
    assert parse_segment_path("t/c/2026/01/02/segment_20260102T030405.000Z.mp4") is None
    assert parse_segment_path(".incoming/t/c/run/01/segment_20260102T030405.000Z.mp4") is None
    assert parse_segment_path("t/c/2026/01/02/03/segment_20261302T030405.000Z.mp4") is None
    assert parse_segment_path("t/c/2026/01/02/03/segment_20260102T030405.000Z.mp4.tmp") is None


def test_a_segment_expires_only_once_it_surely_ended_before_the_retention_window():
    policy = RetentionPolicy(retention_days=7)
    window_start = NOW - timedelta(days=7)
    assert policy.expires(_segment(window_start - MAX_SEGMENT - timedelta(seconds=1)), NOW)
    # may still reach into the window: kept
    assert not policy.expires(_segment(window_start - MAX_SEGMENT + timedelta(seconds=1)), NOW)
    assert not policy.expires(_segment(window_start + timedelta(hours=1)), NOW)


def test_a_held_segment_never_expires():
    old = NOW - timedelta(days=40)
    hold = EvidenceHold("case-1", old + timedelta(minutes=1), old + timedelta(minutes=2))
    policy = RetentionPolicy(retention_days=7, holds=(hold,))
    assert not policy.expires(_segment(old + timedelta(minutes=1, seconds=30)), NOW)
    # a segment starting before the hold may run into it
    assert not policy.expires(_segment(old + timedelta(minutes=1) - MAX_SEGMENT / 2), NOW)
    # a segment starting at the hold's end does not overlap it
    assert policy.expires(_segment(old + timedelta(minutes=2)), NOW)
    assert policy.expires(_segment(old - MAX_SEGMENT), NOW)


def test_expired_stops_at_the_cutoff_and_skips_held_segments():
    policy_days = 7
    first = NOW - timedelta(days=policy_days, minutes=30)
    segments = _minutes(first, 40)  # 30 minutes before the window and 10 inside
    hold_start = first + timedelta(minutes=12)
    policy = RetentionPolicy(
        policy_days, holds=(EvidenceHold("h", hold_start, hold_start + timedelta(seconds=1)),)
    )
    gone = list(expired(iter(segments), policy, NOW))
    cutoff = policy.cutoff(NOW)
    assert all(s.start < cutoff for s in gone)
    assert [s for s in segments if s.start < cutoff and not policy.holds_segment(s.start)] == gone
    assert all(not (s.start <= hold_start < s.start + MAX_SEGMENT) for s in gone)
    assert len(gone) == 20 - 10  # 20 before the cutoff; minutes 3 to 12 may overlap the hold


def test_expired_does_not_read_past_the_cutoff():
    policy = RetentionPolicy(retention_days=1)

    def stream():
        yield _segment(NOW - timedelta(days=3))
        yield _segment(NOW - timedelta(hours=1))
        raise AssertionError("read past the cutoff")

    assert len(list(expired(stream(), policy, NOW))) == 1


def test_tiering_takes_old_segments_but_not_recent_or_expired_ones():
    policy = RetentionPolicy(retention_days=30)
    after = timedelta(days=7)
    expired_one = _segment(NOW - timedelta(days=31))
    old = _segment(NOW - timedelta(days=10))
    recent = _segment(NOW - timedelta(days=7) - MAX_SEGMENT + timedelta(seconds=1))
    assert list(due_for_tiering([expired_one, old, recent], policy, NOW, after)) == [old]


def test_held_segments_are_tiered_too():
    old = NOW - timedelta(days=10)
    policy = RetentionPolicy(30, holds=(EvidenceHold("h", old, old + timedelta(hours=1)),))
    segment = _segment(old)
    assert list(due_for_tiering([segment], policy, NOW, timedelta(days=7))) == [segment]


def test_oldest_first_interleaves_cameras_and_skips_holds_and_unknown_cameras():
    base = NOW - timedelta(days=2)
    cam1 = [_segment(base + timedelta(minutes=m), "cam-1") for m in (0, 2, 4)]
    cam2 = [_segment(base + timedelta(minutes=m), "cam-2") for m in (1, 3, 5)]
    cam3 = [_segment(base - timedelta(days=1), "cam-3")]
    held = cam2[1].start
    policies = {
        ("tenant-a", "cam-1"): RetentionPolicy(30),
        ("tenant-a", "cam-2"): RetentionPolicy(
            30, holds=(EvidenceHold("h", held, held + timedelta(seconds=1)),)
        ),
    }
    order = list(oldest_first([iter(cam1), iter(cam2), iter(cam3)], policies))
    assert [s.start for s in order] == sorted(s.start for s in order)
    assert cam3[0] not in order  # no policy known: left alone
    assert all(not policies[s.tenant_id, s.camera_id].holds_segment(s.start) for s in order)
    assert order[0] == cam1[0]
    assert {s.camera_id for s in order} == {"cam-1", "cam-2"}


def test_disk_usage_ratio_counts_used_over_used_and_free():
    assert DiskSpace(used_bytes=90, free_bytes=10).ratio == 0.9
    assert DiskSpace(0, 0).ratio == 0.0

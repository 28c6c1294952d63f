from datetime import UTC, datetime, timedelta

from apps.evidence.clip_plan import clip_duration_s, clip_plan

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def s(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_the_range_cuts_the_first_and_last_segments_only():
    sources = [("a", s(0), s(60)), ("b", s(60), s(120)), ("c", s(120), s(180))]

    parts = clip_plan(sources, start=s(15), end=s(150))

    assert [(p.source, p.inpoint_s, p.outpoint_s) for p in parts] == [
        ("a", 15.0, None),
        ("b", None, None),
        ("c", None, 30.0),
    ]
    assert clip_duration_s(parts) == 135.0


def test_a_range_inside_one_segment_cuts_it_at_both_ends():
    [part] = clip_plan([("a", s(0), s(60))], start=s(10), end=s(20))

    assert (part.inpoint_s, part.outpoint_s, part.duration_s) == (10.0, 20.0, 10.0)


def test_segments_outside_the_range_and_gaps_add_nothing():
    sources = [
        ("before", s(-60), s(0)),
        ("a", s(0), s(10)),
        ("b", s(30), s(40)),
        ("after", s(50), s(60)),
    ]

    parts = clip_plan(sources, start=s(0), end=s(50))

    assert [p.source for p in parts] == ["a", "b"]
    assert clip_duration_s(parts) == 20.0


def test_overlapping_segments_do_not_repeat_a_moment():
    parts = clip_plan([("b", s(8), s(20)), ("a", s(0), s(10))], start=s(0), end=s(20))

    assert [(p.source, p.inpoint_s, p.outpoint_s) for p in parts] == [
        ("a", None, None),
        ("b", 2.0, None),
    ]
    assert clip_duration_s(parts) == 20.0

"""Alert rule evaluation: label, confidence, zone, schedule (with time zones) and cooldown."""

from datetime import UTC, datetime, time, timedelta

import pytest

from domain.alerts.rules import (
    Box,
    Detection,
    InvalidRule,
    Rule,
    Schedule,
    Sighting,
    Verdict,
    point_in_polygon,
    rule_evaluate,
    schedule_validate,
    zone_validate,
)

# A Wednesday, 12:00 UTC.
NOON = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
SQUARE = ((0.0, 0.0), (0.5, 0.0), (0.5, 0.5), (0.0, 0.5))


def person(confidence: float = 0.9, box: Box | None = None) -> Sighting:
    return Sighting("person", confidence, box)


def detection(*labels: Sighting, faces: tuple[Sighting, ...] = (), at: datetime = NOON):
    return Detection(captured_at=at, labels=labels, faces=faces)


def box_centred(x: float, y: float) -> Box:
    return Box(left=x - 0.05, top=y - 0.05, width=0.1, height=0.1)


# --- label and confidence ----------------------------------------------------------------------
def test_a_matching_label_fires_on_its_most_confident_sighting():
    decision = rule_evaluate(
        Rule(label="person", min_confidence=0.5), detection(person(0.6), person(0.95))
    )

    assert decision.fires
    assert decision.sighting == person(0.95)


def test_another_label_does_not_fire():
    decision = rule_evaluate(Rule("car", 0.1), detection(person()))

    assert (decision.verdict, decision.sighting) == (Verdict.NO_LABEL, None)


def test_labels_compare_without_case():
    assert rule_evaluate(Rule("person", 0.5), detection(Sighting("Person", 0.9))).fires


def test_confidence_below_the_minimum_does_not_fire_and_the_minimum_itself_does():
    rule = Rule("person", 0.8)

    assert rule_evaluate(rule, detection(person(0.79))).verdict is Verdict.LOW_CONFIDENCE
    assert rule_evaluate(rule, detection(person(0.8))).fires


def test_face_rules_look_at_the_faces_only():
    rule = Rule("face", 0.5)
    face = Sighting("face", 0.7, box_centred(0.5, 0.5))

    assert rule_evaluate(rule, detection(person(), faces=(face,))).sighting == face
    assert rule_evaluate(rule, detection(Sighting("face", 0.99))).verdict is Verdict.NO_LABEL


# --- zone ------------------------------------------------------------------------------------
def test_a_box_centred_inside_the_zone_fires_and_outside_does_not():
    rule = Rule("person", 0.5, zone=SQUARE)

    assert rule_evaluate(rule, detection(person(box=box_centred(0.25, 0.25)))).fires
    decision = rule_evaluate(rule, detection(person(box=box_centred(0.75, 0.25))))
    assert decision.verdict is Verdict.OUTSIDE_ZONE


def test_a_sighting_without_a_box_is_never_inside_a_zone():
    assert rule_evaluate(Rule("person", 0.5, zone=SQUARE), detection(person())).verdict is (
        Verdict.OUTSIDE_ZONE
    )


def test_the_zone_picks_the_sighting_inside_it_even_when_a_more_confident_one_is_outside():
    inside = person(0.6, box_centred(0.2, 0.2))
    outside = person(0.99, box_centred(0.8, 0.8))

    decision = rule_evaluate(Rule("person", 0.5, zone=SQUARE), detection(outside, inside))

    assert decision.sighting == inside


@pytest.mark.parametrize(
    ("point", "inside"),
    [
        ((0.25, 0.25), True),
        ((0.5, 0.25), True),  # on an edge
        ((0.5, 0.5), True),  # on a vertex
        ((0.0, 0.0), True),  # on the first vertex
        ((0.25, 0.0), True),  # on the closing edge's neighbour
        ((0.5000001, 0.25), False),
        ((0.75, 0.25), False),
        ((-0.1, 0.25), False),
    ],
)
def test_point_in_a_square(point, inside):
    assert point_in_polygon(point, SQUARE) is inside


def test_point_in_a_concave_polygon():
    # A "U": the notch between the arms is outside.
    u_shape = [(0.1, 0.1), (0.9, 0.1), (0.9, 0.9), (0.6, 0.9), (0.6, 0.4), (0.4, 0.4),
               (0.4, 0.9), (0.1, 0.9)]  # fmt: skip

    assert point_in_polygon((0.2, 0.8), u_shape)
    assert point_in_polygon((0.8, 0.8), u_shape)
    assert not point_in_polygon((0.5, 0.8), u_shape)
    assert point_in_polygon((0.5, 0.2), u_shape)


def test_a_ray_through_a_vertex_counts_once():
    diamond = [(0.5, 0.1), (0.9, 0.5), (0.5, 0.9), (0.1, 0.5)]

    # The rays to the right from these points pass exactly through the vertex (0.9, 0.5).
    assert point_in_polygon((0.5, 0.5), diamond)
    assert not point_in_polygon((0.05, 0.5), diamond)


def test_a_polygon_given_clockwise_or_counter_clockwise_is_the_same_zone():
    assert point_in_polygon((0.25, 0.25), list(reversed(SQUARE)))
    assert not point_in_polygon((0.75, 0.25), list(reversed(SQUARE)))


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ([[0, 0], [1, 0]], "at least 3"),
        ([[0, 0], [1, 0], [0, 0]], "at least 3"),
        ([[0, 0], [0.5, 0.5], [1, 1]], "area"),
        ([[0, 0], [1.5, 0], [0, 1]], "0..1"),
        ([[0, 0], [1, 0], [0]], "[x, y]"),
    ],
)
def test_invalid_zones_are_refused(points, message):
    with pytest.raises(InvalidRule, match=message.replace("[", r"\[").replace("]", r"\]")):
        zone_validate(points)


def test_a_valid_zone_is_kept_as_points():
    assert zone_validate([[0, 0], [1, 0], [1, 1]]) == ((0.0, 0.0), (1.0, 0.0), (1.0, 1.0))


# --- schedule --------------------------------------------------------------------------------
WORKDAYS = frozenset(range(5))
NIGHTS = Schedule(
    weekdays=frozenset({4}), start=time(22, 0), end=time(6, 0), timezone="Europe/Madrid"
)  # Friday 22:00 until Saturday 06:00, Madrid time


def test_a_schedule_is_read_in_its_own_time_zone():
    office = Schedule(WORKDAYS, time(9, 0), time(17, 0), "America/New_York")

    # 12:00 UTC is 07:00 in New York (EST in November): before the office opens.
    assert not office.contains(NOON)
    assert office.contains(NOON + timedelta(hours=3))  # 10:00 New York
    assert not office.contains(NOON + timedelta(hours=10))  # 17:00 New York: end is excluded


def test_a_rule_out_of_its_schedule_does_not_fire():
    rule = Rule("person", 0.5, schedule=Schedule(WORKDAYS, time(0, 0), time(1, 0), "UTC"))

    assert rule_evaluate(rule, detection(person())).verdict is Verdict.OUT_OF_SCHEDULE


@pytest.mark.parametrize(
    ("moment", "active"),
    [
        (datetime(2026, 11, 27, 20, 59, tzinfo=UTC), False),  # Friday 21:59 Madrid
        (datetime(2026, 11, 27, 21, 0, tzinfo=UTC), True),  # Friday 22:00 Madrid
        (datetime(2026, 11, 27, 23, 30, tzinfo=UTC), True),  # Saturday 00:30 Madrid
        (datetime(2026, 11, 28, 4, 59, tzinfo=UTC), True),  # Saturday 05:59 Madrid
        (datetime(2026, 11, 28, 5, 0, tzinfo=UTC), False),  # Saturday 06:00 Madrid
        (datetime(2026, 11, 28, 22, 0, tzinfo=UTC), False),  # Saturday 23:00: not a Friday
        (datetime(2026, 11, 26, 23, 30, tzinfo=UTC), False),  # Friday 00:30: Thursday's night
    ],
)
def test_a_window_crossing_midnight_belongs_to_the_day_it_starts(moment, active):
    assert NIGHTS.contains(moment) is active


def test_a_window_crossing_midnight_on_sunday_ends_on_monday():
    sunday_night = Schedule(frozenset({6}), time(23, 0), time(2, 0), "UTC")

    assert sunday_night.contains(datetime(2026, 11, 30, 1, 0, tzinfo=UTC))  # Monday 01:00
    assert not sunday_night.contains(datetime(2026, 12, 1, 1, 0, tzinfo=UTC))  # Tuesday 01:00


def test_start_equal_to_end_is_the_whole_day():
    all_wednesday = Schedule(frozenset({2}), time(0, 0), time(0, 0), "UTC")

    assert all_wednesday.contains(datetime(2026, 11, 25, 0, 0, tzinfo=UTC))
    assert all_wednesday.contains(datetime(2026, 11, 25, 23, 59, tzinfo=UTC))
    assert not all_wednesday.contains(datetime(2026, 11, 26, 0, 0, tzinfo=UTC))


def test_the_window_follows_wall_clock_time_across_daylight_saving_changes():
    mornings = Schedule(frozenset(range(7)), time(8, 0), time(9, 0), "Europe/Madrid")

    # Summer (CEST, UTC+2): 08:30 local is 06:30 UTC; winter (CET, UTC+1): 07:30 UTC.
    assert mornings.contains(datetime(2026, 7, 1, 6, 30, tzinfo=UTC))
    assert not mornings.contains(datetime(2026, 7, 1, 7, 30, tzinfo=UTC))
    assert mornings.contains(datetime(2026, 12, 1, 7, 30, tzinfo=UTC))
    assert not mornings.contains(datetime(2026, 12, 1, 6, 30, tzinfo=UTC))
    # The day clocks go back (25 October 2026): 08:30 CET is 07:30 UTC.
    assert mornings.contains(datetime(2026, 10, 25, 7, 30, tzinfo=UTC))


def test_a_night_window_across_the_spring_forward_gap():
    # 29 March 2026, Madrid: 02:00 CET jumps to 03:00 CEST. A 01:00-04:00 window covers
    # 00:00-02:00 UTC that night: two real hours, not three.
    window = Schedule(frozenset({6}), time(1, 0), time(4, 0), "Europe/Madrid")

    assert window.contains(datetime(2026, 3, 29, 0, 0, tzinfo=UTC))  # 01:00 CET
    assert window.contains(datetime(2026, 3, 29, 1, 30, tzinfo=UTC))  # 03:30 CEST
    assert not window.contains(datetime(2026, 3, 29, 2, 0, tzinfo=UTC))  # 04:00 CEST


def test_the_repeated_hour_when_clocks_go_back_is_inside_the_window_both_times():
    # 25 October 2026, Madrid: 03:00 CEST goes back to 02:00 CET; 02:30 happens twice.
    window = Schedule(frozenset({6}), time(2, 0), time(3, 0), "Europe/Madrid")

    assert window.contains(datetime(2026, 10, 25, 0, 30, tzinfo=UTC))  # 02:30 CEST
    assert window.contains(datetime(2026, 10, 25, 1, 30, tzinfo=UTC))  # 02:30 CET
    assert not window.contains(datetime(2026, 10, 25, 2, 0, tzinfo=UTC))  # 03:00 CET


def test_schedules_are_validated():
    with pytest.raises(InvalidRule, match="time zone"):
        schedule_validate(weekdays=[1], start=time(1), end=time(2), timezone="Mars/Olympus")
    with pytest.raises(InvalidRule, match="weekday"):
        schedule_validate(weekdays=[], start=time(1), end=time(2), timezone="UTC")
    with pytest.raises(InvalidRule, match="Monday"):
        schedule_validate(weekdays=[7], start=time(1), end=time(2), timezone="UTC")
    schedule = schedule_validate(weekdays=[0, 0, 6], start=time(1), end=time(2), timezone="UTC")
    assert schedule.weekdays == frozenset({0, 6})


# --- cooldown --------------------------------------------------------------------------------
def test_cooldown_counts_from_the_last_alerts_frame():
    rule = Rule("person", 0.5, cooldown_s=60)
    seen = detection(person())

    within = rule_evaluate(rule, seen, last_alert_captured_at=NOON - timedelta(seconds=59))
    after = rule_evaluate(rule, seen, last_alert_captured_at=NOON - timedelta(seconds=60))
    late = rule_evaluate(rule, seen, last_alert_captured_at=NOON + timedelta(seconds=30))
    first = rule_evaluate(rule, seen, last_alert_captured_at=None)

    assert within.verdict is Verdict.COOLING_DOWN
    assert after.fires
    assert late.verdict is Verdict.COOLING_DOWN  # a result that arrived out of order
    assert first.fires


def test_a_zero_cooldown_fires_on_every_detection():
    rule = Rule("person", 0.5, cooldown_s=0)

    assert rule_evaluate(rule, detection(person()), last_alert_captured_at=NOON).fires

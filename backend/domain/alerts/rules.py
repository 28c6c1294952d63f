"""Alert rules, evaluated on one detection: plain Python, no framework.

A rule fires on a detection when one thing seen in the frame (a label, or a face when the
rule's label is ``face``) has the rule's label, at least its confidence, its box centre
inside the rule's zone (when it has one), the frame was captured inside the rule's
schedule (when it has one) and no alert of the rule for that camera was raised within its
cooldown. Boxes and zones are fractions of the frame's width and height (0..1).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

FACE_LABEL = "face"
# How close to a zone's edge a point counts as on it (fractions of the frame).
EDGE_TOLERANCE = 1e-9

Point = tuple[float, float]


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    width: float
    height: float

    @property
    def centre(self) -> Point:
        return (self.left + self.width / 2, self.top + self.height / 2)


@dataclass(frozen=True)
class Sighting:
    """One thing seen in a frame: a label (``person``, ``car``...) or a face."""

    label: str
    confidence: float
    box: Box | None = None


@dataclass(frozen=True)
class Detection:
    captured_at: datetime
    labels: tuple[Sighting, ...] = ()
    faces: tuple[Sighting, ...] = ()

    def sightings(self, label: str) -> tuple[Sighting, ...]:
        if label == FACE_LABEL:
            return self.faces
        return tuple(s for s in self.labels if s.label.lower() == label)


@dataclass(frozen=True)
class Schedule:
    """When a rule is active: on `weekdays` (0 = Monday .. 6 = Sunday) from `start` to `end`.

    Times are wall-clock times in `timezone` (IANA name). A window whose end is not after
    its start crosses midnight: it begins on one of the weekdays and ends the next day.
    A window whose start equals its end lasts the whole day.
    """

    weekdays: frozenset[int]
    start: time
    end: time
    timezone: str

    def contains(self, moment: datetime) -> bool:
        local = moment.astimezone(ZoneInfo(self.timezone))
        clock = local.time().replace(tzinfo=None)
        day = local.weekday()
        if self.start == self.end:
            return day in self.weekdays
        if self.start < self.end:
            return day in self.weekdays and self.start <= clock < self.end
        # Crosses midnight: the evening part today, or the morning part of yesterday's window.
        if clock >= self.start:
            return day in self.weekdays
        return clock < self.end and (day - 1) % 7 in self.weekdays


@dataclass(frozen=True)
class Rule:
    label: str
    min_confidence: float
    zone: tuple[Point, ...] | None = None
    schedule: Schedule | None = None
    cooldown_s: int = 60


class Verdict(StrEnum):
    FIRES = "fires"
    NO_LABEL = "no_label"
    LOW_CONFIDENCE = "low_confidence"
    OUTSIDE_ZONE = "outside_zone"
    OUT_OF_SCHEDULE = "out_of_schedule"
    COOLING_DOWN = "cooling_down"


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    sighting: Sighting | None = None

    @property
    def fires(self) -> bool:
        return self.verdict is Verdict.FIRES


def rule_evaluate(
    rule: Rule, detection: Detection, *, last_alert_captured_at: datetime | None = None
) -> Decision:
    """Whether `rule` fires on `detection`, and on which sighting (the most confident).

    `last_alert_captured_at` is when the frame of the rule's last alert for this camera was
    captured; within `cooldown_s` of it (either side: results may arrive out of order) the
    rule stays quiet.
    """
    candidates = detection.sightings(rule.label)
    if not candidates:
        return Decision(Verdict.NO_LABEL)
    candidates = tuple(s for s in candidates if s.confidence >= rule.min_confidence)
    if not candidates:
        return Decision(Verdict.LOW_CONFIDENCE)
    if rule.zone is not None:
        candidates = tuple(
            s for s in candidates if s.box is not None and point_in_polygon(s.box.centre, rule.zone)
        )
        if not candidates:
            return Decision(Verdict.OUTSIDE_ZONE)
    if rule.schedule is not None and not rule.schedule.contains(detection.captured_at):
        return Decision(Verdict.OUT_OF_SCHEDULE)
    if last_alert_captured_at is not None and abs(
        detection.captured_at - last_alert_captured_at
    ) < timedelta(seconds=rule.cooldown_s):
        return Decision(Verdict.COOLING_DOWN)
    return Decision(Verdict.FIRES, max(candidates, key=lambda s: s.confidence))


def point_in_polygon(point: Point, polygon: Sequence[Point]) -> bool:
    """Whether `point` is inside `polygon` (any simple polygon); its edges count as inside."""
    x, y = point
    count = len(polygon)
    if count < 3:
        return False
    inside = False
    for index in range(count):
        x1, y1 = polygon[index]
        x2, y2 = polygon[(index + 1) % count]
        if _on_segment(point, (x1, y1), (x2, y2)):
            return True
        # Ray casting to the right; an edge counts when it straddles the ray's height
        # (half-open, so a vertex on the ray is counted once).
        if (y1 > y) != (y2 > y):
            crossing_x = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            if crossing_x > x:
                inside = not inside
    return inside


def _on_segment(point: Point, a: Point, b: Point) -> bool:
    (px, py), (ax, ay), (bx, by) = point, a, b
    cross = (bx - ax) * (py - ay) - (by - ay) * (px - ax)
    if abs(cross) > EDGE_TOLERANCE:
        return False
    return (
        min(ax, bx) - EDGE_TOLERANCE <= px <= max(ax, bx) + EDGE_TOLERANCE
        and min(ay, by) - EDGE_TOLERANCE <= py <= max(ay, by) + EDGE_TOLERANCE
    )


class InvalidRule(ValueError):
    """A zone or schedule that cannot be evaluated; the message names what is wrong."""


def zone_validate(points: Iterable[Sequence[float]]) -> tuple[Point, ...]:
    """A zone as the rule keeps it, or InvalidRule: >= 3 distinct points in 0..1, some area."""
    zone: list[Point] = []
    for number, point in enumerate(points):
        if len(point) != 2:
            raise InvalidRule(f"zone point {number} must be [x, y]")
        x, y = float(point[0]), float(point[1])
        if not (0 <= x <= 1 and 0 <= y <= 1):
            raise InvalidRule(f"zone point {number} must lie within 0..1 on both axes")
        zone.append((x, y))
    if len(set(zone)) < 3:
        raise InvalidRule("a zone needs at least 3 distinct points")
    if abs(_area(zone)) <= EDGE_TOLERANCE:
        raise InvalidRule("a zone's points must enclose an area (they lie on one line)")
    return tuple(zone)


def _area(points: Sequence[Point]) -> float:
    total = 0.0
    for index, (x1, y1) in enumerate(points):
        x2, y2 = points[(index + 1) % len(points)]
        total += x1 * y2 - x2 * y1
    return total / 2


def schedule_validate(
    *, weekdays: Iterable[int], start: time, end: time, timezone: str
) -> Schedule:
    """A schedule as the rule keeps it, or InvalidRule (no weekday, unknown time zone)."""
    days = frozenset(weekdays)
    if not days:
        raise InvalidRule("a schedule needs at least one weekday")
    if not days <= set(range(7)):
        raise InvalidRule("weekdays are 0 (Monday) to 6 (Sunday)")
    if timezone not in _time_zones():
        raise InvalidRule(f"unknown time zone {timezone!r}")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidRule(f"unknown time zone {timezone!r}") from exc
    return Schedule(
        weekdays=days,
        start=start.replace(tzinfo=None),
        end=end.replace(tzinfo=None),
        timezone=timezone,
    )


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones()) | {"UTC"}

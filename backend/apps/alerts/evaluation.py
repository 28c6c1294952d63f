"""Stored rules and detections as the plain-Python rule evaluation sees them."""

from datetime import time
from typing import Any

from apps.alerts.models import AlertRule
from apps.detections.models import DetectionResult
from domain.alerts.rules import Box, Detection, Rule, Schedule, Sighting


def rule_of(rule: AlertRule) -> Rule:
    return Rule(
        label=rule.label,
        min_confidence=rule.min_confidence,
        zone=tuple((float(x), float(y)) for x, y in rule.zone) if rule.zone else None,
        schedule=schedule_of(rule.schedule) if rule.schedule else None,
        cooldown_s=rule.cooldown_s,
    )


def schedule_of(stored: dict[str, Any]) -> Schedule:
    return Schedule(
        weekdays=frozenset(int(day) for day in stored["weekdays"]),
        start=time.fromisoformat(stored["start"]),
        end=time.fromisoformat(stored["end"]),
        timezone=stored["timezone"],
    )


def schedule_stored(schedule: Schedule) -> dict[str, Any]:
    return {
        "weekdays": sorted(schedule.weekdays),
        "start": schedule.start.isoformat(),
        "end": schedule.end.isoformat(),
        "timezone": schedule.timezone,
    }


def detection_of(result: DetectionResult) -> Detection:
    return Detection(
        captured_at=result.captured_at,
        labels=tuple(
            Sighting(
                str(label.get("name", "")).lower(),
                float(label.get("confidence", 0)),
                _box(label.get("box")),
            )
            for label in result.labels or ()
        ),
        faces=tuple(
            Sighting("face", float(face.get("confidence", 0)), _box(face.get("box")))
            for face in result.faces or ()
        ),
    )


def box_stored(box: Box | None) -> dict[str, float] | None:
    if box is None:
        return None
    return {"left": box.left, "top": box.top, "width": box.width, "height": box.height}


def _box(stored: Any) -> Box | None:
    if not isinstance(stored, dict):
        return None
    try:
        return Box(
            left=float(stored["left"]),
            top=float(stored["top"]),
            width=float(stored["width"]),
            height=float(stored["height"]),
        )
    except (KeyError, TypeError, ValueError):
        return None

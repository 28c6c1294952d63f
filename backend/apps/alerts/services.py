"""Writes: alert rules (admins), and raising alerts on newly stored detections."""

import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.db.models import Q

from apps.alerts.evaluation import box_stored, detection_of, rule_of, schedule_stored
from apps.alerts.models import MAX_COOLDOWN_S, Alert, AlertRule, DeliveryStatus
from apps.alerts.publishing import alerts_publish_on_commit
from apps.audit.services import audit_record
from apps.cameras.models import Camera
from apps.core.exceptions import InvalidInput
from apps.detections.models import DetectionResult
from domain.alerts.rules import (
    FACE_LABEL,
    Detection,
    InvalidRule,
    Rule,
    Sighting,
    rule_evaluate,
    schedule_validate,
)
from domain.alerts.rules import zone_validate as domain_zone_validate
from vms_common.logging import get_logger

logger = get_logger(__name__)

LABEL_PATTERN = re.compile(r"^[a-z0-9][a-z0-9 _.-]{0,63}$")
MAX_EMAILS = 20
RULE_FIELDS = (
    "name", "camera_id", "label", "min_confidence", "zone", "schedule", "cooldown_s", "enabled",
    "webhook_url", "emails",
)  # fmt: skip
_webhook_url_validator = URLValidator(schemes=["http", "https"])


# --- rules -------------------------------------------------------------------------------------
def alert_rule_create(*, user: Any, **fields: Any) -> AlertRule:
    """A new rule in the user's tenant; `camera_id` None means every camera of the tenant."""
    tenant = user.tenant
    values = _rule_values(tenant_id=tenant.pk, fields=fields, partial=False)
    with transaction.atomic():
        rule = AlertRule.objects.create(tenant=tenant, **values)
        audit_record(
            tenant=tenant,
            user=user,
            action="alert_rule.created",
            target_type="alert_rule",
            target_id=rule.id,
            details=_rule_details(rule),
        )
    return rule


def alert_rule_update(*, rule: AlertRule, user: Any, **fields: Any) -> AlertRule:
    """Change the given fields of a rule (a PATCH); the others stay as they are."""
    values = _rule_values(tenant_id=rule.tenant_id, fields=fields, partial=True)
    with transaction.atomic():
        before = _rule_details(rule)
        for name, value in values.items():
            setattr(rule, name, value)
        rule.save()
        after = _rule_details(rule)
        audit_record(
            tenant=rule.tenant,
            user=user,
            action="alert_rule.updated",
            target_type="alert_rule",
            target_id=rule.id,
            details={
                "changed": {
                    key: {"from": before[key], "to": after[key]}
                    for key in after
                    if before[key] != after[key]
                }
            },
        )
    return rule


def alert_rule_delete(*, rule: AlertRule, user: Any) -> None:
    """Delete a rule; the alerts it raised stay (with the rule's name)."""
    with transaction.atomic():
        audit_record(
            tenant=rule.tenant,
            user=user,
            action="alert_rule.deleted",
            target_type="alert_rule",
            target_id=rule.id,
            details=_rule_details(rule),
        )
        rule.delete()


def _rule_values(*, tenant_id: Any, fields: dict[str, Any], partial: bool) -> dict[str, Any]:
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise InvalidInput(f"unknown fields: {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {}
    if "camera_id" in fields:
        values["camera"] = _camera_of_tenant(tenant_id, fields["camera_id"])
    elif not partial:
        values["camera"] = None
    if "name" in fields or not partial:
        name = str(fields.get("name") or "").strip()
        if not name or len(name) > 200:
            raise _invalid("name", "name: 1 to 200 characters")
        values["name"] = name
    if "label" in fields or not partial:
        label = str(fields.get("label") or "").strip().lower()
        if not LABEL_PATTERN.match(label):
            raise _invalid("label", "label: a lower-case name such as person, car or face")
        values["label"] = label
    if "min_confidence" in fields or not partial:
        confidence = fields.get("min_confidence")
        if not isinstance(confidence, int | float) or not 0 <= confidence <= 1:
            raise _invalid("min_confidence", "min_confidence: a number from 0 to 1")
        values["min_confidence"] = float(confidence)
    if "zone" in fields:
        values["zone"] = zone_validate(fields["zone"])
    if "schedule" in fields:
        values["schedule"] = _schedule_value(fields["schedule"])
    if "cooldown_s" in fields:
        cooldown = fields["cooldown_s"]
        if not isinstance(cooldown, int) or not 0 <= cooldown <= MAX_COOLDOWN_S:
            raise _invalid("cooldown_s", f"cooldown_s: whole seconds from 0 to {MAX_COOLDOWN_S}")
        values["cooldown_s"] = cooldown
    if "enabled" in fields:
        values["enabled"] = bool(fields["enabled"])
    if "webhook_url" in fields:
        values["webhook_url"] = webhook_url_validate(fields["webhook_url"] or "")
    if "emails" in fields:
        values["emails"] = emails_validate(fields["emails"] or [])
    return values


def zone_validate(zone: Any) -> list[list[float]] | None:
    if zone is None:
        return None
    if not isinstance(zone, list | tuple):
        raise _invalid("zone", "zone: a list of [x, y] points")
    try:
        points = domain_zone_validate(zone)
    except (InvalidRule, TypeError, ValueError) as exc:
        raise _invalid("zone", f"zone: {exc}") from None
    return [[x, y] for x, y in points]


def _schedule_value(schedule: Any) -> dict[str, Any] | None:
    if schedule is None:
        return None
    if not isinstance(schedule, dict):
        raise _invalid("schedule", "schedule: {weekdays, start, end, timezone}")
    try:
        start, end = _time(schedule.get("start")), _time(schedule.get("end"))
        validated = schedule_validate(
            weekdays=[int(day) for day in schedule.get("weekdays") or ()],
            start=start,
            end=end,
            timezone=str(schedule.get("timezone") or ""),
        )
    except (InvalidRule, TypeError, ValueError) as exc:
        raise _invalid("schedule", f"schedule: {exc}") from None
    return schedule_stored(validated)


def _time(value: Any) -> time:
    if isinstance(value, time):
        return value
    if not isinstance(value, str):
        raise ValueError("start and end are times of day, HH:MM")
    return time.fromisoformat(value)


def webhook_url_validate(url: str) -> str:
    if not url:
        return ""
    try:
        _webhook_url_validator(url)
    except ValidationError:
        raise _invalid("webhook_url", "webhook_url: an http:// or https:// URL") from None
    if len(url) > 500:
        raise _invalid("webhook_url", "webhook_url: at most 500 characters")
    return url


def emails_validate(emails: Any) -> list[str]:
    if not isinstance(emails, list | tuple) or len(emails) > MAX_EMAILS:
        raise _invalid("emails", f"emails: a list of at most {MAX_EMAILS} addresses")
    clean: list[str] = []
    for email in emails:
        try:
            validate_email(email)
        except (ValidationError, TypeError):
            raise _invalid("emails", f"emails: {email!r} is not an e-mail address") from None
        if email not in clean:
            clean.append(email)
    return clean


def _camera_of_tenant(tenant_id: Any, camera_id: Any) -> Camera | None:
    if camera_id is None:
        return None
    try:
        key = camera_id if isinstance(camera_id, uuid.UUID) else uuid.UUID(str(camera_id))
    except ValueError:
        raise _invalid("camera_id", "camera_id: not a camera of this tenant") from None
    camera = Camera.objects.filter(pk=key, tenant_id=tenant_id).first()
    if camera is None:
        raise InvalidInput(
            "camera_id: not a camera of this tenant",
            code="unknown_camera",
            extra={"field": "camera_id"},
        )
    return camera


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, extra={"field": field})


def _rule_details(rule: AlertRule) -> dict[str, Any]:
    return {
        "name": rule.name,
        "camera_id": str(rule.camera_id) if rule.camera_id else None,
        "label": rule.label,
        "min_confidence": rule.min_confidence,
        "zone": rule.zone,
        "schedule": rule.schedule,
        "cooldown_s": rule.cooldown_s,
        "enabled": rule.enabled,
        "webhook_url": rule.webhook_url,
        "emails": list(rule.emails or []),
    }


# --- raising alerts --------------------------------------------------------------------------
def alerts_raise(*, detections: Sequence[DetectionResult]) -> list[Alert]:
    """Evaluate the tenants' enabled rules on newly stored detections; store the alerts.

    Runs inside the transaction that stored the detections (it commits or rolls back with
    them). The rules that would fire but for their cooldown are locked (`SELECT ... FOR
    UPDATE`, in id order) before the cooldown is read, so that two workers cannot both raise
    within a rule's cooldown for a camera. Each alert is published to the `alerts` exchange
    once the transaction commits. A rule whose stored zone or schedule cannot be read is
    skipped (and logged); the others are evaluated.
    """
    if not detections:
        return []
    raised: list[Alert] = []
    with transaction.atomic():
        by_tenant: dict[Any, list[DetectionResult]] = defaultdict(list)
        for detection in detections:
            by_tenant[detection.tenant_id].append(detection)
        for tenant_id in sorted(by_tenant, key=str):
            raised.extend(_raise_for_tenant(tenant_id, by_tenant[tenant_id]))
    if raised:
        alerts_publish_on_commit([alert.pk for alert in raised])
    return raised


def _raise_for_tenant(tenant_id: Any, detections: list[DetectionResult]) -> list[Alert]:
    labels = set(_labels_seen(detections))
    if not labels:
        return []
    cameras = {detection.camera_id for detection in detections}
    ordered = sorted(detections, key=lambda d: (d.captured_at, d.pk))
    seen = {detection.pk: detection_of(detection) for detection in ordered}
    candidates = (
        AlertRule.objects.filter(tenant_id=tenant_id, enabled=True, label__in=labels)
        .filter(Q(camera__isnull=True) | Q(camera_id__in=cameras))
        .order_by("id")
    )
    # Only the rules that would fire but for their cooldown are locked (and read again).
    firing = [rule.pk for rule in candidates if _fires_ignoring_cooldown(rule, ordered, seen)]
    if not firing:
        return []
    rules = [
        (rule, evaluated)
        for rule in AlertRule.objects.select_for_update()
        .filter(pk__in=firing, enabled=True)
        .order_by("id")
        if (evaluated := _rule_readable(rule)) is not None
    ]
    last_captured = _last_alerts_captured(rule_ids=[rule.pk for rule, _ in rules], cameras=cameras)
    # A batch announced again (it should not be) raises nothing twice.
    already = set(
        Alert.objects.filter(
            rule_id__in=[rule.pk for rule, _ in rules], detection_id__in=list(seen)
        ).values_list("rule_id", "detection_id")
    )
    pending: list[Alert] = []
    for detection in ordered:
        for rule, evaluated in rules:
            if rule.camera_id is not None and rule.camera_id != detection.camera_id:
                continue
            if (rule.pk, detection.pk) in already:
                continue
            key = (rule.pk, detection.camera_id)
            decision = rule_evaluate(
                evaluated, seen[detection.pk], last_alert_captured_at=last_captured.get(key)
            )
            if not decision.fires or decision.sighting is None:
                continue
            last_captured[key] = detection.captured_at
            pending.append(_alert_of(rule, detection, decision.sighting))
    # The rules are locked and each detection is new: nobody else can raise these alerts.
    raised = Alert.objects.bulk_create(pending)
    for alert in raised:
        logger.info(
            "alert raised",
            alert_id=alert.pk,
            rule_id=str(alert.rule_id),
            camera_id=str(alert.camera_id),
            detection_id=alert.detection_id,
            label=alert.label,
            confidence=alert.confidence,
        )
    return raised


def _alert_of(rule: AlertRule, detection: DetectionResult, sighting: Sighting) -> Alert:
    return Alert(
        tenant_id=detection.tenant_id,
        rule=rule,
        rule_name=rule.name,
        camera_id=detection.camera_id,
        detection=detection,
        label=rule.label,
        confidence=sighting.confidence,
        box=box_stored(sighting.box),
        captured_at=detection.captured_at,
        trace_id=detection.trace_id,
        webhook_url=rule.webhook_url,
        webhook_status=DeliveryStatus.PENDING if rule.webhook_url else DeliveryStatus.NONE,
        emails=list(rule.emails or []),
        email_status=DeliveryStatus.PENDING if rule.emails else DeliveryStatus.NONE,
    )


def _fires_ignoring_cooldown(
    rule: AlertRule, detections: list[DetectionResult], seen: dict[int, Detection]
) -> bool:
    evaluated = _rule_readable(rule)
    if evaluated is None:
        return False
    return any(
        rule_evaluate(evaluated, seen[detection.pk]).fires
        for detection in detections
        if rule.camera_id is None or rule.camera_id == detection.camera_id
    )


def _rule_readable(rule: AlertRule) -> Rule | None:
    """The rule for evaluation, or None (logged) when its stored zone or schedule is broken."""
    try:
        return rule_of(rule)
    except (KeyError, TypeError, ValueError, ZoneInfoNotFoundError) as exc:
        logger.error(
            "alert rule cannot be evaluated, skipped", rule_id=str(rule.pk), error=repr(exc)
        )
        return None


def _last_alerts_captured(
    *, rule_ids: list[Any], cameras: set[Any]
) -> dict[tuple[Any, Any], datetime]:
    """When the frame of each (rule, camera)'s newest alert was captured, in one query."""
    newest = (
        Alert.objects.filter(rule_id__in=rule_ids, camera_id__in=cameras)
        .order_by("rule_id", "camera_id", "-captured_at")
        .distinct("rule_id", "camera_id")
        .values_list("rule_id", "camera_id", "captured_at")
    )
    return {(rule_id, camera_id): captured for rule_id, camera_id, captured in newest}


def _labels_seen(detections: Iterable[DetectionResult]) -> Iterable[str]:
    for detection in detections:
        for label in detection.labels or ():
            name = label.get("name") if isinstance(label, dict) else None
            if name:
                yield str(name).lower()
        if detection.faces:
            yield FACE_LABEL

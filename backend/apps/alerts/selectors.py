"""Reads of alert rules and alerts, always limited to the user's tenant."""

import uuid
from typing import Any

from django.db.models import QuerySet

from apps.alerts.models import Alert, AlertRule
from apps.core.exceptions import ResourceNotFound

MAX_LIMIT = 500


def alert_rules_for_user(user: Any) -> QuerySet[AlertRule]:
    if not getattr(user, "tenant_id", None):
        return AlertRule.objects.none()
    return AlertRule.objects.filter(tenant_id=user.tenant_id).order_by("name", "id")


def alert_rule_get_for_user(user: Any, rule_id: uuid.UUID | str) -> AlertRule:
    """One of the tenant's rules; unknown and other tenants' rules are not found."""
    try:
        key = rule_id if isinstance(rule_id, uuid.UUID) else uuid.UUID(str(rule_id))
    except ValueError:
        raise ResourceNotFound("alert rule not found", code="alert_rule_not_found") from None
    rule = alert_rules_for_user(user).select_related("tenant").filter(pk=key).first()
    if rule is None:
        raise ResourceNotFound("alert rule not found", code="alert_rule_not_found")
    return rule


def alerts_for_user(
    user: Any, *, camera_id: uuid.UUID | None = None, since: int | None = None, limit: int = 100
) -> list[Alert]:
    """The tenant's alerts with `id > since`, oldest first; without `since` the newest
    `limit`, still oldest first."""
    if not getattr(user, "tenant_id", None):
        return []
    alerts = Alert.objects.filter(tenant_id=user.tenant_id)
    if camera_id is not None:
        alerts = alerts.filter(camera_id=camera_id)
    if since is not None:
        return list(alerts.filter(id__gt=since).order_by("id")[:limit])
    return list(reversed(alerts.order_by("-id")[:limit]))

"""Reads of the audit log, always limited to one tenant."""

from typing import Any

from django.db.models import QuerySet

from apps.audit.models import AuditEntry


def audit_entries_for_target(
    *, tenant_id: Any, target_type: str, target_id: Any
) -> QuerySet[AuditEntry]:
    """The tenant's entries about one thing, oldest first."""
    return AuditEntry.objects.filter(
        tenant_id=tenant_id, target_type=target_type, target_id=str(target_id)
    ).order_by("at", "id")


MAX_LIMIT = 500


def audit_entries_for_user(
    user: Any, *, since: int | None = None, limit: int = 100, action: str | None = None
) -> list[AuditEntry]:
    """The tenant's entries with `id > since`, oldest first; without `since` the newest
    `limit`, still oldest first. Who may read it is the view's business."""
    entries = AuditEntry.objects.filter(tenant_id=user.tenant_id).select_related("user")
    if action:
        entries = entries.filter(action=action)
    if since is not None:
        return list(entries.filter(id__gt=since).order_by("id")[:limit])
    return list(reversed(entries.order_by("-id")[:limit]))

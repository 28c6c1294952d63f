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

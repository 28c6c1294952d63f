"""Writes to the audit log."""

import json
from collections.abc import Mapping
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from apps.audit.models import AuditEntry
from apps.usuarios.models import Tenant
from vms_common.logging import get_logger

logger = get_logger(__name__)


def audit_record(
    *,
    tenant: Tenant,
    user: Any | None,
    action: str,
    target_type: str,
    target_id: Any,
    details: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Add one entry to the tenant's audit log; `user` is None for the system.

    `details` may hold datetimes, UUIDs and decimals: they are stored as JSON strings.
    """
    plain = json.loads(json.dumps(dict(details or {}), cls=DjangoJSONEncoder))
    entry = AuditEntry.objects.create(
        tenant=tenant,
        user=user if user is not None and getattr(user, "pk", None) else None,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        details=plain,
    )
    logger.info(
        "audit",
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        tenant_id=str(tenant.pk),
        user_id=getattr(user, "pk", None),
    )
    return entry

"""Writes to the audit log: the services' own entries, and the API's HTTP-level ones."""

import json
from collections.abc import Mapping
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from apps.audit.models import AuditEntry
from apps.usuarios.models import Tenant, User
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


def audit_api_request_record(
    *,
    user: Any | None,
    method: str,
    path: str,
    view_name: str,
    status: int,
    ip: str | None,
    trace_id: str,
) -> AuditEntry:
    """The HTTP-level record of one change requested through the API (any outcome).

    `action` is `api.<method>`; the target is the view (`target_type` "http"). No body,
    query string or token is kept.
    """
    known_user = user if user is not None and getattr(user, "pk", None) else None
    return _http_entry(
        tenant_id=getattr(known_user, "tenant_id", None),
        user=known_user,
        action=f"api.{method.lower()}",
        method=method,
        path=path,
        view_name=view_name,
        status=status,
        ip=ip,
        trace_id=trace_id,
        details={"view": view_name},
    )


def audit_login_record(
    *,
    username: str,
    succeeded: bool,
    path: str,
    view_name: str,
    status: int,
    ip: str | None,
    trace_id: str,
) -> AuditEntry:
    """A login attempt: `auth.login`, or `auth.login_failed` with the username tried.

    The entry belongs to the tenant of the user of that name when there is one (so the
    tenant's admins see attempts on their accounts), else to no tenant. The password is
    never seen here.
    """
    username = _storable(username)
    account = User.objects.filter(username=username).only("id", "tenant_id").first()
    return _http_entry(
        tenant_id=account.tenant_id if account is not None else None,
        user=account if succeeded else None,
        action="auth.login" if succeeded else "auth.login_failed",
        method="POST",
        path=path,
        view_name=view_name,
        status=status,
        ip=ip,
        trace_id=trace_id,
        details={"view": view_name, "username": username, "known_user": account is not None},
    )


def _storable(text: str) -> str:
    """Text PostgreSQL keeps as it is given: no NUL, no lone surrogate (either would make
    the insert fail)."""
    return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "\ufffd")


def _http_entry(
    *,
    tenant_id: Any,
    user: Any | None,
    action: str,
    method: str,
    path: str,
    view_name: str,
    status: int,
    ip: str | None,
    trace_id: str,
    details: dict[str, Any],
) -> AuditEntry:
    entry = AuditEntry.objects.create(
        tenant_id=tenant_id,
        user=user,
        action=action,
        target_type="http",
        target_id=_storable(view_name)[:64],
        details={
            key: _storable(value) if isinstance(value, str) else value
            for key, value in details.items()
        },
        method=_storable(method)[:8],
        path=_storable(path)[:1024],
        status=status,
        ip=ip,
        trace_id=trace_id[:64],
    )
    logger.info(
        "audit",
        action=action,
        path=entry.path,
        status=status,
        tenant_id=str(tenant_id) if tenant_id else None,
        user_id=getattr(user, "pk", None),
    )
    return entry

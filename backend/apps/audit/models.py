"""The audit log: one row per action that matters for evidence or configuration, per
change made through the API and per failed login.

Rows are only ever added: saving an existing row, deleting one, and a queryset's
`update()`/`delete()` raise `AuditLogIsAppendOnly`.
"""

from typing import Any, NoReturn

from django.conf import settings
from django.db import models

from apps.usuarios.models import Tenant


class AuditLogIsAppendOnly(Exception):
    """An attempt to change or remove an audit entry."""


def _refuse(what: str) -> NoReturn:
    raise AuditLogIsAppendOnly(f"the audit log is append-only: {what} is refused")


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        _refuse("update")

    def delete(self) -> NoReturn:
        _refuse("delete")


class AuditEntry(models.Model):
    id = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey(
        Tenant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries",
        help_text="Empty when no tenant is known, e.g. a failed login of an unknown user",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries",
        help_text="Who acted; empty for the system (e.g. the export worker) or an anonymous caller",
    )
    action = models.CharField(max_length=64, help_text='What happened, e.g. "export.requested"')
    target_type = models.CharField(max_length=64, help_text='The kind of thing, e.g. "export"')
    target_id = models.CharField(max_length=64)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    details = models.JSONField(default=dict, blank=True)
    # The HTTP request, for the entries the API's middleware writes (empty otherwise).
    method = models.CharField(max_length=8, blank=True, default="")
    path = models.CharField(max_length=1024, blank=True, default="")
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    trace_id = models.CharField(max_length=64, blank=True, default="")

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ("-at", "-id")
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=("tenant", "-at"), name="audit_tenant_at"),
            models.Index(fields=("target_type", "target_id"), name="audit_target"),
            models.Index(fields=("tenant", "action", "id"), name="audit_tenant_action"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%dT%H:%M:%SZ} {self.action} {self.target_type}:{self.target_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse("update")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("delete")

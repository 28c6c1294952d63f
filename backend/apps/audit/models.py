"""The audit log: one row per action that matters for evidence or configuration.

Rows are only ever added; nothing in the product updates or deletes them.
"""

from django.conf import settings
from django.db import models

from apps.usuarios.models import Tenant


class AuditEntry(models.Model):
    id = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="audit_entries")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries",
        help_text="Who acted; empty for the system (e.g. the export worker)",
    )
    action = models.CharField(max_length=64, help_text='What happened, e.g. "export.requested"')
    target_type = models.CharField(max_length=64, help_text='The kind of thing, e.g. "export"')
    target_id = models.CharField(max_length=64)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ("-at", "-id")
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=("tenant", "-at"), name="audit_tenant_at"),
            models.Index(fields=("target_type", "target_id"), name="audit_target"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%dT%H:%M:%SZ} {self.action} {self.target_type}:{self.target_id}"

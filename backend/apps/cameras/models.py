"""Cameras, one row per IP camera of a tenant."""

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from apps.usuarios.models import Tenant
from vms_common.contracts import relay_path

DEFAULT_RETENTION_DAYS = 30
MIN_RETENTION_DAYS = 1
MAX_RETENTION_DAYS = 3650


class Camera(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="cameras")
    name = models.CharField(max_length=200)
    enabled = models.BooleanField(default=True)
    retention_days = models.PositiveIntegerField(
        default=DEFAULT_RETENTION_DAYS,
        validators=[MinValueValidator(MIN_RETENTION_DAYS), MaxValueValidator(MAX_RETENTION_DAYS)],
        help_text="Days the recorder keeps this camera's segments (evidence holds excepted)",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name",)
        constraints = [
            models.UniqueConstraint(
                fields=("tenant", "name"), name="camera_name_unique_per_tenant"
            ),
            models.CheckConstraint(
                condition=models.Q(retention_days__gte=MIN_RETENTION_DAYS)
                & models.Q(retention_days__lte=MAX_RETENTION_DAYS),
                name="camera_retention_days_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def relay_path(self) -> str:
        """The camera's path on the MediaMTX relay: `{tenant_id}/camera/{camera_id}`."""
        return relay_path(str(self.tenant_id), str(self.id))

"""Cameras, one row per IP camera of a tenant."""

import uuid
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from apps.usuarios.models import Tenant
from vms_common.contracts import relay_path

DEFAULT_RETENTION_DAYS = 30
MIN_RETENTION_DAYS = 1
MAX_RETENTION_DAYS = 3650
MAX_DAILY_BUDGET_USD = Decimal("10000")


class DetectionProvider(models.TextChoices):
    OPENCV = "opencv", "Local (OpenCV)"
    REKOGNITION = "rekognition", "Amazon Rekognition"


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
    source_url = models.CharField(
        max_length=500,
        blank=True,
        help_text="The camera's RTSP address without credentials, pulled by the relay",
    )
    source_username = models.CharField(max_length=200, blank=True)
    source_password_sealed = models.TextField(
        blank=True, help_text="The camera's password, encrypted (infrastructure.camera_credentials)"
    )
    recording_enabled = models.BooleanField(default=True)
    detection_enabled = models.BooleanField(default=True)
    detection_provider = models.CharField(
        max_length=16, choices=DetectionProvider.choices, default=DetectionProvider.OPENCV
    )
    detection_min_confidence = models.FloatField(
        default=0.7, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)]
    )
    detection_daily_budget_usd = models.DecimalField(
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(MAX_DAILY_BUDGET_USD)],
        help_text="Spend per day on paid detection; empty: the detection service's default",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

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
            models.CheckConstraint(
                condition=models.Q(detection_min_confidence__gte=0)
                & models.Q(detection_min_confidence__lte=1),
                name="camera_detection_min_confidence_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def relay_path(self) -> str:
        """The camera's path on the MediaMTX relay: `{tenant_id}/camera/{camera_id}`."""
        return relay_path(str(self.tenant_id), str(self.id))

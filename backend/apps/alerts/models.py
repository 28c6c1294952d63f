"""Alert rules and the alerts they raise, with the delivery of each alert per channel."""

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from apps.cameras.models import Camera
from apps.detections.models import DetectionResult
from apps.usuarios.models import Tenant

MAX_COOLDOWN_S = 7 * 24 * 3600


class AlertRule(models.Model):
    """When to raise an alert on a tenant's detections, and where to send it.

    `zone` is a list of >= 3 `[x, y]` points (fractions of the frame); `schedule` is
    `{"weekdays": [0..6, Monday = 0], "start": "HH:MM", "end": "HH:MM", "timezone": IANA}`.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="alert_rules")
    camera = models.ForeignKey(
        Camera,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alert_rules",
        help_text="Empty: every camera of the tenant",
    )
    name = models.CharField(max_length=200)
    label = models.CharField(max_length=64, help_text='Lower case, e.g. "person"; "face" for faces')
    min_confidence = models.FloatField(validators=[MinValueValidator(0.0), MaxValueValidator(1.0)])
    zone = models.JSONField(null=True, blank=True, help_text="[[x, y], ...] in 0..1, or empty")
    schedule = models.JSONField(null=True, blank=True)
    cooldown_s = models.PositiveIntegerField(
        default=60, validators=[MaxValueValidator(MAX_COOLDOWN_S)]
    )
    enabled = models.BooleanField(default=True)
    webhook_url = models.URLField(max_length=500, blank=True, default="")
    emails = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("name", "id")
        indexes = [
            models.Index(fields=["tenant", "enabled", "label"], name="alert_rule_tenant_label"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_confidence__gte=0) & models.Q(min_confidence__lte=1),
                name="alert_rule_min_confidence_0_1",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DeliveryStatus(models.TextChoices):
    NONE = "none", "No target"
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class Alert(models.Model):
    """A rule fired on a detection. Its delivery targets are copied from the rule then.

    `published_at` stays empty until the broker confirmed the `alert.raised` message; the
    outbox sweeper publishes whatever stays unpublished.
    """

    id = models.BigAutoField(primary_key=True)
    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="alerts")
    rule = models.ForeignKey(
        AlertRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts"
    )
    rule_name = models.CharField(max_length=200)
    camera = models.ForeignKey(Camera, on_delete=models.CASCADE, related_name="alerts")
    detection = models.ForeignKey(DetectionResult, on_delete=models.CASCADE, related_name="alerts")
    label = models.CharField(max_length=64)
    confidence = models.FloatField()
    box = models.JSONField(null=True, blank=True)
    captured_at = models.DateTimeField(help_text="When the detection's frame was captured")
    raised_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    trace_id = models.CharField(max_length=64, blank=True, default="")

    webhook_url = models.URLField(max_length=500, blank=True, default="")
    webhook_status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.NONE
    )
    webhook_attempts = models.PositiveIntegerField(default=0)
    webhook_error = models.TextField(blank=True, default="")
    webhook_delivered_at = models.DateTimeField(null=True, blank=True)

    emails = models.JSONField(default=list, blank=True)
    email_status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.NONE
    )
    email_attempts = models.PositiveIntegerField(default=0)
    email_error = models.TextField(blank=True, default="")
    email_delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("id",)
        indexes = [
            models.Index(fields=["tenant", "id"], name="alert_tenant_id"),
            models.Index(fields=["camera", "id"], name="alert_camera_id"),
            models.Index(
                fields=["rule", "camera", "-captured_at"], name="alert_rule_camera_captured"
            ),
            models.Index(
                fields=["raised_at"],
                name="alert_unpublished",
                condition=models.Q(published_at__isnull=True),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=("rule", "detection"), name="alert_once_per_rule_detection"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_name}: {self.label} {self.camera_id} {self.captured_at.isoformat()}"

"""Export jobs (one clip and its manifest each) and evidence holds on recorded time."""

import uuid

from django.conf import settings
from django.db import models

from apps.cameras.models import Camera
from apps.usuarios.models import Tenant


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ExportJob(models.Model):
    """One asked-for clip of a camera's recordings between `start` and `end`."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="exports")
    camera = models.ForeignKey(Camera, on_delete=models.PROTECT, related_name="exports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exports",
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(
        max_length=16, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    progress = models.FloatField(default=0.0, help_text="0 to 1")
    error = models.TextField(blank=True, default="")
    warning = models.TextField(
        blank=True,
        default="",
        help_text="Something the investigator should know, e.g. a hold not yet pushed",
    )
    sha256 = models.CharField(max_length=64, blank=True, default="", help_text="Of the clip")
    size_bytes = models.BigIntegerField(null=True, blank=True, help_text="Of the clip")
    clip_path = models.CharField(
        max_length=512, blank=True, default="", help_text="Relative to EXPORTS_ROOT"
    )
    manifest_path = models.CharField(
        max_length=512, blank=True, default="", help_text="Relative to EXPORTS_ROOT"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=("tenant", "-created_at"), name="export_tenant_created")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="export_ends_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(progress__gte=0) & models.Q(progress__lte=1),
                name="export_progress_0_to_1",
            ),
        ]

    def __str__(self) -> str:
        return f"export {self.id} ({self.status})"


class EvidenceHold(models.Model):
    """Recorded time of a camera that cleanup must not delete until the hold is released.

    PostgreSQL is the source of truth: every policy push sends the camera's active holds
    to the recorder again, so a push that failed is made good by the next one.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="evidence_holds")
    camera = models.ForeignKey(Camera, on_delete=models.PROTECT, related_name="evidence_holds")
    start = models.DateTimeField()
    end = models.DateTimeField()
    reason = models.CharField(max_length=500)
    export = models.OneToOneField(
        ExportJob, on_delete=models.PROTECT, null=True, blank=True, related_name="hold"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence_holds",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(null=True, blank=True)
    pushed_at = models.DateTimeField(
        null=True, blank=True, help_text="Last time the recorder took a policy holding it"
    )

    class Meta:
        ordering = ("camera", "start")
        indexes = [models.Index(fields=("camera", "released_at"), name="hold_camera_released")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="hold_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"hold {self.camera_id} {self.start:%Y-%m-%dT%H:%M:%SZ}..{self.end:%H:%M:%SZ}"

    @property
    def active(self) -> bool:
        return self.released_at is None

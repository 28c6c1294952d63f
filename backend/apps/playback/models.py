"""Recordings: one row per segment file the recorder closed and verified."""

from django.db import models

from apps.cameras.models import Camera
from apps.usuarios.models import Tenant
from domain.playback.recording import SegmentStatus


class RecordingStatus(models.TextChoices):
    OK = SegmentStatus.OK.value, "OK"
    CORRUPT = SegmentStatus.CORRUPT.value, "Corrupt"


class Recording(models.Model):
    id = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="recordings")
    camera = models.ForeignKey(Camera, on_delete=models.PROTECT, related_name="recordings")
    event_id = models.UUIDField(unique=True, help_text="The SegmentCompleted event it came from")
    start = models.DateTimeField()
    end = models.DateTimeField()
    duration_s = models.FloatField()
    path = models.CharField(max_length=512, help_text="Relative to RECORDINGS_ROOT")
    size_bytes = models.BigIntegerField()
    codec = models.CharField(max_length=32)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    status = models.CharField(
        max_length=16, choices=RecordingStatus.choices, default=RecordingStatus.OK
    )
    tier = models.CharField(max_length=16, default="local")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("camera", "start")
        indexes = [models.Index(fields=("camera", "start"), name="recording_camera_start")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="recording_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.camera_id} {self.start:%Y-%m-%dT%H:%M:%SZ}"

"""Recordings: one row per segment file the recorder closed, verified or found corrupt."""

from django.contrib.postgres.indexes import HashIndex
from django.db import models

from apps.cameras.models import Camera
from apps.usuarios.models import Tenant
from domain.playback.recording import SegmentStatus, StorageTier


class RecordingStatus(models.TextChoices):
    OK = SegmentStatus.OK.value, "OK"
    CORRUPT = SegmentStatus.CORRUPT.value, "Corrupt"


class RecordingTier(models.TextChoices):
    LOCAL = StorageTier.LOCAL.value, "Local disk"
    S3 = StorageTier.S3.value, "S3"


class Recording(models.Model):
    id = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="recordings")
    # Indexed by the (camera, start) and (camera, path) indexes below, not on its own.
    camera = models.ForeignKey(
        Camera, on_delete=models.PROTECT, related_name="recordings", db_index=False
    )
    event_id = models.UUIDField(
        unique=True, help_text="The SegmentCompleted or SegmentCorrupt event it came from"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    duration_s = models.FloatField()
    path = models.CharField(max_length=512, help_text="Relative to RECORDINGS_ROOT")
    size_bytes = models.BigIntegerField()
    init_size_bytes = models.PositiveIntegerField(
        null=True, blank=True, help_text="Bytes of the init section (ftyp + moov) at offset 0"
    )
    codec = models.CharField(max_length=32, blank=True)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    status = models.CharField(
        max_length=16, choices=RecordingStatus.choices, default=RecordingStatus.OK
    )
    status_reason = models.CharField(
        max_length=1000, blank=True, default="", help_text="Why it is corrupt"
    )
    tier = models.CharField(
        max_length=16, choices=RecordingTier.choices, default=RecordingTier.LOCAL
    )
    location = models.CharField(
        max_length=1024, blank=True, default="", help_text="s3://bucket/key once tiered"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("camera", "start")
        indexes = [
            # The range query reads (camera, start) in order and filters on `end` and
            # `tenant` inside the index; deleted and tiered segments are found by path.
            models.Index(
                fields=("camera", "start"),
                include=("end", "status", "tenant"),
                name="recording_camera_start_incl",
            ),
            # A hash index: a tenth of the size of a B-tree over long paths.
            HashIndex(fields=("path",), name="recording_path_hash"),
        ]
        constraints = [
            # A corrupt segment may have no length when the recorder knew nothing of it.
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start"))
                | models.Q(status=RecordingStatus.CORRUPT, end__gte=models.F("start")),
                name="recording_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.camera_id} {self.start:%Y-%m-%dT%H:%M:%SZ}"

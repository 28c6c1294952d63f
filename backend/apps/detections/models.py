"""Detection results: one row per analysed frame, as the detection service published it."""

from django.db import models

from apps.cameras.models import Camera
from apps.usuarios.models import Tenant


class DetectionResult(models.Model):
    id = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="detection_results")
    # Indexed by the (camera, captured_at) index below, not on its own.
    camera = models.ForeignKey(
        Camera, on_delete=models.PROTECT, related_name="detection_results", db_index=False
    )
    event_id = models.UUIDField(unique=True, help_text="The DetectionResult event it came from")
    captured_at = models.DateTimeField(help_text="When the camera captured the frame")
    processed_at = models.DateTimeField(help_text="When the provider answered")
    provider = models.CharField(max_length=32)
    labels = models.JSONField(default=list, help_text="[{name, confidence, box}]")
    faces = models.JSONField(default=list, help_text="[{confidence, box}]")
    cost_usd = models.DecimalField(max_digits=12, decimal_places=6, default=0)
    trace_id = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "detection_results"
        ordering = ("camera", "captured_at")
        indexes = [
            models.Index(fields=["camera", "captured_at"], name="detection_camera_captured"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.camera_id} {self.captured_at.isoformat()}"

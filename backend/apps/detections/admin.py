from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.detections.models import DetectionResult


@admin.register(DetectionResult)
class DetectionResultAdmin(admin.ModelAdmin):
    """Read-only: results come from the detection service, never from a form."""

    list_display = ("camera", "captured_at", "provider", "cost_usd")
    list_filter = ("tenant", "provider")
    date_hierarchy = "captured_at"
    list_select_related = ("camera",)
    readonly_fields = [field.name for field in DetectionResult._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

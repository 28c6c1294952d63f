"""Exports and holds are read here; they change only through the API (audited)."""

from django.contrib import admin

from apps.evidence.models import EvidenceHold, ExportJob


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "camera",
        "start",
        "end",
        "status",
        "progress",
        "created_by",
        "created_at",
    )
    list_filter = ("tenant", "status")
    list_select_related = ("camera", "created_by")
    readonly_fields = [field.name for field in ExportJob._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(EvidenceHold)
class EvidenceHoldAdmin(admin.ModelAdmin):
    list_display = ("camera", "start", "end", "reason", "created_by", "released_at", "pushed_at")
    list_filter = ("tenant", "released_at")
    list_select_related = ("camera", "created_by")
    readonly_fields = [field.name for field in EvidenceHold._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False

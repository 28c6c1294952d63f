from django.contrib import admin

from apps.cameras.models import Camera


@admin.register(Camera)
class CameraAdmin(admin.ModelAdmin):
    list_display = ("name", "tenant", "enabled", "id", "created_at")
    list_filter = ("tenant", "enabled")
    search_fields = ("name",)
    readonly_fields = ("id", "created_at", "relay_path")

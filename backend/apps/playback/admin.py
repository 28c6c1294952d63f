from django.contrib import admin

from apps.playback.models import Recording


@admin.register(Recording)
class RecordingAdmin(admin.ModelAdmin):
    list_display = ("camera", "start", "end", "status", "tier", "size_bytes")
    list_filter = ("tenant", "status", "tier")
    date_hierarchy = "start"
    list_select_related = ("camera",)
    readonly_fields = [field.name for field in Recording._meta.fields]

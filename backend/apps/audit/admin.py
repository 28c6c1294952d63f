from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is written by the product, never edited by hand."""

    list_display = ("at", "tenant", "user", "action", "target_type", "target_id", "status", "ip")
    list_filter = ("tenant", "action", "target_type", "method")
    search_fields = ("target_id", "action", "path", "trace_id")
    date_hierarchy = "at"
    list_select_related = ("tenant", "user")
    readonly_fields = [field.name for field in AuditEntry._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

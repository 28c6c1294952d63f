from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.alerts.models import Alert, AlertRule


@admin.register(AlertRule)
class AlertRuleAdmin(admin.ModelAdmin):
    """Rules are edited through the API (validated and audited); the admin only shows them."""

    list_display = ("name", "tenant", "camera", "label", "min_confidence", "enabled")
    list_filter = ("tenant", "enabled", "label")
    search_fields = ("name", "label")
    list_select_related = ("tenant", "camera")
    readonly_fields = [field.name for field in AlertRule._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    """Read-only: alerts are raised by the rules, never by a form."""

    list_display = (
        "raised_at", "rule_name", "camera", "label", "confidence", "published_at",
        "webhook_status", "email_status",
    )  # fmt: skip
    list_filter = ("tenant", "webhook_status", "email_status")
    date_hierarchy = "raised_at"
    list_select_related = ("camera",)
    readonly_fields = [field.name for field in Alert._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

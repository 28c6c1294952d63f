from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The audit log: who did what to which evidence or setting, and when."""

    name = "apps.audit"
    label = "audit"

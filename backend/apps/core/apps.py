from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Cross-cutting parts: errors, health, frontend serving, demo data."""

    name = "apps.core"
    label = "core"

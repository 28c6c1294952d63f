from django.apps import AppConfig


class CamerasConfig(AppConfig):
    """The camera registry of each tenant."""

    name = "apps.cameras"
    label = "cameras"

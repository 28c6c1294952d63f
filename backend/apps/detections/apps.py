from django.apps import AppConfig


class DetectionsConfig(AppConfig):
    """What detection providers found in camera frames, stored once per event."""

    name = "apps.detections"
    label = "detections"

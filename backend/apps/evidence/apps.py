from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    """Evidence: exported clips with their manifests, and holds that keep source segments."""

    name = "apps.evidence"
    label = "evidence"

from django.apps import AppConfig


class AlertsConfig(AppConfig):
    """Alert rules per tenant and camera, the alerts they raise and their delivery."""

    name = "apps.alerts"
    label = "alerts"

    def ready(self) -> None:
        from apps.alerts.receivers import alerts_on_detections_stored
        from apps.detections.models import DetectionResult
        from apps.detections.signals import detections_stored

        detections_stored.connect(
            alerts_on_detections_stored,
            sender=DetectionResult,
            dispatch_uid="alerts.raise_on_detections_stored",
        )

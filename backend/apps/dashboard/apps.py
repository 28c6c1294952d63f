from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The dashboard's live feed: detections pushed over WebSocket once they are stored."""

    name = "apps.dashboard"
    label = "dashboard"

    def ready(self) -> None:
        from apps.dashboard import log_redaction
        from apps.detections.signals import detections_stored
        from infrastructure.messaging.websocket import on_detections_stored

        detections_stored.connect(on_detections_stored, dispatch_uid="dashboard.websocket_push")
        log_redaction.install()

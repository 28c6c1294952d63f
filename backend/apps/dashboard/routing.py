"""WebSocket URLs."""

from django.urls import re_path

from apps.dashboard.consumers import DetectionsConsumer

websocket_urlpatterns = [
    re_path(r"^ws/detections/?$", DetectionsConsumer.as_asgi()),
]

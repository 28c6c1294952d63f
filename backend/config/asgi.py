"""The ASGI application (`uvicorn config.asgi:application`): HTTP and the WebSockets.

MediaMTX asks `POST /api/auth/validate-stream` for every reader, so that one path is
answered before Django's request machinery (`apps.streams.asgi`), with the same checks."""

import os

from channels.routing import ProtocolTypeRouter, URLRouter
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

django_application = get_asgi_application()

# Imported once Django is set up: the consumers use the models.
from apps.dashboard.routing import websocket_urlpatterns  # noqa: E402
from apps.streams.asgi import with_stream_validation  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": with_stream_validation(django_application),
        "websocket": URLRouter(websocket_urlpatterns),
    }
)

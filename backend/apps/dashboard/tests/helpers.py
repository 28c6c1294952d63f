"""Detections stored the way the detection consumer stores them, and channel layer settings
of a test's own on the real Redis (`REDIS_URL`)."""

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote, urlparse

from asgiref.testing import ApplicationCommunicator
from django.db import transaction

from apps.cameras.models import Camera
from apps.detections.models import DetectionResult
from apps.detections.signals import detections_stored

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def detection_row(camera: Camera, captured_at: datetime = T0, **overrides: Any) -> DetectionResult:
    fields: dict[str, Any] = {
        "tenant_id": camera.tenant_id,
        "camera": camera,
        "event_id": uuid.uuid4(),
        "captured_at": captured_at,
        "processed_at": captured_at + timedelta(milliseconds=250),
        "provider": "local",
        "labels": [
            {
                "name": "person",
                "confidence": 0.91,
                "box": {"left": 0.1, "top": 0.2, "width": 0.3, "height": 0.6},
            }
        ],
        "faces": [],
        "trace_id": f"trace-{uuid.uuid4().hex[:8]}",
    }
    fields.update(overrides)
    return DetectionResult.objects.create(**fields)


def store_detections(camera: Camera, count: int = 1, **overrides: Any) -> list[DetectionResult]:
    """Store rows and send `detections_stored` inside the storing transaction, as the
    detection consumer does; the push happens when the transaction commits."""
    with transaction.atomic():
        rows = [
            detection_row(camera, T0 + timedelta(seconds=index), **overrides)
            for index in range(count)
        ]
        detections_stored.send(sender=DetectionResult, detections=rows)
    return rows


def own_channel_layer(settings: Any) -> str:
    """The Redis channel layer with a prefix of the test's own, so that runs side by side
    never see each other's groups. Returns the prefix."""
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [settings.REDIS_URL], "prefix": prefix},
        }
    }
    return prefix


class SocketClient(ApplicationCommunicator):  # type: ignore[misc]
    """A WebSocket client of an ASGI application, in process.

    `channels.testing.WebsocketCommunicator` does the same but its package needs daphne,
    which the backend does not run on; this is its subset the tests use.
    """

    def __init__(self, application: Any, path: str) -> None:
        parsed = urlparse(path)
        scope = {
            "type": "websocket",
            "path": unquote(parsed.path),
            "query_string": parsed.query.encode(),
            "headers": [],
            "subprotocols": [],
        }
        super().__init__(application, scope)

    async def connect(self, timeout: float) -> tuple[bool, Any]:
        """(True, subprotocol) when accepted, (False, close code) when refused."""
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(timeout)
        if response["type"] == "websocket.close":
            return False, response.get("code", 1000)
        assert response["type"] == "websocket.accept"
        return True, response.get("subprotocol")

    async def send_to(self, text_data: str) -> None:
        await self.send_input({"type": "websocket.receive", "text": text_data})

    async def send_json_to(self, data: Any) -> None:
        await self.send_to(json.dumps(data))

    async def receive_json_from(self, timeout: float) -> Any:
        response = await self.receive_output(timeout)
        assert response["type"] == "websocket.send", response
        return json.loads(response["text"])

    async def disconnect(self, timeout: float = 5) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.wait(timeout)

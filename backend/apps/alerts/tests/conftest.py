"""Alert rules, stored detections and the `detections_stored` signal as the consumer sends it."""

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pika
import pytest
from conftest import TEST_BROKER_URL
from django.db import transaction

from apps.alerts.models import AlertRule
from apps.cameras.models import Camera
from apps.detections.models import DetectionResult
from apps.detections.signals import detections_stored
from apps.usuarios.models import Role
from vms_common.settings import DEFAULT_DEFINITIONS
from vms_common.topology import declare_topology, load_topology

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday
ALERTS_QUEUE = "alerts.notifications"


def a_rule(camera: Camera | None = None, *, tenant: Any = None, **fields: Any) -> AlertRule:
    values: dict[str, Any] = {
        "tenant": tenant if tenant is not None else camera.tenant,  # type: ignore[union-attr]
        "camera": camera,
        "name": "Person at the door",
        "label": "person",
        "min_confidence": 0.5,
        "cooldown_s": 60,
    }
    return AlertRule.objects.create(**{**values, **fields})


def a_detection(camera: Camera, seconds: float = 0, **fields: Any) -> DetectionResult:
    """A stored detection result (a row, as the detection consumer stores it)."""
    captured = T0 + timedelta(seconds=seconds)
    values: dict[str, Any] = {
        "tenant_id": camera.tenant_id,
        "camera": camera,
        "event_id": uuid.uuid4(),
        "captured_at": captured,
        "processed_at": captured + timedelta(milliseconds=200),
        "provider": "opencv",
        "labels": [
            {
                "name": "person",
                "confidence": 0.9,
                "box": {"left": 0.1, "top": 0.1, "width": 0.2, "height": 0.4},
            }
        ],
        "faces": [],
        "trace_id": "trace-" + uuid.uuid4().hex[:8],
    }
    return DetectionResult.objects.create(**{**values, **fields})


def store(*detections: DetectionResult) -> None:
    """Send `detections_stored` the way the detection consumer does: inside its transaction."""
    with transaction.atomic():
        detections_stored.send(sender=DetectionResult, detections=list(detections))


@pytest.fixture
def admin(make_user: Callable[..., Any], tenant: Any) -> Any:
    return make_user(tenant, username="admin", role=Role.ADMIN)


@pytest.fixture
def admin_client(client_for: Callable[..., Any], admin: Any) -> Any:
    return client_for(admin)


@pytest.fixture
def amqp() -> Iterator[Any]:
    """A channel on the test vhost with the topology declared and `alerts.notifications` purged."""
    connection = pika.BlockingConnection(pika.URLParameters(TEST_BROKER_URL))
    try:
        channel = connection.channel()
        declare_topology(channel, load_topology(DEFAULT_DEFINITIONS))
        channel.queue_purge(ALERTS_QUEUE)
        yield channel
    finally:
        connection.close()


def queued_messages(channel: Any, queue: str = ALERTS_QUEUE) -> list[tuple[Any, bytes]]:
    """Everything waiting in `queue` (taken off it)."""
    messages = []
    while True:
        method, properties, body = channel.basic_get(queue, auto_ack=True)
        if method is None:
            return messages
        messages.append((properties, body))

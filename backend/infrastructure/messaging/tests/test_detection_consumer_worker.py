"""End to end: a real `celery -A config worker` consuming `detections.processing`.

The worker (the segment worker test's fixture: one process with both consumer steps)
runs against the test database and the test vhost; the tests publish with vms_common's
Publisher, as the detection service does, and watch rows appear and poison messages land
in `detections.dlq`.
"""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pika
import pytest
from conftest import TEST_BROKER_URL

from apps.cameras.services import camera_create
from apps.detections.models import DetectionResult as StoredDetection
from apps.usuarios.services import tenant_create
from infrastructure.messaging.tests.test_segment_consumer_worker import (
    wait_for,
    worker,  # noqa: F401 (the module-scoped worker fixture)
)
from vms_common.contracts import DetectionResult, Label
from vms_common.publisher import Publisher
from vms_common.settings import DEFAULT_DEFINITIONS
from vms_common.topology import declare_topology, load_topology

pytestmark = pytest.mark.django_db(transaction=True)

QUEUE = "detections.processing"
DEAD_LETTER_QUEUE = "detections.dlq"
T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@pytest.fixture
def channel(worker: Path) -> Iterator[Any]:  # noqa: F811
    """A channel on the test vhost, topology declared, detection queues purged."""
    wait_for(
        lambda: b"consuming detection results" in worker.read_bytes(),
        "the worker to consume detection results",
        worker,
    )
    connection = pika.BlockingConnection(pika.URLParameters(TEST_BROKER_URL))
    try:
        amqp = connection.channel()
        declare_topology(amqp, load_topology(DEFAULT_DEFINITIONS))
        amqp.queue_purge(QUEUE)
        amqp.queue_purge(DEAD_LETTER_QUEUE)
        yield amqp
    finally:
        connection.close()


@pytest.fixture
def publisher() -> Iterator[Publisher]:
    publisher = Publisher(TEST_BROKER_URL, DEFAULT_DEFINITIONS, "detections")
    try:
        yield publisher
    finally:
        publisher.close()


def a_detection(camera: Any, seconds: int, **overrides: Any) -> DetectionResult:
    fields: dict[str, Any] = {
        "tenant_id": str(camera.tenant_id),
        "camera_id": str(camera.id),
        "captured_at": T0 + timedelta(seconds=seconds),
        "processed_at": T0 + timedelta(seconds=seconds, milliseconds=200),
        "provider": "opencv",
        "labels": (Label(name="person", confidence=0.7),),
    }
    return DetectionResult(**{**fields, **overrides})


def dead_letters(amqp: Any, expected: int, log_path: Path) -> list[tuple[Any, bytes]]:
    received: list[tuple[Any, bytes]] = []

    def more() -> bool:
        method, properties, body = amqp.basic_get(DEAD_LETTER_QUEUE, auto_ack=True)
        if method is not None:
            received.append((properties, body))
        return len(received) >= expected

    wait_for(more, f"{expected} dead letters", log_path)
    return received


def test_published_results_are_stored_once_each_even_when_redelivered(
    worker,  # noqa: F811
    channel,
    publisher,
):
    camera = camera_create(tenant=tenant_create(name="Acme"), name="Gate")
    first, second = a_detection(camera, 0), a_detection(camera, 1, labels=())
    sentinel = a_detection(camera, 2)

    for event in (first, first, second, second, sentinel):
        publisher.publish(event)

    wait_for(
        lambda: StoredDetection.objects.filter(event_id=sentinel.event_id).exists(),
        "the result published last",
        worker,
    )
    stored = StoredDetection.objects.order_by("captured_at")
    assert [r.event_id for r in stored] == [first.event_id, second.event_id, sentinel.event_id]
    assert all(r.camera_id == camera.id and r.tenant_id == camera.tenant_id for r in stored)
    assert stored[0].labels == [{"name": "person", "confidence": 0.7, "box": None}]


def test_poison_messages_are_dead_lettered_and_the_worker_keeps_consuming(
    worker,  # noqa: F811
    channel,
    publisher,
):
    camera = camera_create(tenant=tenant_create(name="Acme"), name="Gate")
    unknown = a_detection(camera, 0, camera_id=str(uuid.uuid4()))
    valid = a_detection(camera, 1)
    route = f"{camera.tenant_id}.{camera.id}.person"

    channel.basic_publish(
        exchange="detections",
        routing_key=route,
        body=b'{"schema_version": 1, "tenant_id": ',
        properties=pika.BasicProperties(
            content_type="application/json",
            delivery_mode=2,
            type="detection.result",
            headers={"trace_id": "broken-1"},
        ),
    )
    channel.basic_publish(
        exchange="detections",
        routing_key=route,
        body=valid.model_dump_json().encode(),
        properties=pika.BasicProperties(
            content_type="application/json", delivery_mode=2, headers={"trace_id": "untyped-1"}
        ),
    )
    publisher.publish(unknown)
    publisher.publish(valid)

    wait_for(
        lambda: StoredDetection.objects.filter(event_id=valid.event_id).exists(),
        "the valid result published after the poison",
        worker,
    )
    letters = dead_letters(channel, 3, worker)
    by_trace = {properties.headers["trace_id"]: (properties, body) for properties, body in letters}

    malformed_props, malformed_body = by_trace["broken-1"]
    assert malformed_body == b'{"schema_version": 1, "tenant_id": '
    assert "malformed JSON" in malformed_props.headers["x-vms-error"]
    assert malformed_props.headers["x-vms-original-exchange"] == "detections"

    untyped_props, _ = by_trace["untyped-1"]
    assert untyped_props.headers["x-vms-error-code"] == "contract_error"
    assert untyped_props.headers["x-vms-original-routing-key"] == route

    unknown_props, unknown_body = by_trace[unknown.trace_id]
    assert unknown_props.headers["x-vms-error"].startswith("unknown_camera:")
    assert DetectionResult.model_validate_json(unknown_body) == unknown
    assert StoredDetection.objects.count() == 1

"""End to end: a published or stored detection raises an alert, which a real `celery -A config worker`
delivers to a webhook served by the test; a poison message lands in `alerts.dlq`.

The worker is the segment worker test's fixture (one process with every consumer step),
on the test database and the test vhost; its alert outbox is swept every second here
and its webhook timeout is 60 s.
A broker outage at commit time is a broker URL on which nothing listens.
"""

import json
import os
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pika
import pytest
from conftest import TEST_BROKER_URL

from apps.alerts.models import Alert, DeliveryStatus
from apps.alerts.tests.conftest import a_detection, a_rule, store
from apps.cameras.services import camera_create
from apps.detections.models import DetectionResult as StoredDetection
from apps.usuarios.services import tenant_create
from infrastructure.messaging.tests.test_segment_consumer_worker import (
    wait_for,
    worker,  # noqa: F401 (the module-scoped worker fixture)
)
from infrastructure.notifications.tests.webhook_server import webhook_server
from infrastructure.notifications.webhook import webhook_signature
from vms_common.contracts import Box, DetectionResult, Label
from vms_common.publisher import Publisher
from vms_common.settings import DEFAULT_DEFINITIONS
from vms_common.topology import declare_topology, load_topology

pytestmark = pytest.mark.django_db(transaction=True)

ALERTS_QUEUE = "alerts.notifications"
DEAD_LETTER_QUEUE = "alerts.dlq"
BROKER_DOWN = "amqp://guest:guest@127.0.0.1:9/vms_down"
WORKER_ENV = {
    "ALERT_OUTBOX_INTERVAL_S": "1",
    "ALERT_OUTBOX_AFTER_S": "1",
    # Longer than any wait here: a webhook held by the test stays pending meanwhile.
    "ALERT_WEBHOOK_TIMEOUT_S": "60",
    "ALERT_WEBHOOK_ALLOW_PRIVATE": "true",  # the webhook servers are on 127.0.0.1
}


@pytest.fixture(scope="module", autouse=True)
def _worker_env() -> Iterator[None]:
    """The worker (started after this, in the same scope) sweeps its outbox every second."""
    saved = {name: os.environ.get(name) for name in WORKER_ENV}
    os.environ.update(WORKER_ENV)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture
def channel(worker: Path) -> Iterator[Any]:  # noqa: F811
    wait_for(
        lambda: b"consuming alert notifications" in worker.read_bytes(),
        "the worker to consume alert notifications",
        worker,
    )
    connection = pika.BlockingConnection(pika.URLParameters(TEST_BROKER_URL))
    try:
        amqp = connection.channel()
        declare_topology(amqp, load_topology(DEFAULT_DEFINITIONS))
        amqp.queue_purge(ALERTS_QUEUE)
        amqp.queue_purge(DEAD_LETTER_QUEUE)
        yield amqp
    finally:
        connection.close()


def test_an_alert_is_delivered_to_its_webhook_after_a_503(worker, channel, settings):  # noqa: F811
    camera = camera_create(tenant=tenant_create(name="Acme"), name="Gate")
    with webhook_server(503, 200) as server:
        a_rule(camera, webhook_url=server.url)

        store(a_detection(camera))

        alert = Alert.objects.get()
        assert alert.published_at is not None
        wait_for(
            lambda: Alert.objects.filter(
                pk=alert.pk, webhook_status=DeliveryStatus.DELIVERED
            ).exists(),
            "the webhook delivery",
            worker,
        )
    alert.refresh_from_db()
    assert alert.webhook_attempts == 2
    first, second = server.received
    assert first.body == second.body
    assert second.headers["X-VMS-Signature"] == webhook_signature(
        settings.ALERT_WEBHOOK_SECRET, second.body
    )


def test_a_poison_message_is_dead_lettered_and_the_worker_keeps_delivering(
    worker,  # noqa: F811
    channel,
):
    camera = camera_create(tenant=tenant_create(name="Acme"), name="Gate")
    channel.basic_publish(
        exchange="alerts",
        routing_key="alert.raised",
        body=b'{"schema_version": 1, "event_id": ',
        properties=pika.BasicProperties(
            content_type="application/json",
            delivery_mode=2,
            type="alert.raised",
            headers={"trace_id": "poison-1"},
        ),
    )
    with webhook_server(400) as server:
        a_rule(camera, webhook_url=server.url)
        store(a_detection(camera))
        alert = Alert.objects.get()
        wait_for(
            lambda: Alert.objects.filter(
                pk=alert.pk, webhook_status=DeliveryStatus.FAILED
            ).exists(),
            "the webhook's final answer",
            worker,
        )

    assert len(server.received) == 1  # a 400 is not retried
    letters = []

    def dead_letter() -> bool:
        method, properties, body = channel.basic_get(DEAD_LETTER_QUEUE, auto_ack=True)
        if method is not None:
            letters.append((properties, body))
        return bool(letters)

    wait_for(dead_letter, "the poison message in alerts.dlq", worker)
    [(properties, body)] = letters
    assert body == b'{"schema_version": 1, "event_id": '
    assert "malformed JSON" in properties.headers["x-vms-error"]
    assert properties.headers["x-vms-original-exchange"] == "alerts"


def test_an_alert_committed_while_the_broker_was_down_is_published_by_the_worker_sweep(
    worker,  # noqa: F811
    channel,
    settings,
):
    camera = camera_create(tenant=tenant_create(name="Acme"), name="Gate")
    with webhook_server(200) as server:
        a_rule(camera, webhook_url=server.url)
        settings.RABBITMQ_URL = BROKER_DOWN

        store(a_detection(camera))

        alert = Alert.objects.get()
        assert alert.published_at is None
        wait_for(
            lambda: Alert.objects.filter(
                pk=alert.pk, webhook_status=DeliveryStatus.DELIVERED
            ).exists(),
            "the swept alert's delivery",
            worker,
        )
    alert.refresh_from_db()
    assert alert.published_at is not None
    assert len(server.received) == 1


def test_a_published_detection_ends_as_a_webhook_call(worker, channel):  # noqa: F811
    camera = camera_create(tenant=tenant_create(name="Acme"), name="Gate")
    publisher = Publisher(TEST_BROKER_URL, DEFAULT_DEFINITIONS, "detections")
    captured = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    event = DetectionResult(
        tenant_id=str(camera.tenant_id),
        camera_id=str(camera.id),
        captured_at=captured,
        processed_at=captured + timedelta(milliseconds=300),
        provider="opencv",
        labels=(
            Label(name="person", confidence=0.8, box=Box(left=0.1, top=0.1, width=0.2, height=0.2)),
        ),
    )
    with webhook_server(200) as server:
        rule = a_rule(camera, webhook_url=server.url)
        try:
            publisher.publish(event)
        finally:
            publisher.close()

        wait_for(lambda: server.received, "the webhook call", worker)
    [request] = server.received
    body = json.loads(request.body)
    assert (body["rule_id"], body["camera_id"], body["label"]) == (
        str(rule.id), str(camera.id), "person",
    )  # fmt: skip
    assert body["captured_at"] == "2026-11-25T12:00:00Z"
    alert = Alert.objects.get()
    assert alert.detection.event_id == event.event_id
    assert str(alert.event_id) == body["event_id"]


def test_a_slow_webhook_does_not_hold_up_the_detections_the_worker_stores(
    worker,  # noqa: F811
    channel,
):
    camera = camera_create(tenant=tenant_create(name="Acme"), name="Gate")
    release = threading.Event()
    with webhook_server(200, hold=release) as server:
        a_rule(camera, webhook_url=server.url)
        store(a_detection(camera))
        wait_for(lambda: server.received, "the webhook call to start", worker)

        later = DetectionResult(
            tenant_id=str(camera.tenant_id),
            camera_id=str(camera.id),
            captured_at=datetime(2026, 11, 25, 12, 0, 5, tzinfo=UTC),
            processed_at=datetime(2026, 11, 25, 12, 0, 6, tzinfo=UTC),
            provider="opencv",
            event_id=uuid.uuid4(),
        )
        publisher = Publisher(TEST_BROKER_URL, DEFAULT_DEFINITIONS, "detections")
        try:
            publisher.publish(later)
        finally:
            publisher.close()
        wait_for(
            lambda: StoredDetection.objects.filter(event_id=later.event_id).exists(),
            "the detection published while the webhook was still answering",
            worker,
        )
        assert Alert.objects.get().webhook_status == DeliveryStatus.PENDING
        release.set()
        wait_for(
            lambda: Alert.objects.filter(webhook_status=DeliveryStatus.DELIVERED).exists(),
            "the held webhook call to finish",
            worker,
        )

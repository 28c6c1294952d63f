"""Detection events against the real RabbitMQ (vhost vms_test) and PostgreSQL.

A RabbitMQ restart (`rabbitmqctl stop_app` / `start_app`, the node of this machine) in the
  middle of a stream of 1,000 events consumed by a real `celery -A config worker`: every
  event is stored, none twice, none dead-lettered. The producer publishes with confirms and
  publishes again what the broker did not confirm, as the detection service does.
"""

import contextlib
import subprocess
import threading
import time
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
from infrastructure.messaging.celery_consumer import (
    QUEUE,
    retry_queues,
)
from infrastructure.messaging.tests.test_segment_consumer_worker import (
    wait_for,
    worker,  # noqa: F401 (the module-scoped worker fixture)
)
from vms_common.contracts import DetectionResult, Label
from vms_common.publisher import Publisher, PublishError
from vms_common.settings import DEFAULT_DEFINITIONS
from vms_common.topology import declare_topology, load_topology

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
TOPOLOGY = load_topology(DEFAULT_DEFINITIONS)


def an_event(tenant_id: str, camera_id: str, second: int) -> DetectionResult:
    return DetectionResult(
        tenant_id=tenant_id,
        camera_id=camera_id,
        captured_at=T0 + timedelta(seconds=second),
        processed_at=T0 + timedelta(seconds=second, milliseconds=150),
        provider="opencv",
        labels=(Label(name="person", confidence=0.9),),
    )


@pytest.fixture
def amqp() -> Iterator[Any]:
    connection = pika.BlockingConnection(pika.URLParameters(TEST_BROKER_URL))
    try:
        channel = connection.channel()
        declare_topology(channel, TOPOLOGY)
        for queue in (QUEUE, "detections.dlq", *retry_queues(TOPOLOGY, QUEUE)):
            channel.queue_purge(queue)
        yield channel
    finally:
        with contextlib.suppress(pika.exceptions.AMQPError, OSError):
            connection.close()


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=120)


@pytest.mark.django_db(transaction=True)
def test_no_event_is_lost_or_stored_twice_when_rabbitmq_restarts(
    worker: Path,  # noqa: F811
    amqp,
) -> None:
    camera = camera_create(tenant=tenant_create(name="Acme"), name="Gate")
    events = [an_event(str(camera.tenant_id), str(camera.id), i) for i in range(1000)]
    published = 0
    failures = 0

    def produce() -> None:
        nonlocal published, failures
        publisher = Publisher(TEST_BROKER_URL, DEFAULT_DEFINITIONS, "detections")
        deadline = time.monotonic() + 120
        try:
            for event in events:
                while True:  # publish again until the broker confirms it
                    assert time.monotonic() < deadline, "the broker never came back"
                    try:
                        publisher.publish(event)
                        break
                    except PublishError:
                        failures += 1
                        time.sleep(0.2)
                published += 1
                time.sleep(0.002)
        finally:
            publisher.close()

    producer = threading.Thread(target=produce, daemon=True)
    producer.start()
    wait_for(lambda: published >= 300, "300 events published", worker)
    rabbitmqctl("stop_app")
    try:
        time.sleep(2)
    finally:
        rabbitmqctl("start_app")
        rabbitmqctl("await_startup")
    producer.join(150)
    assert published == 1000
    assert failures > 0  # the restart really happened under the producer

    wait_for(
        lambda: StoredDetection.objects.filter(camera=camera).count() >= 1000,
        "the 1,000 events to be stored",
        worker,
        timeout_s=120,
    )
    stored = list(StoredDetection.objects.filter(camera=camera).values_list("event_id", flat=True))
    assert sorted(stored) == sorted(e.event_id for e in events)  # each once: event_id is unique
    connection = pika.BlockingConnection(pika.URLParameters(TEST_BROKER_URL))
    try:
        channel = connection.channel()
        ours = f"{camera.tenant_id}.{camera.id}."
        dead_of_ours = 0
        while True:  # other tests' leftovers may be there too: count only this camera's
            method, _, _ = channel.basic_get("detections.dlq", auto_ack=True)
            if method is None:
                break
            dead_of_ours += method.routing_key.startswith(ours)
        assert dead_of_ours == 0
    finally:
        connection.close()

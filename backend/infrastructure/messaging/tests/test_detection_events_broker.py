"""Detection events against the real RabbitMQ (vhost vms_test) and PostgreSQL.

- The retry queues of the topology: a message sent to retry comes back to
  `detections.processing` 1, then 2, then 4 seconds later, with its retry count.
- A RabbitMQ restart (`rabbitmqctl stop_app` / `start_app`, the node of this machine) in the
  middle of a stream of 1,000 events consumed by a real `celery -A config worker`: every
  event is stored, none twice, none dead-lettered. The producer publishes with confirms and
  publishes again what the broker did not confirm, as the detection service does.
"""

import contextlib
import subprocess
import threading
import time
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
from infrastructure.messaging.celery_consumer import (
    QUEUE,
    RETRIES_HEADER,
    Delivery,
    DetectionEventsHandler,
    Outcome,
    retry_queues,
)
from infrastructure.messaging.dead_letters import DeadLetterPublisher
from infrastructure.messaging.tests.test_segment_consumer_worker import (
    wait_for,
    worker,  # noqa: F401 (the module-scoped worker fixture)
)
from vms_common.contracts import DetectionResult, Label, encode
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


class FailingStore:
    def __call__(self, events: Any) -> Any:
        raise RuntimeError("persistence step failed")


def test_the_retry_queues_bring_a_message_back_after_1_2_then_4_seconds(amqp) -> None:
    """No worker here: the test plays the consumer, with a store that always fails."""
    retries = DeadLetterPublisher(TEST_BROKER_URL, "")
    letters = DeadLetterPublisher(TEST_BROKER_URL, "detections.dlx")
    handler = DetectionEventsHandler(
        store=FailingStore(),
        dead_letters=letters,
        retries=retries,
        retry_queues=retry_queues(TOPOLOGY, QUEUE),
        reset_database=lambda: None,
    )
    event = an_event(str(uuid.uuid4()), str(uuid.uuid4()), 0)
    message = Delivery(
        routing_key=event.route(),
        body=encode(event),
        headers={"trace_id": event.trace_id},
        exchange="detections",
        message_type="detection.result",
    )
    waits = []
    try:
        for expected in (1, 2, 4):
            [decision] = handler.process_detection_events([message])
            assert decision.outcome is Outcome.RETRY_LATER
            sent = time.monotonic()
            deadline = sent + expected + 5
            method = None
            while method is None and time.monotonic() < deadline:
                method, properties, body = amqp.basic_get(QUEUE, auto_ack=True)
                if method is None:
                    time.sleep(0.05)
            assert method is not None, f"not back from the {expected}s retry queue"
            waits.append(time.monotonic() - sent)
            assert properties.headers[RETRIES_HEADER] == expected.bit_length()
            assert properties.type == "detection.result" and body == encode(event)
            message = Delivery(
                routing_key=method.routing_key,
                body=body,
                headers=properties.headers,
                message_type=properties.type,
            )
        [decision] = handler.process_detection_events([message])
        assert decision.outcome is Outcome.DEAD_LETTERED
    finally:
        retries.close()
        letters.close()
    # each wait is its queue's delay: the broker expires a message no earlier than its TTL
    assert all(w >= 0.9 * d for w, d in zip(waits, (1, 2, 4), strict=True)), waits
    method, properties, _ = amqp.basic_get("detections.dlq", auto_ack=True)
    assert method is not None
    assert properties.headers["x-vms-error-code"] == "retries_exhausted"


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
        dead = connection.channel().queue_declare("detections.dlq", passive=True)
        assert dead.method.message_count == 0
    finally:
        connection.close()

"""The retry queues of the topology against the real RabbitMQ (vhost vms_test): a message
sent to retry comes back to `detections.processing` 1, then 2, then 4 seconds later, with its
retry count, and is dead-lettered after the third. No worker runs in this module: the test
plays the consumer, with a store that always fails."""

import time
import uuid
from typing import Any

from conftest import TEST_BROKER_URL

from infrastructure.messaging.celery_consumer import (
    QUEUE,
    RETRIES_HEADER,
    Delivery,
    DetectionEventsHandler,
    Outcome,
    retry_queues,
)
from infrastructure.messaging.dead_letters import DeadLetterPublisher
from infrastructure.messaging.tests.test_detection_events_broker import (
    TOPOLOGY,
    amqp,  # noqa: F401 (the fixture)
    an_event,
)
from vms_common.contracts import encode


class FailingStore:
    def __call__(self, events: Any) -> Any:
        raise RuntimeError("persistence step failed")


def test_the_retry_queues_bring_a_message_back_after_1_2_then_4_seconds(
    amqp,  # noqa: F811
) -> None:
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

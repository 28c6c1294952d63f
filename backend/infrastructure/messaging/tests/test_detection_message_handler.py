"""What becomes of each detections.processing message, with in-memory fakes of the ports
(the store and the two republishers); no broker, no database."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import OperationalError

from apps.cameras.errors import UnknownCamera
from apps.core.exceptions import ApplicationError
from infrastructure.messaging.celery_consumer import (
    RETRIES_HEADER,
    Delivery,
    DetectionEventsHandler,
    Outcome,
)
from infrastructure.messaging.tests.test_segment_message_handler import (
    FakeDeadLetters,
    an_event,
)
from vms_common.backoff import Backoff
from vms_common.contracts import DetectionResult, Label, encode

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
RETRY_QUEUES = ["q.retry.1s", "q.retry.2s", "q.retry.4s"]


def a_detection() -> DetectionResult:
    return DetectionResult(
        tenant_id=str(uuid.uuid4()),
        camera_id=str(uuid.uuid4()),
        captured_at=T0,
        processed_at=T0 + timedelta(seconds=1),
        provider="opencv",
        labels=(Label(name="person", confidence=0.8),),
        trace_id="trace-det",
    )


def delivery(event: Any, message_type: str | None = "detection.result", **headers: Any) -> Delivery:
    return Delivery(
        routing_key=event.route(),
        body=encode(event),
        headers={"trace_id": event.trace_id, **headers},
        exchange="detections",
        content_type="application/json",
        message_type=message_type,
    )


@dataclass
class Batch:
    refused: dict[Any, ApplicationError] = field(default_factory=dict)


class FakeStore:
    """Stores in a list; `failures` are raised by the next calls, in order; `broken` event
    ids fail every time they are in the call; `unknown` event ids are refused."""

    def __init__(self, *failures: Exception, broken=(), unknown=()) -> None:
        self.failures = list(failures)
        self.broken = set(broken)
        self.unknown = set(unknown)
        self.calls: list[list[uuid.UUID]] = []
        self.stored: list[uuid.UUID] = []

    def __call__(self, events: Sequence[DetectionResult]) -> Batch:
        self.calls.append([e.event_id for e in events])
        if self.failures:
            raise self.failures.pop(0)
        if self.broken & {e.event_id for e in events}:
            raise RuntimeError("persistence step failed")
        batch = Batch()
        for event in events:
            if event.event_id in self.unknown:
                batch.refused[event.event_id] = UnknownCamera(f"unknown camera {event.camera_id}")
            elif event.event_id not in self.stored:
                self.stored.append(event.event_id)
        return batch


def make_handler(store: FakeStore | None = None):
    letters, retries, resets = FakeDeadLetters(), FakeDeadLetters(), []
    handler = DetectionEventsHandler(
        store=store or FakeStore(),
        dead_letters=letters,
        retries=retries,
        retry_queues=RETRY_QUEUES,
        reset_database=lambda: resets.append(1),
        backoff=Backoff(initial_s=0.5, maximum_s=5.0),
    )
    return handler, letters, retries, resets


def test_a_batch_is_stored_in_one_call_decoded_by_amqp_type():
    store = FakeStore()
    handler, letters, _, _ = make_handler(store)
    events = [a_detection() for _ in range(5)]

    decisions = handler.process_detection_events([delivery(e) for e in events])

    assert [d.outcome for d in decisions] == [Outcome.STORED] * 5
    assert store.calls == [[e.event_id for e in events]]
    assert store.stored == [e.event_id for e in events]
    assert letters.letters == []


def test_broken_messages_are_dead_lettered_and_the_rest_of_the_batch_stored():
    store = FakeStore()
    handler, letters, _, _ = make_handler(store)
    good, untyped, unknown = a_detection(), a_detection(), a_detection()
    store.unknown.add(unknown.event_id)
    malformed = Delivery(
        routing_key="t.c.person", body=b'{"schema_version": 1, ', message_type="detection.result"
    )
    segment = delivery(an_event(), message_type="segment.completed")

    decisions = handler.process_detection_events(
        [
            malformed,
            delivery(untyped, message_type=None),
            segment,
            delivery(unknown),
            delivery(good),
        ]
    )

    assert [d.outcome for d in decisions] == [Outcome.DEAD_LETTERED] * 4 + [Outcome.STORED]
    codes = [letter["headers"]["x-vms-error-code"] for letter in letters.letters]
    assert codes == ["contract_error", "contract_error", "unexpected_event", "unknown_camera"]
    assert "malformed JSON" in letters.letters[0]["headers"]["x-vms-error"]
    unknown_letter = letters.letters[3]
    assert unknown_letter["body"] == encode(unknown)
    assert unknown_letter["message_type"] == "detection.result"  # a replay decodes it again
    assert unknown_letter["headers"]["x-vms-original-routing-key"] == unknown.route()
    assert unknown_letter["headers"]["x-vms-original-exchange"] == "detections"
    assert store.stored == [good.event_id]


def test_a_failing_event_is_taken_out_of_the_batch_and_retried_later():
    bad, good = a_detection(), a_detection()
    store = FakeStore(broken={bad.event_id})
    handler, letters, retries, _ = make_handler(store)

    decisions = handler.process_detection_events([delivery(bad), delivery(good)])

    assert [d.outcome for d in decisions] == [Outcome.RETRY_LATER, Outcome.STORED]
    assert store.stored == [good.event_id]
    [retry] = retries.letters
    assert retry["routing_key"] == "q.retry.1s"
    assert retry["headers"][RETRIES_HEADER] == 1
    assert retry["body"] == encode(bad) and retry["message_type"] == "detection.result"
    assert letters.letters == []


def test_retries_wait_1_2_4_seconds_then_the_event_is_dead_lettered_with_the_last_error():
    bad = a_detection()
    handler, letters, retries, _ = make_handler(FakeStore(broken={bad.event_id}))

    outcomes = [handler.process_detection_events([delivery(bad)])[0].outcome]
    for _ in range(3):  # as the broker brings it back from each retry queue
        back = retries.letters[-1]
        returned = Delivery(
            routing_key=back["routing_key"],
            body=back["body"],
            headers=back["headers"],
            exchange="",
            message_type=back["message_type"],
        )
        outcomes.append(handler.process_detection_events([returned])[0].outcome)

    assert outcomes == [Outcome.RETRY_LATER] * 3 + [Outcome.DEAD_LETTERED]
    assert [r["routing_key"] for r in retries.letters] == RETRY_QUEUES
    [letter] = letters.letters
    assert letter["headers"]["x-vms-error-code"] == "retries_exhausted"
    assert (
        "after 3 retries: RuntimeError: persistence step failed"
        in (letter["headers"]["x-vms-error"])
    )
    assert RETRIES_HEADER not in letter["headers"]
    # replayed, it goes where it was first published, not to a retry queue
    assert letter["headers"]["x-vms-original-exchange"] == "detections"
    assert letter["headers"]["x-vms-original-routing-key"] == bad.route()


def test_a_step_that_fails_then_succeeds_stores_the_event_on_its_retry():
    event = a_detection()
    store = FakeStore(RuntimeError("flaky"), RuntimeError("flaky"))
    handler, _, retries, _ = make_handler(store)

    first = handler.process_detection_events([delivery(event)])
    # the broker brings it back from the retry queue with the count in its headers
    second = handler.process_detection_events([delivery(event, **{RETRIES_HEADER: 1})])

    assert (first[0].outcome, second[0].outcome) == (Outcome.RETRY_LATER, Outcome.STORED)
    assert store.stored == [event.event_id]
    assert len(retries.letters) == 1


def test_a_database_outage_requeues_the_batch_with_a_growing_pause_never_dead_letters():
    events = [a_detection(), a_detection()]
    store = FakeStore(OperationalError("down"), OperationalError("down"))
    handler, letters, retries, resets = make_handler(store)

    first = handler.process_detection_events([delivery(e) for e in events])
    second = handler.process_detection_events([delivery(e) for e in events])
    third = handler.process_detection_events([delivery(e) for e in events])

    assert [d.outcome for d in first + second] == [Outcome.REQUEUE] * 4
    assert 0 < first[0].delay_s < second[0].delay_s <= 5.0
    assert [d.outcome for d in third] == [Outcome.STORED] * 2
    assert len(resets) == 2
    assert letters.letters == [] and retries.letters == []


def test_a_retry_or_dead_letter_the_broker_refuses_requeues_the_message():
    bad = a_detection()
    handler = DetectionEventsHandler(
        store=FakeStore(broken={bad.event_id}),
        dead_letters=FakeDeadLetters(fail=True),
        retries=FakeDeadLetters(fail=True),
        retry_queues=RETRY_QUEUES,
        reset_database=lambda: None,
    )

    retried = handler.process_detection_events([delivery(bad)])
    exhausted = handler.process_detection_events([delivery(bad, **{RETRIES_HEADER: 3})])

    assert retried[0].outcome is Outcome.REQUEUE and exhausted[0].outcome is Outcome.REQUEUE

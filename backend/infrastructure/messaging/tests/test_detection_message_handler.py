"""What becomes of each detections.processing message, with in-memory fakes of the ports."""

import uuid
from datetime import UTC, datetime, timedelta

from django.db import OperationalError

from apps.cameras.errors import UnknownCamera
from infrastructure.messaging.detection_consumer import detection_message_handler
from infrastructure.messaging.segment_consumer import Outcome
from infrastructure.messaging.tests.test_segment_message_handler import (
    FakeDeadLetters,
    FakePersistence,
    an_event,
)
from vms_common.backoff import Backoff
from vms_common.contracts import DetectionResult, Label, encode

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


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


def make_handler(persist=None, dead_letters=None):
    resets: list[int] = []
    handler = detection_message_handler(
        persist=persist or FakePersistence(),
        dead_letters=dead_letters or FakeDeadLetters(),
        reset_database=lambda: resets.append(1),
        backoff=Backoff(initial_s=0.5, maximum_s=5.0),
    )
    return handler, resets


def test_a_result_is_decoded_by_its_amqp_type_not_its_routing_key():
    persistence = FakePersistence()
    handler, _ = make_handler(persist=persistence)
    event = a_detection()

    decision = handler.handle(
        routing_key=event.route(), body=encode(event), message_type="detection.result"
    )

    assert decision.outcome is Outcome.PERSISTED
    assert persistence.persisted == [event]


def test_a_result_without_a_type_is_a_contract_error_and_dead_lettered():
    letters = FakeDeadLetters()
    persistence = FakePersistence()
    handler, _ = make_handler(persist=persistence, dead_letters=letters)
    event = a_detection()

    decision = handler.handle(
        routing_key=event.route(), body=encode(event), exchange="detections", message_type=None
    )

    assert decision.outcome is Outcome.DEAD_LETTERED
    assert persistence.persisted == []
    [letter] = letters.letters
    assert letter["headers"]["x-vms-error-code"] == "contract_error"
    assert letter["headers"]["x-vms-original-routing-key"] == event.route()
    assert letter["body"] == encode(event)


def test_a_segment_event_on_the_detections_queue_is_dead_lettered():
    letters = FakeDeadLetters()
    handler, _ = make_handler(dead_letters=letters)
    segment = an_event()

    decision = handler.handle(
        routing_key="x.y.z", body=encode(segment), message_type="segment.completed"
    )

    assert decision.outcome is Outcome.DEAD_LETTERED
    assert letters.letters[0]["headers"]["x-vms-error-code"] == "unexpected_event"


def test_an_unknown_camera_is_dead_lettered_with_the_reason():
    letters = FakeDeadLetters()
    event = a_detection()
    handler, _ = make_handler(
        persist=FakePersistence(UnknownCamera(f"unknown camera {event.camera_id}")),
        dead_letters=letters,
    )

    decision = handler.handle(
        routing_key=event.route(), body=encode(event), message_type="detection.result"
    )

    assert decision.outcome is Outcome.DEAD_LETTERED
    headers = letters.letters[0]["headers"]
    assert headers["x-vms-error"] == f"unknown_camera: unknown camera {event.camera_id}"
    assert headers["trace_id"] == "trace-det"


def test_a_database_outage_requeues_with_a_growing_pause_and_resets_connections():
    event = a_detection()
    persistence = FakePersistence(OperationalError("down"), OperationalError("down"))
    handler, resets = make_handler(persist=persistence)

    first = handler.handle(
        routing_key=event.route(), body=encode(event), message_type="detection.result"
    )
    second = handler.handle(
        routing_key=event.route(), body=encode(event), message_type="detection.result"
    )
    third = handler.handle(
        routing_key=event.route(), body=encode(event), message_type="detection.result"
    )

    assert (first.outcome, second.outcome, third.outcome) == (
        Outcome.RETRY,
        Outcome.RETRY,
        Outcome.PERSISTED,
    )
    assert 0 < first.delay_s < second.delay_s <= 5.0
    assert len(resets) == 2
    assert persistence.persisted == [event]

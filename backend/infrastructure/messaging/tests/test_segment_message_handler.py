"""What becomes of each message, with in-memory fakes of the handler's ports."""

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import InterfaceError, OperationalError

from apps.cameras.errors import UnknownCamera
from apps.core.exceptions import ResourceNotFound
from infrastructure.messaging.dead_letters import DeadLetterError
from infrastructure.messaging.segment_consumer import Outcome, SegmentMessageHandler
from vms_common.backoff import Backoff
from vms_common.contracts import (
    SegmentCompleted,
    SegmentCorrupt,
    SegmentDeleted,
    SegmentTiered,
    encode,
)

T0 = datetime(2026, 11, 23, 19, 30, tzinfo=UTC)


class FakeDeadLetters:
    def __init__(self, fail: bool = False) -> None:
        self.letters: list[dict] = []
        self.fail = fail

    def publish(self, *, body, routing_key, headers, content_type=None, message_type=None) -> None:
        if self.fail:
            raise DeadLetterError("broker unreachable")
        self.letters.append(
            {
                "body": body,
                "routing_key": routing_key,
                "headers": dict(headers),
                "message_type": message_type,
            }
        )


class FakePersistence:
    def __init__(self, *failures: Exception) -> None:
        self.failures = list(failures)
        self.persisted: list[SegmentCompleted] = []

    def __call__(self, event: SegmentCompleted) -> object:
        if self.failures:
            raise self.failures.pop(0)
        self.persisted.append(event)
        return object()


def an_event() -> SegmentCompleted:
    return SegmentCompleted(
        tenant_id=str(uuid.uuid4()),
        camera_id=str(uuid.uuid4()),
        start=T0,
        end=T0 + timedelta(minutes=1),
        duration_s=60,
        path="t/c/2026/11/23/19/segment_20261123T193000Z.mp4",
        size_bytes=10,
        codec="h264",
        width=640,
        height=480,
        sha256=hashlib.sha256(b"x").hexdigest(),
        trace_id="trace-123",
    )


def make_handler(persist=None, dead_letters=None):
    resets: list[int] = []
    handler = SegmentMessageHandler(
        persist=persist or FakePersistence(),
        dead_letters=dead_letters or FakeDeadLetters(),
        reset_database=lambda: resets.append(1),
        backoff=Backoff(initial_s=0.5, maximum_s=5.0),
    )
    return handler, resets


def test_a_valid_event_is_persisted():
    persistence = FakePersistence()
    handler, _ = make_handler(persist=persistence)
    event = an_event()

    decision = handler.handle(routing_key="segment.completed", body=encode(event))

    assert decision.outcome is Outcome.PERSISTED
    assert persistence.persisted == [event]


def test_malformed_json_is_dead_lettered_with_the_reason_and_original_body():
    letters = FakeDeadLetters()
    handler, _ = make_handler(dead_letters=letters)

    decision = handler.handle(
        routing_key="segment.completed", body=b"{not json", headers={"trace_id": "t-1"}
    )

    assert decision.outcome is Outcome.DEAD_LETTERED
    [letter] = letters.letters
    assert letter["body"] == b"{not json"
    assert letter["headers"]["x-vms-error"].startswith("contract_error: malformed JSON")
    assert letter["headers"]["x-vms-original-routing-key"] == "segment.completed"
    assert letter["headers"]["trace_id"] == "t-1"


def test_an_unknown_message_type_is_dead_lettered():
    letters = FakeDeadLetters()
    handler, _ = make_handler(dead_letters=letters)

    decision = handler.handle(routing_key="segment.exploded", body=b"{}")

    assert decision.outcome is Outcome.DEAD_LETTERED
    assert "unknown message type" in letters.letters[0]["headers"]["x-vms-error"]


def test_an_unknown_camera_is_dead_lettered_with_the_events_trace_id():
    letters = FakeDeadLetters()
    handler, _ = make_handler(
        persist=FakePersistence(UnknownCamera("unknown camera x")), dead_letters=letters
    )

    decision = handler.handle(routing_key="segment.completed", body=encode(an_event()))

    assert decision.outcome is Outcome.DEAD_LETTERED
    headers = letters.letters[0]["headers"]
    assert headers["x-vms-error"] == "unknown_camera: unknown camera x"
    assert headers["x-vms-error-code"] == "unknown_camera"
    assert headers["trace_id"] == "trace-123"


def test_an_unexpected_failure_is_dead_lettered_not_redelivered_forever():
    letters = FakeDeadLetters()
    handler, _ = make_handler(persist=FakePersistence(KeyError("surprise")), dead_letters=letters)

    decision = handler.handle(routing_key="segment.completed", body=encode(an_event()))

    assert decision.outcome is Outcome.DEAD_LETTERED
    assert letters.letters[0]["headers"]["x-vms-error-code"] == "internal_error"


@pytest.mark.parametrize("error", [OperationalError("down"), InterfaceError("closed")])
def test_a_database_outage_requeues_after_closing_the_connection(error):
    letters = FakeDeadLetters()
    handler, resets = make_handler(persist=FakePersistence(error), dead_letters=letters)

    decision = handler.handle(routing_key="segment.completed", body=encode(an_event()))

    assert decision.outcome is Outcome.RETRY
    assert decision.delay_s == 0.5
    assert resets == [1]
    assert letters.letters == []


def test_retry_pauses_grow_up_to_a_bound_and_reset_after_success():
    persistence = FakePersistence(*[OperationalError("down") for _ in range(6)])
    handler, _ = make_handler(persist=persistence)
    body = encode(an_event())

    delays = [handler.handle(routing_key="segment.completed", body=body).delay_s for _ in range(6)]
    recovered = handler.handle(routing_key="segment.completed", body=body)
    persistence.failures.append(OperationalError("down again"))
    next_outage = handler.handle(routing_key="segment.completed", body=body)

    assert delays == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0]
    assert recovered.outcome is Outcome.PERSISTED
    assert next_outage.delay_s == 0.5


def test_when_the_dead_letter_cannot_be_published_the_message_is_kept():
    handler, _ = make_handler(dead_letters=FakeDeadLetters(fail=True))

    decision = handler.handle(routing_key="segment.completed", body=b"garbage")

    assert decision.outcome is Outcome.RETRY
    assert 0 < decision.delay_s <= 5.0


def other_events() -> list:
    base = {"tenant_id": str(uuid.uuid4()), "camera_id": str(uuid.uuid4()), "trace_id": "t-9"}
    path = "t/c/2026/11/23/19/segment_20261123T193000Z.mp4"
    return [
        SegmentCorrupt(
            **base,
            start=T0,
            end=T0 + timedelta(seconds=20),
            path=path,
            size_bytes=0,
            sha256=hashlib.sha256(b"").hexdigest(),
            reason="moov atom not found",
        ),
        SegmentDeleted(**base, start=T0, path=path, reason="retention"),
        SegmentTiered(**base, start=T0, path=path, location=f"s3://vms-recordings/{path}"),
    ]


@pytest.mark.parametrize("event", [an_event(), *other_events()], ids=lambda e: e.routing_key)
def test_every_segment_event_reaches_persistence_decoded_by_its_routing_key(event):
    persistence = FakePersistence()
    handler, _ = make_handler(persist=persistence)

    decision = handler.handle(routing_key=event.routing_key, body=encode(event))

    assert decision.outcome is Outcome.PERSISTED
    assert persistence.persisted == [event]
    assert type(persistence.persisted[0]) is type(event)


def test_a_body_under_the_wrong_routing_key_is_dead_lettered():
    letters = FakeDeadLetters()
    persistence = FakePersistence()
    handler, _ = make_handler(persist=persistence, dead_letters=letters)
    deleted = other_events()[1]

    decision = handler.handle(routing_key="segment.tiered", body=encode(deleted))

    assert decision.outcome is Outcome.DEAD_LETTERED
    assert persistence.persisted == []
    assert letters.letters[0]["headers"]["x-vms-error"].startswith("contract_error: invalid")


def test_a_tiered_segment_without_its_recording_is_dead_lettered_with_a_clear_code():
    letters = FakeDeadLetters()
    missing = ResourceNotFound("no recording at the path", code="recording_not_found")
    handler, _ = make_handler(persist=FakePersistence(missing), dead_letters=letters)
    tiered = other_events()[2]

    decision = handler.handle(routing_key="segment.tiered", body=encode(tiered))

    assert decision.outcome is Outcome.DEAD_LETTERED
    headers = letters.letters[0]["headers"]
    assert headers["x-vms-error-code"] == "recording_not_found"
    assert headers["x-vms-original-routing-key"] == "segment.tiered"
    assert headers["trace_id"] == "t-9"

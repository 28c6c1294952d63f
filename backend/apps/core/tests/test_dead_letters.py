"""`manage.py dead_letters` against the real broker (the test vhost).

Dead letters are made the ways production makes them: through the consumers' own
DeadLetterPublisher with the headers their handlers set (`x-vms-error` and friends), and by
RabbitMQ itself (a message rejected from a queue whose dead-letter exchange is
`detections.dlx`: `x-death`).
"""

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path
from typing import Any

import pika
import pytest
from conftest import TEST_BROKER_URL
from django.core.management import CommandError, call_command

from infrastructure.messaging.dead_letters import DeadLetterPublisher
from vms_common.contracts import DetectionResult, Label, decode, utc_now
from vms_common.settings import DEFAULT_DEFINITIONS
from vms_common.topology import declare_topology, load_topology

BACKEND = Path(__file__).resolve().parents[3]
DLQ = "detections.dlq"
QUEUES = ("detections.processing", "detections.dlq", "recordings.dlq", "alerts.dlq")


@pytest.fixture
def amqp() -> Iterator[Any]:
    """A channel on the test vhost, topology declared, the queues used here emptied."""
    connection = pika.BlockingConnection(pika.URLParameters(TEST_BROKER_URL))
    try:
        channel = connection.channel()
        declare_topology(channel, load_topology(DEFAULT_DEFINITIONS))
        for queue in QUEUES:
            channel.queue_purge(queue)
        yield channel
        for queue in QUEUES:
            channel.queue_purge(queue)
    finally:
        connection.close()


def observe(amqp: Any) -> str:
    """An exclusive queue that receives a copy of everything published to `detections` from
    now on."""
    queue: str = amqp.queue_declare("", exclusive=True).method.queue
    amqp.queue_bind(queue, "detections", routing_key="#")
    return queue


@pytest.fixture
def dead_letter_publisher() -> Iterator[DeadLetterPublisher]:
    """The consumers' own dead-letter publisher, on `detections.dlx`."""
    publisher = DeadLetterPublisher(TEST_BROKER_URL, "detections.dlx")
    try:
        yield publisher
    finally:
        publisher.close()


def a_detection(camera_id: str, tenant_id: str) -> DetectionResult:
    now = utc_now()
    return DetectionResult(
        tenant_id=tenant_id,
        camera_id=camera_id,
        captured_at=now,
        processed_at=now,
        provider="opencv",
        labels=(Label(name="person", confidence=0.9),),
    )


def consumer_dead_letter(
    publisher: DeadLetterPublisher, body: bytes, trace_id: str, code: str, reason: str
) -> str:
    """Dead-letter a message of `detections` as the consumers do: its body and routing key,
    with the reason and the original exchange and routing key in its headers."""
    routing_key = f"t-{uuid.uuid4().hex[:6]}.c-{uuid.uuid4().hex[:6]}.person"
    publisher.publish(
        body=body,
        routing_key=routing_key,
        headers={
            "trace_id": trace_id,
            "x-vms-error": f"{code}: {reason}",
            "x-vms-error-code": code,
            "x-vms-original-routing-key": routing_key,
            "x-vms-original-exchange": "detections",
            "x-vms-failed-at": datetime.now(UTC).isoformat(),
            "x-vms-retries": 3,
        },
        content_type="application/json",
    )
    return routing_key


def broker_dead_letter(amqp: Any, body: bytes, trace_id: str) -> str:
    """Publish to `detections` and have RabbitMQ dead-letter it from a queue of its own."""
    routing_key = f"t-{uuid.uuid4().hex[:6]}.c-{uuid.uuid4().hex[:6]}.car"
    rejecting = amqp.queue_declare(
        "", exclusive=True, arguments={"x-dead-letter-exchange": "detections.dlx"}
    ).method.queue
    amqp.queue_bind(rejecting, "detections", routing_key=routing_key)
    amqp.basic_publish(
        "detections",
        routing_key,
        body,
        pika.BasicProperties(
            content_type="application/json",
            delivery_mode=2,
            type="detection.result",
            headers={"trace_id": trace_id},
        ),
    )
    method = None
    for _ in range(50):
        method, _properties, _body = amqp.basic_get(rejecting, auto_ack=False)
        if method is not None:
            break
    assert method is not None
    amqp.basic_reject(method.delivery_tag, requeue=False)
    amqp.queue_delete(rejecting)
    return routing_key


def wait_count(amqp: Any, queue: str, expected: int) -> None:
    for _ in range(100):
        if amqp.queue_declare(queue, passive=True).method.message_count == expected:
            return
        amqp.connection.sleep(0.05)
    count = amqp.queue_declare(queue, passive=True).method.message_count
    raise AssertionError(f"{queue} has {count} messages, expected {expected}")


def drain(amqp: Any, queue: str) -> list[tuple[Any, Any, bytes]]:
    messages = []
    while True:
        method, properties, body = amqp.basic_get(queue, auto_ack=True)
        if method is None:
            return messages
        messages.append((method, properties, body))


def dead_letters(*args: str) -> str:
    out = StringIO()
    call_command("dead_letters", *args, stdout=out)
    return out.getvalue()


def listed(*args: str) -> dict[str, Any]:
    document = json.loads(dead_letters("list", "--json", *args))
    return {entry["queue"]: entry for entry in document["queues"]}


def three_letters(amqp: Any, publisher: DeadLetterPublisher) -> list[str]:
    """A malformed body, an unknown camera's result and a broker-rejected message, in that
    order."""
    malformed = consumer_dead_letter(
        publisher,
        b'{"schema_version": 1, "tenant',
        "trace-1",
        "contract_error",
        "malformed JSON: Unterminated string",
    )
    body = a_detection("cam", "tenant").model_dump_json().encode()
    unknown = consumer_dead_letter(
        publisher, body, "trace-2", "unknown_camera", "camera cam not found in tenant tenant"
    )
    rejected = broker_dead_letter(amqp, b'{"rejected": true}', "trace-3")
    wait_count(amqp, DLQ, 3)
    amqp.queue_purge("detections.processing")  # the rejected message's first copy
    return [malformed, unknown, rejected]


def test_list_shows_every_dead_letter_queue_and_leaves_the_messages_in_order(
    amqp, dead_letter_publisher
):
    routes = three_letters(amqp, dead_letter_publisher)

    queues = listed()
    again = listed("--queue", DLQ, "--limit", "2")

    assert {"detections.dlq", "recordings.dlq", "alerts.dlq"} <= set(queues)
    assert queues["recordings.dlq"] == {"queue": "recordings.dlq", "count": 0, "messages": []}
    letters = queues[DLQ]["messages"]
    assert queues[DLQ]["count"] == 3
    assert [m["routing_key"] for m in letters] == routes
    assert [m["trace_id"] for m in letters] == ["trace-1", "trace-2", "trace-3"]
    malformed, unknown, rejected = letters
    assert malformed["code"] == "contract_error"
    assert "malformed JSON" in malformed["error"]
    assert malformed["body_preview"] == '{"schema_version": 1, "tenant'
    assert malformed["body_size"] == len(b'{"schema_version": 1, "tenant')
    assert (malformed["original_exchange"], malformed["original_routing_key"]) == (
        "detections",
        routes[0],
    )
    assert malformed["failed_at"].startswith(str(utc_now().year))
    assert unknown["code"] == "unknown_camera"
    assert unknown["error"] == "unknown_camera: camera cam not found in tenant tenant"
    assert rejected["code"] == "rejected"
    assert "rejected in queue" in rejected["error"]
    assert (rejected["original_exchange"], rejected["original_routing_key"]) == (
        "detections",
        routes[2],
    )
    assert rejected["message_type"] == "detection.result"
    assert [m["replays"] for m in letters] == [0, 0, 0]
    assert rejected["failed_at"]
    # Listing took nothing away and kept the order.
    assert again[DLQ]["count"] == 3
    assert [m["routing_key"] for m in again[DLQ]["messages"]] == routes[:2]
    assert [m["routing_key"] for m in listed()[DLQ]["messages"]] == routes


def test_list_in_text_names_the_reason_and_the_trace(amqp, dead_letter_publisher):
    consumer_dead_letter(
        dead_letter_publisher, b"not json", "trace-text", "contract_error", "malformed JSON"
    )
    wait_count(amqp, DLQ, 1)

    text = dead_letters("list", "--queue", DLQ)

    assert "detections.dlq: 1 message(s)" in text
    assert "[contract_error] contract_error: malformed JSON" in text
    assert "trace trace-text" in text
    assert "'not json'" in text
    wait_count(amqp, DLQ, 1)


def test_replay_republishes_to_the_original_exchange_and_empties_the_dlq(
    amqp, dead_letter_publisher
):
    routes = three_letters(amqp, dead_letter_publisher)
    observer = observe(amqp)

    report = json.loads(dead_letters("replay", "--queue", DLQ, "--json"))

    assert report == {
        "queue": DLQ,
        "replayed": 3,
        "kept": 0,
        "unknown_origin": 0,
        "error": "",
    }
    assert amqp.queue_declare(DLQ, passive=True).method.message_count == 0
    wait_count(amqp, "detections.processing", 3)
    replayed = drain(amqp, observer)
    assert [method.routing_key for method, _, _ in replayed] == routes
    assert [method.exchange for method, _, _ in replayed] == ["detections"] * 3
    for (_, properties, _), trace in zip(replayed, ["trace-1", "trace-2", "trace-3"], strict=True):
        assert properties.headers["trace_id"] == trace
        assert properties.headers["x-vms-replays"] == 1
        assert not [h for h in properties.headers if h.startswith(("x-vms-error", "x-death"))]
        assert "x-vms-original-exchange" not in properties.headers
        assert properties.type == "detection.result"
        assert properties.delivery_mode == 2
    assert replayed[0][2] == b'{"schema_version": 1, "tenant'
    assert replayed[2][2] == b'{"rejected": true}'


def test_a_replayed_result_decodes_by_its_type_as_the_consumer_does(amqp, dead_letter_publisher):
    """The dead letter lost its AMQP type; the replayed copy has it back."""
    event = a_detection(str(uuid.uuid4()), "acme")
    consumer_dead_letter(
        dead_letter_publisher,
        event.model_dump_json().encode(),
        event.trace_id,
        "unknown_camera",
        "camera not found",
    )
    wait_count(amqp, DLQ, 1)
    observer = observe(amqp)

    dead_letters("replay", "--queue", DLQ)

    [(_, properties, body)] = drain(amqp, observer)
    assert decode(properties.type, body) == event
    assert properties.headers["trace_id"] == event.trace_id
    assert "x-vms-retries" not in properties.headers
    assert amqp.queue_declare(DLQ, passive=True).method.message_count == 0


def test_replay_by_code_and_limit_keeps_the_rest_in_place(amqp, dead_letter_publisher):
    routes = three_letters(amqp, dead_letter_publisher)
    observer = observe(amqp)

    by_code = json.loads(
        dead_letters("replay", "--queue", DLQ, "--code", "unknown_camera", "--json")
    )

    assert (by_code["replayed"], by_code["kept"]) == (1, 2)
    assert [m.routing_key for m, _, _ in drain(amqp, observer)] == [routes[1]]
    assert [m["routing_key"] for m in listed()[DLQ]["messages"]] == [routes[0], routes[2]]

    limited = json.loads(dead_letters("replay", "--queue", DLQ, "--limit", "1", "--json"))

    assert (limited["replayed"], limited["kept"]) == (1, 0)
    assert [m.routing_key for m, _, _ in drain(amqp, observer)] == [routes[0]]
    remaining = listed()[DLQ]
    assert remaining["count"] == 1
    assert remaining["messages"][0]["routing_key"] == routes[2]


def test_replay_keeps_a_letter_that_names_no_original_exchange(amqp):
    amqp.basic_publish(
        "detections.dlx",
        "somewhere",
        b"{}",
        pika.BasicProperties(delivery_mode=2, headers={"x-reason": "not_a_frame: no headers"}),
    )
    wait_count(amqp, DLQ, 1)

    report = json.loads(dead_letters("replay", "--queue", DLQ, "--json"))

    assert (report["replayed"], report["unknown_origin"]) == (0, 1)
    [letter] = listed("--queue", DLQ)[DLQ]["messages"]
    assert (letter["code"], letter["error"]) == ("not_a_frame", "not_a_frame: no headers")


def test_replay_to_an_exchange_that_does_not_exist_keeps_the_letter(amqp):
    amqp.basic_publish(
        "detections.dlx",
        "k",
        b"{}",
        pika.BasicProperties(
            delivery_mode=2,
            headers={
                "x-vms-error": "internal_error: boom",
                "x-vms-error-code": "internal_error",
                "x-vms-original-exchange": f"gone-{uuid.uuid4().hex[:6]}",
                "x-vms-original-routing-key": "k",
            },
        ),
    )
    wait_count(amqp, DLQ, 1)

    with pytest.raises(CommandError, match="cannot publish message 0"):
        dead_letters("replay", "--queue", DLQ)

    wait_count(amqp, DLQ, 1)


def test_purge_needs_yes(amqp, dead_letter_publisher):
    three_letters(amqp, dead_letter_publisher)

    with pytest.raises(CommandError, match="without --yes") as refused:
        dead_letters("purge", "--queue", DLQ)
    assert refused.value.returncode == 2
    assert amqp.queue_declare(DLQ, passive=True).method.message_count == 3

    assert json.loads(dead_letters("purge", "--queue", DLQ, "--yes", "--json")) == {
        "queue": DLQ,
        "purged": 3,
    }
    assert amqp.queue_declare(DLQ, passive=True).method.message_count == 0


def test_an_unknown_queue_is_a_usage_error(amqp):
    with pytest.raises(
        CommandError, match=r"unknown dead-letter queue 'detections\.processing'"
    ) as e:
        dead_letters("replay", "--queue", "detections.processing")
    assert e.value.returncode == 2

    result = subprocess.run(
        [sys.executable, "manage.py", "dead_letters", "list", "--queue", "nope.dlq"],
        cwd=BACKEND,
        env={**os.environ, "RABBITMQ_URL": TEST_BROKER_URL, "ENVIRONMENT": "test"},
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result.stderr.decode()
    assert b"unknown dead-letter queue 'nope.dlq'" in result.stderr


def test_a_letter_that_went_through_the_retry_queues_is_replayed_into_its_queue(
    amqp, dead_letter_publisher
):
    """After its retries a message comes from `detections.processing.retry.*` through the
    default exchange: that is where it is replayed to, without its retry bookkeeping."""
    event = a_detection(str(uuid.uuid4()), "acme")
    dead_letter_publisher.publish(
        body=event.model_dump_json().encode(),
        routing_key="detections.processing",
        headers={
            "trace_id": event.trace_id,
            "x-vms-error": "retries_exhausted: failed after 3 retries: boom",
            "x-vms-error-code": "retries_exhausted",
            "x-vms-original-routing-key": "detections.processing",
            "x-vms-original-exchange": "",
            "x-vms-failed-at": datetime.now(UTC).isoformat(),
            "x-death": [
                {
                    "queue": "detections.processing.retry.4s",
                    "reason": "expired",
                    "exchange": "",
                    "routing-keys": ["detections.processing.retry.4s"],
                    "count": 1,
                }
            ],
        },
        content_type="application/json",
        message_type="detection.result",
    )
    wait_count(amqp, DLQ, 1)
    [letter] = listed("--queue", DLQ)[DLQ]["messages"]
    assert (letter["code"], letter["original_exchange"], letter["original_routing_key"]) == (
        "retries_exhausted",
        "",
        "detections.processing",
    )

    report = json.loads(dead_letters("replay", "--queue", DLQ, "--json"))

    assert report["replayed"] == 1
    wait_count(amqp, "detections.processing", 1)
    _, properties, body = amqp.basic_get("detections.processing", auto_ack=True)
    assert decode(properties.type, body) == event
    assert "x-death" not in properties.headers
    assert properties.headers["trace_id"] == event.trace_id

    # It fails again: the consumer dead-letters it with the headers it came with.
    dead_letter_publisher.publish(
        body=body,
        routing_key="detections.processing",
        headers={
            **properties.headers,
            "x-vms-error": "unknown_camera: still unknown",
            "x-vms-error-code": "unknown_camera",
            "x-vms-original-routing-key": "detections.processing",
            "x-vms-original-exchange": "",
        },
        content_type="application/json",
        message_type=properties.type,
    )
    wait_count(amqp, DLQ, 1)
    [again] = listed("--queue", DLQ)[DLQ]["messages"]
    assert (again["code"], again["replays"], again["trace_id"]) == (
        "unknown_camera",
        1,
        event.trace_id,
    )

"""The notifications handler on real rows: webhook to a local HTTP server, e-mail through
Django's locmem backend, dead letters to `alerts.dlq` on the test vhost.

The handler is the one the consumer step builds; messages are handed to it as the step
does. The only fake is the pause between webhook attempts where a test would otherwise
wait for seconds (a recording `sleep`); one test waits the real 1 s.
"""

import functools
import json
import socket
import uuid
from collections.abc import Iterator
from typing import Any

import pika
import pytest
from conftest import TEST_BROKER_URL
from django.core import mail

from apps.alerts.models import Alert, DeliveryStatus
from apps.alerts.notifications import alert_event_deliver
from apps.alerts.publishing import alert_event
from apps.alerts.tests.conftest import a_detection, a_rule, store
from infrastructure.messaging.alert_notifications import ALERTS_QUEUE, alert_message_handler
from infrastructure.messaging.dead_letters import DeadLetterPublisher
from infrastructure.messaging.segment_consumer import Outcome
from infrastructure.notifications.tests.webhook_server import webhook_server
from infrastructure.notifications.webhook import webhook_signature
from vms_common.contracts import encode
from vms_common.settings import DEFAULT_DEFINITIONS
from vms_common.topology import declare_topology, load_topology

DEAD_LETTER_QUEUE = "alerts.dlq"


@pytest.fixture
def amqp() -> Iterator[Any]:
    connection = pika.BlockingConnection(pika.URLParameters(TEST_BROKER_URL))
    try:
        channel = connection.channel()
        declare_topology(channel, load_topology(DEFAULT_DEFINITIONS))
        channel.queue_purge(ALERTS_QUEUE)
        channel.queue_purge(DEAD_LETTER_QUEUE)
        yield channel
    finally:
        connection.close()


@pytest.fixture
def dead_letters(amqp: Any) -> Iterator[DeadLetterPublisher]:
    publisher = DeadLetterPublisher(TEST_BROKER_URL, "alerts.dlx")
    try:
        yield publisher
    finally:
        publisher.close()


@pytest.fixture
def pauses() -> list[float]:
    return []


@pytest.fixture
def handler(dead_letters: DeadLetterPublisher, pauses: list[float]) -> Any:
    return alert_message_handler(
        dead_letters=dead_letters,
        deliver=functools.partial(alert_event_deliver, sleep=pauses.append),
    )


@pytest.fixture(autouse=True)
def _mail(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ALERT_EMAIL_FROM = "alerts@vms.example.com"
    settings.ALERT_WEBHOOK_SECRET = "webhook-secret-for-tests"
    settings.ALERT_WEBHOOK_ALLOW_PRIVATE = True  # the webhook server is on 127.0.0.1


def an_alert(camera: Any, **rule_fields: Any) -> Alert:
    a_rule(camera, **rule_fields)
    store(a_detection(camera))
    return Alert.objects.get()


def handle(handler: Any, body: bytes, message_type: str | None = "alert.raised", **headers: Any):
    return handler.handle(
        routing_key="alert.raised",
        body=body,
        headers={"trace_id": "trace-alert", **headers},
        exchange="alerts",
        content_type="application/json",
        message_type=message_type,
    )


def dead_lettered(amqp: Any) -> list[tuple[Any, bytes]]:
    letters = []
    while True:
        method, properties, body = amqp.basic_get(DEAD_LETTER_QUEUE, auto_ack=True)
        if method is None:
            return letters
        letters.append((properties, body))


def test_a_webhook_answering_503_then_200_is_retried_and_delivered(camera, dead_letters, settings):
    handler = alert_message_handler(dead_letters=dead_letters)  # real pauses
    with webhook_server(503, 200) as server:
        alert = an_alert(camera, webhook_url="")
        Alert.objects.filter(pk=alert.pk).update(
            webhook_url=server.url, webhook_status=DeliveryStatus.PENDING
        )
        body = encode(alert_event(alert))

        decision = handle(handler, body)

    assert decision.outcome is Outcome.PERSISTED
    alert.refresh_from_db()
    assert (alert.webhook_status, alert.webhook_attempts) == (DeliveryStatus.DELIVERED, 2)
    assert alert.webhook_delivered_at is not None and alert.webhook_error == ""
    first, second = server.received
    assert first.body == second.body == body
    assert second.headers["X-VMS-Signature"] == webhook_signature(
        settings.ALERT_WEBHOOK_SECRET, body
    )
    assert second.headers["X-VMS-Event"] == "alert.raised"
    assert second.headers["X-VMS-Delivery"] == str(alert.event_id)
    assert json.loads(second.body)["event_id"] == str(alert.event_id)


def test_a_webhook_answering_400_fails_at_once_and_the_message_is_done(
    camera, handler, pauses, amqp
):
    with webhook_server(400, 200) as server:
        alert = an_alert(camera, webhook_url=server.url)

        decision = handle(handler, encode(alert_event(alert)))

    assert decision.outcome is Outcome.PERSISTED  # acked: a 4xx will not change on a retry
    alert.refresh_from_db()
    assert (alert.webhook_status, alert.webhook_attempts) == (DeliveryStatus.FAILED, 1)
    assert alert.webhook_error == "the webhook answered 400"
    assert len(server.received) == 1
    assert pauses == []
    assert dead_lettered(amqp) == []


def test_a_webhook_failing_every_attempt_is_recorded_as_failed(camera, handler, pauses):
    with webhook_server(502) as server:
        alert = an_alert(camera, webhook_url=server.url)

        handle(handler, encode(alert_event(alert)))

    alert.refresh_from_db()
    assert (alert.webhook_status, alert.webhook_attempts) == (DeliveryStatus.FAILED, 3)
    assert len(server.received) == 3
    assert pauses == [1.0, 2.0]


def test_the_e_mail_goes_to_the_rules_addresses(camera, handler):
    alert = an_alert(camera, name="Night watch", emails=["ops@example.com", "guard@example.com"])

    decision = handle(handler, encode(alert_event(alert)))

    assert decision.outcome is Outcome.PERSISTED
    [message] = mail.outbox
    assert message.to == ["ops@example.com", "guard@example.com"]
    assert message.from_email == "alerts@vms.example.com"
    assert message.subject == f"[VMS] Night watch: person on {camera.name}"
    assert str(alert.event_id) in message.body
    assert "2026-11-25T12:00:00Z" in message.body
    alert.refresh_from_db()
    assert (alert.email_status, alert.email_attempts) == (DeliveryStatus.DELIVERED, 1)
    assert alert.webhook_status == DeliveryStatus.NONE


def test_a_redelivered_message_sends_nothing_twice(camera, handler):
    with webhook_server(200) as server:
        alert = an_alert(camera, webhook_url=server.url, emails=["ops@example.com"])
        body = encode(alert_event(alert))

        first = handle(handler, body)
        again = handle(handler, body, redelivered="yes")

    assert first.outcome is again.outcome is Outcome.PERSISTED
    assert len(server.received) == 1
    assert len(mail.outbox) == 1
    alert.refresh_from_db()
    assert (alert.webhook_attempts, alert.email_attempts) == (1, 1)


def test_an_unreachable_mail_server_is_recorded_as_failed(camera, handler, settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    alert = an_alert(camera, emails=["ops@example.com"])

    decision = handle(handler, encode(alert_event(alert)))

    assert decision.outcome is Outcome.PERSISTED
    alert.refresh_from_db()
    assert (alert.email_status, alert.email_attempts) == (DeliveryStatus.FAILED, 1)
    assert "refused" in alert.email_error.lower()


def test_malformed_unknown_version_and_unknown_alerts_are_dead_lettered(camera, handler, amqp):
    alert = an_alert(camera)
    good = json.loads(encode(alert_event(alert)))
    unknown = {**good, "event_id": str(uuid.uuid4())}
    other_tenant = {**good, "tenant_id": str(uuid.uuid4())}
    future = {**good, "schema_version": 2}

    decisions = [
        handle(handler, b'{"schema_version": 1, "event_id": '),
        handle(handler, json.dumps(future).encode()),
        handle(handler, json.dumps(unknown).encode()),
        handle(handler, json.dumps(other_tenant).encode()),
        handle(handler, encode(alert_event(alert)), message_type="detection.result"),
    ]

    assert all(d.outcome is Outcome.DEAD_LETTERED for d in decisions)
    letters = dead_lettered(amqp)
    assert len(letters) == 5
    errors = {body: p.headers["x-vms-error"] for p, body in letters}
    assert "malformed JSON" in errors[b'{"schema_version": 1, "event_id": ']
    assert "unsupported schema_version 2" in errors[json.dumps(future).encode()]
    assert errors[json.dumps(unknown).encode()].startswith("unknown_alert:")
    assert errors[json.dumps(other_tenant).encode()].startswith("unknown_alert:")
    codes = [p.headers["x-vms-error-code"] for p, _ in letters]
    assert codes.count("contract_error") == 3  # broken, future and the detection body
    assert all(p.headers["x-vms-original-exchange"] == "alerts" for p, _ in letters)
    alert.refresh_from_db()
    assert alert.webhook_attempts == alert.email_attempts == 0


def test_the_handler_keeps_delivering_after_a_dead_letter(camera, handler, amqp):
    alert = an_alert(camera, emails=["ops@example.com"])

    handle(handler, b"not json")
    decision = handle(handler, encode(alert_event(alert)))

    assert decision.outcome is Outcome.PERSISTED
    assert len(mail.outbox) == 1
    assert len(dead_lettered(amqp)) == 1

"""Alerts published to the `alerts` exchange after the commit, and the outbox sweeper.

Real PostgreSQL (committed transactions) and RabbitMQ (the test vhost): messages are read
back from `alerts.notifications`. A broker outage is a URL on which nothing listens.
"""

from datetime import timedelta

import pytest
from conftest import TEST_BROKER_URL
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from apps.alerts.models import Alert
from apps.alerts.publishing import alerts_publish, alerts_publish_pending
from apps.alerts.tests.conftest import a_detection, a_rule, queued_messages, store
from vms_common.contracts import AlertRaised, Event, decode
from vms_common.publisher import PublishError

pytestmark = pytest.mark.django_db(transaction=True)

BROKER_DOWN = "amqp://guest:guest@127.0.0.1:9/vms_down"


def test_a_committed_alert_is_published_and_stamped(camera, amqp):
    rule = a_rule(camera)
    detection = a_detection(camera)

    store(detection)

    alert = Alert.objects.get()
    assert alert.published_at is not None
    [(properties, body)] = queued_messages(amqp)
    assert properties.type == "alert.raised"
    assert properties.message_id == str(alert.event_id)
    event = decode(properties.type, body)
    assert isinstance(event, AlertRaised)
    assert (event.event_id, event.tenant_id, event.camera_id) == (
        alert.event_id, str(camera.tenant_id), str(camera.id),
    )  # fmt: skip
    assert (event.rule_id, event.rule_name, event.detection_id) == (
        rule.id,
        rule.name,
        detection.id,
    )
    assert (event.label, event.confidence, event.captured_at) == (
        "person",
        0.9,
        detection.captured_at,
    )
    assert event.box is not None and event.box.width == 0.2
    assert event.trace_id == detection.trace_id


def test_a_rolled_back_transaction_publishes_nothing(camera, amqp):
    a_rule(camera)

    with pytest.raises(RuntimeError), transaction.atomic():
        store(a_detection(camera))
        raise RuntimeError("the batch failed")

    assert not Alert.objects.exists()
    assert queued_messages(amqp) == []


def test_an_alert_committed_during_a_broker_outage_is_published_by_the_sweeper(
    camera, amqp, settings
):
    a_rule(camera)
    real_broker = settings.RABBITMQ_URL
    settings.RABBITMQ_URL = BROKER_DOWN

    store(a_detection(camera))  # the commit succeeds; the publish does not

    alert = Alert.objects.get()
    assert alert.published_at is None
    settings.RABBITMQ_URL = real_broker
    assert alerts_publish_pending() == 0  # not yet waited ALERT_OUTBOX_AFTER_S (30 s)
    Alert.objects.filter(pk=alert.pk).update(raised_at=timezone.now() - timedelta(seconds=31))

    assert alerts_publish_pending() == 1

    alert.refresh_from_db()
    assert alert.published_at is not None
    [(properties, body)] = queued_messages(amqp)
    assert decode(properties.type, body).event_id == alert.event_id
    assert alerts_publish_pending() == 0  # published once


def test_the_command_publishes_pending_alerts_and_fails_while_the_broker_is_down(
    camera, amqp, settings, capsys
):
    a_rule(camera, cooldown_s=0)
    settings.RABBITMQ_URL = BROKER_DOWN
    store(a_detection(camera, 0), a_detection(camera, 1))

    with pytest.raises(CommandError, match="2 alert"):
        call_command("alerts_publish_pending", "--older-than", "0")

    settings.RABBITMQ_URL = TEST_BROKER_URL
    call_command("alerts_publish_pending", "--older-than", "0")

    assert "published 2 alert(s)" in capsys.readouterr().out
    assert not Alert.objects.filter(published_at__isnull=True).exists()
    assert len(queued_messages(amqp)) == 2


class FlakyPublisher:
    """A fake of the publisher port whose first `failures` publishes fail."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.published: list[Event] = []

    def publish(self, message: Event) -> None:
        if self.failures:
            self.failures -= 1
            raise PublishError("broker unreachable: connection reset")
        self.published.append(message)


def test_a_publish_failing_once_is_tried_again_on_a_new_connection(camera, settings):
    a_rule(camera)
    settings.RABBITMQ_URL = BROKER_DOWN
    store(a_detection(camera))
    alert = Alert.objects.get()

    flaky = FlakyPublisher(failures=1)
    assert alerts_publish(alert_ids=[alert.pk], publisher=flaky) == 1
    assert [event.event_id for event in flaky.published] == [alert.event_id]

    down = FlakyPublisher(failures=2)
    assert alerts_publish(alert_ids=[alert.pk], publisher=down) == 0  # already published
    alert.refresh_from_db()
    assert alert.published_at is not None


def test_an_alert_failing_twice_waits_for_the_sweeper(camera, settings):
    a_rule(camera)
    settings.RABBITMQ_URL = BROKER_DOWN
    store(a_detection(camera))
    alert = Alert.objects.get()

    assert alerts_publish(alert_ids=[alert.pk], publisher=FlakyPublisher(failures=2)) == 0

    alert.refresh_from_db()
    assert alert.published_at is None

"""Delivering alerts from the `alerts.notifications` queue (webhook and e-mail).

The queue is bound to the fanout exchange `alerts`, which carries `alert.raised` (named by
the AMQP `type` property). Each message goes through the shared MessageHandler: the
alert's webhook and e-mail are delivered and the outcome recorded on its row before the
ack; a malformed message, an unknown schema_version or an alert that is not stored is
dead-lettered to `alerts.dlq` with the reason in `x-vms-error`; a database outage
requeues it. Delivery is idempotent per alert and channel, so a redelivered message sends
nothing twice.

A webhook may take its full timeout three times over, so the step consumes on a thread
and connection of its own rather than in the worker's event loop: a slow customer endpoint
never holds up the detection results the same worker stores. Between messages, every
ALERT_OUTBOX_INTERVAL_S, the thread sweeps the outbox: alerts the broker never confirmed
(an outage when they were committed) are published again.
"""

import threading
import time
from typing import Any

import pika
import pika.exceptions
from celery import bootsteps
from django.conf import settings
from django.db import close_old_connections, connections

from infrastructure.messaging.broker import connection_parameters, topology_declare
from infrastructure.messaging.dead_letters import DeadLetterPublisher
from infrastructure.messaging.segment_consumer import DeadLetters, MessageHandler, Outcome
from vms_common.backoff import Backoff
from vms_common.contracts import AlertRaised
from vms_common.logging import get_logger

ALERTS_QUEUE = "alerts.notifications"
PREFETCH_COUNT = 10
# How often the consuming thread looks up from an idle queue (stop request, outbox).
IDLE_S = 1.0
STOP_TIMEOUT_S = 30.0

logger = get_logger(__name__)


def alert_message_handler(
    *,
    dead_letters: DeadLetters,
    deliver: Any = None,
    backoff: Backoff | None = None,
) -> MessageHandler:
    """The handler of `alerts.notifications`: `alert.raised` only."""
    if deliver is None:
        from apps.alerts.notifications import alert_event_deliver

        deliver = alert_event_deliver
    return MessageHandler(
        persist=deliver,
        accepts=(AlertRaised,),
        dead_letters=dead_letters,
        reset_database=connections.close_all,
        backoff=backoff,
        kind="alert notification",
    )


def outbox_sweep() -> int:
    """Publish alerts left unpublished; never raises (the consumer must keep running)."""
    from apps.alerts.publishing import alerts_publish_pending

    close_old_connections()
    try:
        return alerts_publish_pending()
    except Exception:
        logger.exception("alert outbox sweep failed")
        return 0
    finally:
        close_old_connections()


class AlertNotificationsConsumer:
    """Consumes `alerts.notifications` on its own pika connection until `stop()`.

    Reconnects after a broker outage with a growing, bounded pause; declares the topology
    on every connection.
    """

    def __init__(self, url: str, definitions: Any, outbox_interval_s: float) -> None:
        self._url = url
        self._definitions = definitions
        self._outbox_interval_s = outbox_interval_s
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._next_sweep = 0.0

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="alert-notifications", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = STOP_TIMEOUT_S) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    def _run(self) -> None:
        reconnect = Backoff(initial_s=0.5, maximum_s=10.0)
        self._next_sweep = time.monotonic() + self._outbox_interval_s
        try:
            while not self._stopping.is_set():
                try:
                    self._consume(reconnect)
                except (pika.exceptions.AMQPError, OSError) as exc:
                    delay = reconnect.next_delay()
                    logger.warning(
                        "alert notifications: broker unavailable, reconnecting",
                        error=repr(exc),
                        retry_in_s=delay,
                    )
                    self._stopping.wait(delay)
                except Exception:
                    delay = reconnect.next_delay()
                    logger.exception("alert notifications consumer failed", retry_in_s=delay)
                    self._stopping.wait(delay)
        finally:
            connections.close_all()

    def _consume(self, reconnect: Backoff) -> None:
        topology = topology_declare(self._url, self._definitions)
        exchange = topology.queue(ALERTS_QUEUE)["arguments"]["x-dead-letter-exchange"]
        dead_letters = DeadLetterPublisher(self._url, exchange)
        connection = pika.BlockingConnection(connection_parameters(self._url))
        try:
            channel = connection.channel()
            channel.basic_qos(prefetch_count=PREFETCH_COUNT)
            handler = alert_message_handler(dead_letters=dead_letters)
            logger.info("consuming alert notifications", queue=ALERTS_QUEUE)
            reconnect.reset()
            for method, properties, body in channel.consume(
                ALERTS_QUEUE, inactivity_timeout=IDLE_S
            ):
                if method is not None:
                    self._handle(channel, handler, method, properties, body)
                if self._stopping.is_set():
                    break
                if time.monotonic() >= self._next_sweep:
                    outbox_sweep()
                    self._next_sweep = time.monotonic() + self._outbox_interval_s
            channel.cancel()
        finally:
            dead_letters.close()
            if connection.is_open:
                connection.close()

    def _handle(
        self, channel: Any, handler: MessageHandler, method: Any, properties: Any, body: bytes
    ) -> None:
        close_old_connections()
        try:
            decision = handler.handle(
                routing_key=method.routing_key or "",
                body=body,
                headers=properties.headers,
                exchange=method.exchange or "",
                content_type=properties.content_type,
                message_type=properties.type,
            )
        finally:
            close_old_connections()
        if decision.outcome is Outcome.RETRY:
            self._stopping.wait(decision.delay_s)
            channel.basic_nack(method.delivery_tag, requeue=True)
        else:
            channel.basic_ack(method.delivery_tag)


class AlertNotificationsStep(bootsteps.StartStopStep):
    """Celery consumer bootstep running the alert notifications consumer beside the worker."""

    name = "vms.alert_notifications"

    def __init__(self, parent: Any, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self.consumer: AlertNotificationsConsumer | None = None

    def start(self, c: Any) -> None:
        if self.consumer is None:
            self.consumer = AlertNotificationsConsumer(
                settings.RABBITMQ_URL,
                settings.RABBITMQ_DEFINITIONS,
                float(settings.ALERT_OUTBOX_INTERVAL_S),
            )
        self.consumer.start()

    def stop(self, c: Any) -> None:
        # The worker's own connection restarting is no reason to stop delivering alerts.
        return None

    def shutdown(self, c: Any) -> None:
        from apps.alerts.publishing import alerts_publisher_close

        if self.consumer is not None:
            self.consumer.stop()
            self.consumer = None
        alerts_publisher_close()

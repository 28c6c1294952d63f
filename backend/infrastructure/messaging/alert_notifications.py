"""Delivering alerts from the `alerts.notifications` queue (webhook and e-mail).

The queue is bound to the fanout exchange `alerts`, which carries `alert.raised` (named by
the AMQP `type` property). Each message goes through the shared MessageHandler: the
alert's webhook and e-mail are delivered and the outcome recorded on its row before the
ack; a malformed message, an unknown schema_version or an alert that is not stored is
dead-lettered to `alerts.dlq` with the reason in `x-vms-error`; a database outage
requeues it. Delivery is idempotent per alert and channel, so a redelivered message sends
nothing twice.

The step also sweeps the outbox every ALERT_OUTBOX_INTERVAL_S: alerts the broker never
confirmed (an outage when they were committed) are published again.
"""

from typing import Any

from django.conf import settings
from django.db import close_old_connections, connections

from infrastructure.messaging.segment_consumer import (
    DeadLetters,
    MessageHandler,
    PersistConsumerStep,
)
from vms_common.backoff import Backoff
from vms_common.contracts import AlertRaised
from vms_common.logging import get_logger

ALERTS_QUEUE = "alerts.notifications"

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


class AlertNotificationsStep(PersistConsumerStep):
    """Celery consumer bootstep that delivers alerts and sweeps the alert outbox."""

    name = "vms.alert_notifications"
    queue = ALERTS_QUEUE
    kind = "alert notifications"
    decode_by_type = True

    def __init__(self, parent: Any, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self._sweeper: Any = None

    def make_handler(self, dead_letters: DeadLetters) -> MessageHandler:
        return alert_message_handler(dead_letters=dead_letters)

    def start(self, c: Any) -> None:
        super().start(c)
        if self._sweeper is None and getattr(c, "timer", None) is not None:
            self._sweeper = c.timer.call_repeatedly(
                float(settings.ALERT_OUTBOX_INTERVAL_S), outbox_sweep
            )

    def shutdown(self, c: Any) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            self._sweeper = None
        super().shutdown(c)

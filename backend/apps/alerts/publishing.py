"""Publishing alerts to the `alerts` exchange, with an outbox for broker outages.

An alert is published once the transaction that stored it commits, and stamped
`published_at` when the broker confirmed it. When the broker could not be reached then,
`alerts_publish_pending` (run by the notifications consumer every
ALERT_OUTBOX_INTERVAL_S and by the `alerts_publish_pending` command) publishes it again
once it has waited ALERT_OUTBOX_AFTER_S. A message published twice is delivered once: the
notifications consumer is idempotent per alert and channel.
"""

import threading
from collections.abc import Iterable
from datetime import timedelta
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from apps.alerts.models import Alert
from vms_common.contracts import AlertRaised, Box, Event
from vms_common.logging import get_logger
from vms_common.publisher import Publisher, PublishError

ALERTS_EXCHANGE = "alerts"
OUTBOX_BATCH = 500

logger = get_logger(__name__)


class EventPublisher(Protocol):
    """Publishes one event and returns once the broker confirmed it (else PublishError)."""

    def publish(self, message: Event) -> None: ...


_publishers: dict[tuple[str, str], Publisher] = {}
_publishers_lock = threading.Lock()


def alerts_publisher() -> EventPublisher:
    """The process's publisher on the `alerts` exchange (one per broker URL), built lazily."""
    key = (str(settings.RABBITMQ_URL), str(settings.RABBITMQ_DEFINITIONS))
    with _publishers_lock:
        publisher = _publishers.get(key)
        if publisher is None:
            publisher = Publisher(key[0], settings.RABBITMQ_DEFINITIONS, ALERTS_EXCHANGE)
            _publishers[key] = publisher
        return publisher


def alert_event(alert: Alert) -> AlertRaised:
    """The `alert.raised` message of a stored alert."""
    return AlertRaised(
        event_id=alert.event_id,
        tenant_id=str(alert.tenant_id),
        camera_id=str(alert.camera_id),
        occurred_at=alert.raised_at,
        trace_id=alert.trace_id or alert.event_id.hex,
        rule_id=alert.rule_id,
        rule_name=alert.rule_name,
        label=alert.label,
        confidence=alert.confidence,
        box=Box.model_validate(alert.box) if alert.box else None,
        captured_at=alert.captured_at,
        detection_id=alert.detection_id,
    )


def alerts_publish_on_commit(alert_ids: list[int]) -> None:
    """Publish the alerts once the current transaction commits; nothing if it rolls back."""
    ids = list(alert_ids)
    transaction.on_commit(lambda: alerts_publish(alert_ids=ids), robust=True)


def alerts_publish(*, alert_ids: Iterable[int], publisher: EventPublisher | None = None) -> int:
    """Publish the given alerts not yet published; stamp each confirmed one. Never raises
    for a broker outage: what is left unpublished waits for the outbox sweeper.

    Returns how many were published.
    """
    alerts = Alert.objects.filter(pk__in=list(alert_ids), published_at__isnull=True).order_by("id")
    return _publish(alerts, publisher)


def alerts_publish_pending(
    *, older_than_s: float | None = None, publisher: EventPublisher | None = None
) -> int:
    """The outbox sweep: publish alerts left unpublished for more than `older_than_s`
    (default ALERT_OUTBOX_AFTER_S), oldest first, at most OUTBOX_BATCH per call."""
    alerts = _unpublished(older_than_s).order_by("id")[:OUTBOX_BATCH]
    published = _publish(alerts, publisher)
    if published:
        logger.info("unpublished alerts published", count=published)
    return published


def alerts_unpublished_count(*, older_than_s: float | None = None) -> int:
    return _unpublished(older_than_s).count()


def _unpublished(older_than_s: float | None) -> QuerySet[Alert]:
    wait = settings.ALERT_OUTBOX_AFTER_S if older_than_s is None else older_than_s
    cutoff = timezone.now() - timedelta(seconds=wait)
    return Alert.objects.filter(published_at__isnull=True, raised_at__lte=cutoff)


def _publish(alerts: Iterable[Alert], publisher: EventPublisher | None) -> int:
    target = publisher or alerts_publisher()
    published = 0
    for alert in alerts:
        try:
            _publish_one(target, alert_event(alert))
        except PublishError as exc:
            logger.warning(
                "alert not published, the outbox sweeper will retry",
                alert_id=alert.pk,
                error=str(exc),
            )
            break
        Alert.objects.filter(pk=alert.pk, published_at__isnull=True).update(
            published_at=timezone.now()
        )
        published += 1
    return published


def _publish_one(publisher: EventPublisher, event: AlertRaised) -> None:
    """Publish, trying once more on a new connection: alerts are rare, and the broker may
    have closed the idle one in between (missed heartbeats)."""
    try:
        publisher.publish(event)
    except PublishError:
        publisher.publish(event)


def alerts_publisher_close() -> None:
    with _publishers_lock:
        for publisher in _publishers.values():
            publisher.close()
        _publishers.clear()

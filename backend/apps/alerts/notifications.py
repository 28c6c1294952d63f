"""Delivering an alert: a POST to its webhook and an e-mail to its addresses.

The notifications consumer calls `alert_event_deliver` for each `alert.raised` message.
Each channel is delivered at most once per alert: a channel already delivered (or failed
for good) is skipped when the message comes again, and the alert's row is locked while it
is being delivered, so a duplicate message waits and then finds it done.
"""

import smtplib
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from apps.alerts.models import Alert, DeliveryStatus
from apps.alerts.publishing import alert_event
from apps.core.exceptions import InvalidInput, ResourceNotFound
from infrastructure.notifications.webhook import HttpPost, webhook_deliver
from vms_common.contracts import AlertRaised, Event, encode
from vms_common.logging import get_logger

logger = get_logger(__name__)

MAX_ERROR_CHARS = 1000


class UnknownAlert(ResourceNotFound):
    """The message names an alert that is not stored (in that tenant)."""

    default_code = "unknown_alert"


def alert_event_deliver(
    event: Event,
    *,
    post: HttpPost | None = None,
    sleep: Callable[[float], None] | None = None,
) -> Alert:
    """The consumer's entry point: deliver the alert an `alert.raised` message names."""
    if not isinstance(event, AlertRaised):
        raise InvalidInput(
            f"not an alert: {event.routing_key}",
            code="unexpected_event",
            extra={"routing_key": event.routing_key},
        )
    with transaction.atomic():
        alert = _alert_locked(event)
        if alert.webhook_status == DeliveryStatus.PENDING:
            _webhook_send(alert, post=post, sleep=sleep)
        if alert.email_status == DeliveryStatus.PENDING:
            _email_send(alert)
    return alert


def _alert_locked(event: AlertRaised) -> Alert:
    extra = {"event_id": str(event.event_id), "tenant_id": event.tenant_id}
    try:
        tenant_id = uuid.UUID(event.tenant_id)
    except ValueError:
        raise UnknownAlert("unknown alert: the tenant id is not a UUID", extra=extra) from None
    alert = (
        Alert.objects.select_for_update(of=("self",))
        .select_related("camera")
        .filter(event_id=event.event_id, tenant_id=tenant_id)
        .first()
    )
    if alert is None:
        raise UnknownAlert(f"unknown alert {event.event_id}", extra=extra)
    return alert


def _webhook_send(
    alert: Alert, *, post: HttpPost | None, sleep: Callable[[float], None] | None
) -> None:
    body = encode(alert_event(alert))
    options: dict[str, Any] = {}
    if sleep is not None:
        options["sleep"] = sleep
    outcome = webhook_deliver(
        url=alert.webhook_url,
        body=body,
        secret=settings.ALERT_WEBHOOK_SECRET,
        headers={"X-VMS-Event": AlertRaised.routing_key, "X-VMS-Delivery": str(alert.event_id)},
        timeout_s=settings.ALERT_WEBHOOK_TIMEOUT_S,
        attempts=settings.ALERT_WEBHOOK_ATTEMPTS,
        delays_s=(1.0, 2.0, 4.0),
        post=post,
        allow_private=settings.ALERT_WEBHOOK_ALLOW_PRIVATE,
        **options,
    )
    alert.webhook_attempts += outcome.attempts
    if outcome.delivered:
        alert.webhook_status = DeliveryStatus.DELIVERED
        alert.webhook_delivered_at = timezone.now()
        alert.webhook_error = ""
    else:
        alert.webhook_status = DeliveryStatus.FAILED
        alert.webhook_error = outcome.error[:MAX_ERROR_CHARS]
    alert.save(
        update_fields=[
            "webhook_status", "webhook_attempts", "webhook_error", "webhook_delivered_at",
        ]
    )  # fmt: skip
    log = logger.info if outcome.delivered else logger.warning
    log(
        "alert webhook delivered" if outcome.delivered else "alert webhook failed",
        alert_id=alert.pk,
        attempts=outcome.attempts,
        status_code=outcome.status_code,
        error=outcome.error,
    )


def _email_send(alert: Alert) -> None:
    when = alert.captured_at.isoformat().replace("+00:00", "Z")
    camera = alert.camera.name
    subject = f"[VMS] {alert.rule_name}: {alert.label} on {camera}"
    message = "\n".join(
        [
            f"Rule: {alert.rule_name}",
            f"Camera: {camera} ({alert.camera_id})",
            f"Seen: {alert.label}, confidence {alert.confidence:.2f}",
            f"Captured at: {when}",
            f"Alert: {alert.event_id}",
        ]
    )
    alert.email_attempts += 1
    try:
        send_mail(
            subject,
            message,
            settings.ALERT_EMAIL_FROM,
            list(alert.emails or []),
            fail_silently=False,
        )
    except (smtplib.SMTPException, OSError) as exc:
        alert.email_status = DeliveryStatus.FAILED
        alert.email_error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS]
        logger.warning("alert e-mail failed", alert_id=alert.pk, error=alert.email_error)
    else:
        alert.email_status = DeliveryStatus.DELIVERED
        alert.email_delivered_at = timezone.now()
        alert.email_error = ""
        logger.info("alert e-mail sent", alert_id=alert.pk, recipients=len(alert.emails))
    alert.save(
        update_fields=["email_status", "email_attempts", "email_error", "email_delivered_at"]
    )

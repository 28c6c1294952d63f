"""The Celery app `vms` and its worker wiring.

Producers publish plain JSON contracts (not Celery tasks), so the worker consumes the
`recordings.persist` and `detections.processing` queues through consumer bootsteps rather
than through tasks. With WORKER_METRICS_PORT set, the worker serves its Prometheus metrics
(events processed, dead letters) on that port.
Run it with `celery -A config worker`.
"""

import logging
import os

from celery import Celery, signals
from django.conf import settings
from prometheus_client import start_http_server

from infrastructure.messaging.alert_notifications import AlertNotificationsStep
from infrastructure.messaging.celery_consumer import DetectionEventsStep
from infrastructure.messaging.segment_consumer import SegmentConsumerStep
from vms_common.logging import configure_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("vms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.steps["consumer"].add(SegmentConsumerStep)
app.steps["consumer"].add(DetectionEventsStep)
app.steps["consumer"].add(AlertNotificationsStep)
app.autodiscover_tasks()


@signals.worker_ready.connect
def _serve_metrics(**_: object) -> None:
    if settings.WORKER_METRICS_PORT:
        start_http_server(settings.WORKER_METRICS_PORT, addr=settings.WORKER_METRICS_ADDR)


@signals.setup_logging.connect
def _configure_worker_logging(loglevel: str | int | None = None, **_: object) -> None:
    """Send the worker's logs (ours, Celery's, kombu's) through the shared JSON setup.

    The more verbose of LOG_LEVEL and the worker's `--loglevel` wins, so the outcome of
    every message is logged at the default INFO even though Celery defaults to WARNING.
    """
    levels = [logging.getLevelName(settings.LOG_LEVEL.upper())]
    if isinstance(loglevel, int):
        levels.append(loglevel)
    elif isinstance(loglevel, str):
        levels.append(logging.getLevelName(loglevel.upper()))
    numeric = [level for level in levels if isinstance(level, int)] or [logging.INFO]
    configure_logging("worker", logging.getLevelName(min(numeric)))

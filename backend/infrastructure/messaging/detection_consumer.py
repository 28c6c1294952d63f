"""Persisting detection results from the `detections.processing` queue.

The detection service publishes `DetectionResult` on the topic exchange `detections`
with the routing key `{tenant}.{camera}.{label}`, so the contract is named by the AMQP
`type` property (`detection.result`), not by the routing key. A message without a type
falls back to its routing key, which names no contract: a contract error, dead-lettered.
Otherwise it goes as segment events do (the same handler): stored once per `event_id` and
acked after the commit; an unknown camera or a broken body dead-lettered with
`x-vms-error`; a database outage requeued after a growing, bounded pause.
"""

from collections.abc import Callable
from typing import Any

from django.db import connections

from infrastructure.messaging.segment_consumer import (
    DeadLetters,
    MessageHandler,
    PersistConsumerStep,
)
from vms_common.backoff import Backoff
from vms_common.contracts import DetectionResult, Event

DETECTIONS_QUEUE = "detections.processing"


def detection_message_handler(
    *,
    persist: Callable[[Event], Any],
    dead_letters: DeadLetters,
    reset_database: Callable[[], None],
    backoff: Backoff | None = None,
) -> MessageHandler:
    """The handler of `detections.processing`: detection results only."""
    return MessageHandler(
        persist=persist,
        accepts=(DetectionResult,),
        dead_letters=dead_letters,
        reset_database=reset_database,
        backoff=backoff,
        kind="detection result",
    )


class DetectionConsumerStep(PersistConsumerStep):
    """Celery consumer bootstep that persists detection results."""

    name = "vms.detection_consumer"
    queue = DETECTIONS_QUEUE
    kind = "detection results"
    decode_by_type = True

    def make_handler(self, dead_letters: DeadLetters) -> MessageHandler:
        from apps.detections.services import detection_event_persist

        return detection_message_handler(
            persist=detection_event_persist,
            dead_letters=dead_letters,
            reset_database=connections.close_all,
        )

"""Processing detection events: `detections.processing` -> `detection_results`, in batches.

The detection service publishes plain JSON `DetectionResult` contracts (AMQP type
`detection.result`), not Celery tasks, so the Celery worker takes them through a consumer
bootstep. Messages are gathered for up to `FLUSH_S` or `BATCH_SIZE` messages and stored
with one `detections_store` call (one transaction, two queries), which is what lets one
worker keep up with hundreds of events a second; `detections_stored` then lets the alert
rules and the WebSocket push see the new rows.

What becomes of each message (`process_detection_events`):

- stored, or already stored (a redelivery): acked after the commit;
- can never succeed (malformed JSON, unknown schema version, not a detection result, a
  camera that does not exist in the event's tenant): dead-lettered at once to
  `detections.dlq` with the reason in `x-vms-error`, then acked;
- failed for another reason (a failing persistence step, a receiver's error): the batch is
  taken apart and each event stored on its own, so one bad event does not hold back the
  others; an event that still fails is retried up to three times, 2^retry seconds apart
  (1, 2, 4 s), by publishing it to the retry queue of that delay
  (`detections.processing.retry.{1,2,4}s`, whose messages expire back into
  `detections.processing`), with its count in `x-vms-retries`; after the third retry it is
  dead-lettered with the last error. Waiting in the broker rather than in the worker keeps
  the worker consuming and the message safe if the worker stops;
- the database is unreachable: nothing is the message's fault, so the batch is requeued
  after a short, growing, bounded pause, as often as it takes.
"""

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol

from celery import bootsteps
from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections, connections
from kombu import Consumer, Queue
from kombu.message import Message

from apps.core.exceptions import ApplicationError
from infrastructure.messaging.broker import topology_declare
from infrastructure.messaging.dead_letters import DeadLetterError, DeadLetterPublisher
from infrastructure.messaging.metrics import DEAD_LETTERS, DETECTION_EVENTS
from vms_common.backoff import Backoff
from vms_common.contracts import ContractError, DetectionResult, decode
from vms_common.logging import get_logger
from vms_common.topology import Topology

QUEUE = "detections.processing"
RETRIES_HEADER = "x-vms-retries"
BATCH_SIZE = 200
FLUSH_S = 0.02
PREFETCH_COUNT = 2 * BATCH_SIZE

logger = get_logger(__name__)


class Outcome(StrEnum):
    STORED = "stored"  # stored now or before (a redelivery)
    DEAD_LETTERED = "dead_lettered"
    RETRY_LATER = "retry_later"  # in a retry queue
    REQUEUE = "requeue"  # back to the queue after a pause: the database is away


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    delay_s: float = 0.0


@dataclass(frozen=True)
class Delivery:
    """One message as it came off the queue."""

    routing_key: str
    body: bytes
    headers: Mapping[str, Any] = field(default_factory=dict)
    exchange: str = ""
    content_type: str | None = None
    message_type: str | None = None

    @property
    def retries(self) -> int:
        try:
            return max(0, int(self.headers.get(RETRIES_HEADER, 0)))
        except (TypeError, ValueError):
            return 0

    @property
    def trace_id(self) -> str:
        value = self.headers.get("trace_id")
        return value.decode() if isinstance(value, bytes) else str(value or "")


class Republisher(Protocol):
    """Publishes a message again with confirms (`DeadLetterPublisher`)."""

    def publish(
        self,
        *,
        body: bytes,
        routing_key: str,
        headers: Mapping[str, Any],
        content_type: str | None = None,
        message_type: str | None = None,
    ) -> None: ...


class StoredBatchLike(Protocol):
    refused: Mapping[Any, ApplicationError]


def retry_queues(topology: Topology, queue: str) -> list[str]:
    """The queues whose expired messages return to `queue`, shortest delay first."""
    found = [
        (int(q["arguments"]["x-message-ttl"]), q["name"])
        for q in topology.queues
        if (q.get("arguments") or {}).get("x-dead-letter-routing-key") == queue
    ]
    return [name for _, name in sorted(found)]


class DetectionEventsHandler:
    """Decides what becomes of a batch of messages; the caller acks or requeues each."""

    def __init__(
        self,
        *,
        store: Callable[[Sequence[DetectionResult]], StoredBatchLike],
        dead_letters: Republisher,
        retries: Republisher,
        retry_queues: Sequence[str],
        reset_database: Callable[[], None],
        backoff: Backoff | None = None,
        queue: str = QUEUE,
    ) -> None:
        self._store = store
        self._dead_letters = dead_letters
        self._retries = retries
        self._retry_queues = list(retry_queues)
        self._reset_database = reset_database
        self._backoff = backoff or Backoff(initial_s=0.5, maximum_s=5.0)
        self._queue = queue

    @property
    def max_retries(self) -> int:
        return len(self._retry_queues)

    def process_detection_events(self, deliveries: Sequence[Delivery]) -> list[Decision]:
        decisions: list[Decision | None] = [None] * len(deliveries)
        events: dict[int, DetectionResult] = {}
        for i, delivery in enumerate(deliveries):
            try:
                event = decode(delivery.message_type or delivery.routing_key, delivery.body)
            except ContractError as exc:
                decisions[i] = self._dead_letter(delivery, "contract_error", str(exc))
                continue
            if not isinstance(event, DetectionResult):
                reason = f"not a detection result: {event.routing_key}"
                decisions[i] = self._dead_letter(delivery, "unexpected_event", reason)
                continue
            events[i] = event
        if events:
            for i, decision in self._store_batch(deliveries, events).items():
                decisions[i] = decision
        done = [d for d in decisions if d is not None]
        assert len(done) == len(deliveries)
        for decision in done:
            DETECTION_EVENTS.labels(outcome=decision.outcome).inc()
        return done

    def _store_batch(
        self, deliveries: Sequence[Delivery], events: dict[int, DetectionResult]
    ) -> dict[int, Decision]:
        try:
            batch = self._store(list(events.values()))
        except (OperationalError, InterfaceError) as exc:
            return self._database_away(events, exc)
        except Exception:
            if len(events) == 1:
                [(i, event)] = events.items()
                return {i: self._store_alone(deliveries[i], event)}
            logger.warning("batch failed, storing its events one by one", events=len(events))
            return {i: self._store_alone(deliveries[i], event) for i, event in events.items()}
        self._backoff.reset()
        return {i: self._settle(deliveries[i], event, batch) for i, event in events.items()}

    def _store_alone(self, delivery: Delivery, event: DetectionResult) -> Decision:
        try:
            batch = self._store([event])
        except (OperationalError, InterfaceError) as exc:
            return self._database_away({0: event}, exc)[0]
        except ApplicationError as exc:
            return self._dead_letter(delivery, exc.code, exc.message)
        except Exception as exc:
            logger.exception("detection event failed", event_id=str(event.event_id))
            return self._retry(delivery, f"{type(exc).__name__}: {exc}")
        return self._settle(delivery, event, batch)

    def _settle(
        self, delivery: Delivery, event: DetectionResult, batch: StoredBatchLike
    ) -> Decision:
        refusal = batch.refused.get(event.event_id)
        if refusal is not None:
            return self._dead_letter(delivery, refusal.code, refusal.message)
        return Decision(Outcome.STORED)

    def _database_away(
        self, events: Mapping[int, DetectionResult], exc: Exception
    ) -> dict[int, Decision]:
        self._reset_database()
        delay = self._backoff.next_delay()
        logger.warning(
            "database unavailable, detection events requeued",
            error=repr(exc),
            events=len(events),
            retry_in_s=delay,
        )
        return {i: Decision(Outcome.REQUEUE, delay) for i in events}

    def _retry(self, delivery: Delivery, reason: str) -> Decision:
        attempt = delivery.retries
        if attempt >= self.max_retries:
            return self._dead_letter(
                delivery, "retries_exhausted", f"failed after {attempt} retries: {reason}"
            )
        queue = self._retry_queues[attempt]
        try:
            self._retries.publish(
                body=delivery.body,
                routing_key=queue,
                headers={**delivery.headers, **_origin(delivery), RETRIES_HEADER: attempt + 1},
                content_type=delivery.content_type,
                message_type=delivery.message_type,
            )
        except DeadLetterError as exc:
            return self._broker_away(reason, exc)
        logger.warning("detection event retried later", queue=queue, retry=attempt + 1)
        return Decision(Outcome.RETRY_LATER)

    def _dead_letter(self, delivery: Delivery, code: str, reason: str) -> Decision:
        headers = {
            **delivery.headers,
            "x-vms-error": f"{code}: {reason}"[:1000],
            "x-vms-error-code": code,
            **_origin(delivery),
            "x-vms-failed-at": datetime.now(UTC).isoformat(),
            "trace_id": delivery.trace_id,
        }
        headers.pop(RETRIES_HEADER, None)
        try:
            self._dead_letters.publish(
                body=delivery.body,
                routing_key=delivery.routing_key,
                headers=headers,
                content_type=delivery.content_type,
                message_type=delivery.message_type,
            )
        except DeadLetterError as exc:
            return self._broker_away(reason, exc)
        DEAD_LETTERS.labels(queue=self._queue, code=code).inc()
        logger.warning(
            "message dead-lettered", code=code, reason=reason, trace_id=delivery.trace_id
        )
        return Decision(Outcome.DEAD_LETTERED)

    def _broker_away(self, reason: str, exc: Exception) -> Decision:
        delay = self._backoff.next_delay()
        logger.error("message not republished, requeued", error=str(exc), reason=reason)
        return Decision(Outcome.REQUEUE, delay)


def _origin(delivery: Delivery) -> dict[str, Any]:
    """Where the message was first published: kept through the retry queues, so a dead
    letter is replayed to its exchange and routing key, not to a retry queue's."""
    headers = delivery.headers
    if RETRIES_HEADER in headers and "x-vms-original-exchange" in headers:
        return {
            "x-vms-original-routing-key": headers.get("x-vms-original-routing-key"),
            "x-vms-original-exchange": headers.get("x-vms-original-exchange"),
        }
    return {
        "x-vms-original-routing-key": delivery.routing_key,
        "x-vms-original-exchange": delivery.exchange,
    }


class DetectionEventsStep(bootsteps.ConsumerStep):
    """Celery consumer bootstep feeding `DetectionEventsHandler` from `detections.processing`.

    Messages wait in `pending` until `BATCH_SIZE` have come or the worker's timer fires
    (every `FLUSH_S`); both run in the consumer's event loop, which also acks.
    """

    name = "vms.detection_events"

    def __init__(self, parent: Any, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self.handler: DetectionEventsHandler | None = None
        self.pending: list[Message] = []
        self._publishers: list[DeadLetterPublisher] = []
        self._timer: Any = None

    def start(self, c: Any) -> None:
        self._close_publishers()
        topology = topology_declare(settings.RABBITMQ_URL, settings.RABBITMQ_DEFINITIONS)
        from apps.detections.services import detections_store

        dead_letter_exchange = topology.queue(QUEUE)["arguments"]["x-dead-letter-exchange"]
        dead_letters = DeadLetterPublisher(settings.RABBITMQ_URL, dead_letter_exchange)
        retries = DeadLetterPublisher(settings.RABBITMQ_URL, "")
        self._publishers = [dead_letters, retries]
        self.handler = DetectionEventsHandler(
            store=lambda events: detections_store(events=events),
            dead_letters=dead_letters,
            retries=retries,
            retry_queues=retry_queues(topology, QUEUE),
            reset_database=connections.close_all,
        )
        super().start(c)
        # Again at every (re)connection: the worker clears its timer when the broker goes.
        self._cancel_timer()
        self._timer = c.timer.call_repeatedly(FLUSH_S, self.flush)
        logger.info("consuming detection results", queue=QUEUE, batch=BATCH_SIZE)

    def get_consumers(self, channel: Any) -> list[Consumer]:
        channel.basic_qos(prefetch_size=0, prefetch_count=PREFETCH_COUNT, a_global=False)
        return [
            Consumer(
                channel,
                queues=[Queue(QUEUE, no_declare=True)],
                on_message=self.on_message,
                auto_declare=False,
            )
        ]

    def on_message(self, message: Message) -> None:
        self.pending.append(message)
        if len(self.pending) >= BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        if not self.pending or self.handler is None:
            return
        messages, self.pending = self.pending, []
        deliveries = [
            Delivery(
                routing_key=m.delivery_info.get("routing_key", ""),
                body=m.body,
                headers=m.headers or {},
                exchange=m.delivery_info.get("exchange", ""),
                content_type=m.content_type,
                message_type=m.properties.get("type"),
            )
            for m in messages
        ]
        close_old_connections()
        try:
            decisions = self.handler.process_detection_events(deliveries)
        finally:
            close_old_connections()
        pause = max((d.delay_s for d in decisions if d.outcome is Outcome.REQUEUE), default=0)
        if pause:
            time.sleep(pause)
        for message, decision in zip(messages, decisions, strict=True):
            if decision.outcome is Outcome.REQUEUE:
                message.requeue()
            else:
                message.ack()

    def stop(self, c: Any) -> None:
        # The connection is going (lost, or the worker reconnects): messages not yet settled
        # come back from the broker, and those already stored are then skipped as stored.
        self.pending = []
        super().stop(c)

    def shutdown(self, c: Any) -> None:
        try:
            self.flush()
        except Exception:
            logger.exception("last batch not settled; the broker redelivers it")
            self.pending = []
        self._cancel_timer()
        super().shutdown(c)
        self._close_publishers()

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _close_publishers(self) -> None:
        for publisher in self._publishers:
            publisher.close()
        self._publishers = []

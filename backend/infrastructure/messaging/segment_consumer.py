"""Persisting segment events from the `recordings.persist` queue.

The queue carries `segment.completed`, `segment.corrupt`, `segment.deleted` and
`segment.tiered` (bound `segment.*`). The routing key names the contract the body is
decoded with; the decoded event goes to the one persistence entry point, which applies
it by its type. The recorder publishes plain JSON contracts (vms_common), not Celery
tasks, so the Celery worker consumes the queue through a consumer bootstep. Each message is:

- persisted and then acked (the ack comes only after the database commit);
- dead-lettered when it can never succeed (a broken contract, an unknown camera, any other
  application error): its original body goes to the queue's dead-letter exchange with
  `x-vms-error` and friends in its headers, and then it is acked;
- requeued after a short, growing, bounded pause when the database is unreachable.

MessageHandler and PersistConsumerStep are generic (the queue and the events are named by
the segment ones below); detection results have their own batching consumer
(`celery_consumer.py`).
"""

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol

import structlog
from celery import bootsteps
from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections, connections
from kombu import Consumer, Queue
from kombu.message import Message

from apps.core.exceptions import ApplicationError
from infrastructure.messaging.broker import topology_declare
from infrastructure.messaging.dead_letters import DeadLetterError, DeadLetterPublisher
from infrastructure.messaging.metrics import DEAD_LETTERS
from vms_common.backoff import Backoff
from vms_common.contracts import (
    ContractError,
    Event,
    SegmentCompleted,
    SegmentCorrupt,
    SegmentDeleted,
    SegmentTiered,
    decode,
)
from vms_common.logging import bind, get_logger

PERSIST_QUEUE = "recordings.persist"
PREFETCH_COUNT = 10
SEGMENT_EVENTS = (SegmentCompleted, SegmentCorrupt, SegmentDeleted, SegmentTiered)

logger = get_logger(__name__)


class Outcome(StrEnum):
    PERSISTED = "persisted"
    DEAD_LETTERED = "dead_lettered"
    RETRY = "retry"


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    delay_s: float = 0.0


class DeadLetters(Protocol):
    def publish(
        self,
        *,
        body: bytes,
        routing_key: str,
        headers: Mapping[str, Any],
        content_type: str | None = None,
        message_type: str | None = None,
    ) -> None: ...


class MessageHandler:
    """Decides what becomes of one message; the caller acks or requeues accordingly.

    The contract is named by the AMQP `type` property when the message has one, else by
    its routing key; a decoded event that is not one of `accepts` is dead-lettered.
    `kind` names the events in the logs.
    """

    def __init__(
        self,
        *,
        persist: Callable[[Event], Any],
        accepts: tuple[type[Event], ...],
        dead_letters: DeadLetters,
        reset_database: Callable[[], None],
        backoff: Backoff | None = None,
        kind: str = "event",
        queue: str = "",
    ) -> None:
        self._persist = persist
        self._accepts = accepts
        self._kind = kind
        self._queue = queue
        self._dead_letters = dead_letters
        self._reset_database = reset_database
        self._backoff = backoff or Backoff(initial_s=0.5, maximum_s=5.0)

    def handle(
        self,
        *,
        routing_key: str,
        body: bytes,
        headers: Mapping[str, Any] | None = None,
        exchange: str = "",
        content_type: str | None = None,
        message_type: str | None = None,
    ) -> Decision:
        headers = dict(headers or {})
        with structlog.contextvars.bound_contextvars(
            trace_id=_text(headers.get("trace_id")),
            tenant_id=_text(headers.get("tenant_id")),
            camera_id="",
        ):
            letter = _Letter(routing_key, body, headers, exchange, content_type, message_type)
            contract = message_type or routing_key
            try:
                event = decode(contract, body)
            except ContractError as exc:
                return self._dead_letter(letter, "contract_error", str(exc))
            if not isinstance(event, self._accepts):
                return self._dead_letter(letter, "unexpected_event", f"cannot persist {contract}")
            bind(trace_id=event.trace_id, tenant_id=event.tenant_id, camera_id=event.camera_id)
            letter.trace_id = event.trace_id
            return self._persist_event(letter, event)

    def _persist_event(self, letter: "_Letter", event: Event) -> Decision:
        try:
            result = self._persist(event)
        except (OperationalError, InterfaceError) as exc:
            self._reset_database()
            delay = self._backoff.next_delay()
            logger.warning(
                f"database unavailable, {self._kind} requeued",
                error=repr(exc),
                retry_in_s=delay,
                event_id=str(event.event_id),
            )
            return Decision(Outcome.RETRY, delay)
        except ApplicationError as exc:
            return self._dead_letter(letter, exc.code, exc.message)
        except Exception as exc:
            # A bug or data the code did not foresee: keep the message in the DLQ for a
            # later replay rather than redelivering it forever.
            logger.exception(f"{self._kind} failed unexpectedly", event_id=str(event.event_id))
            return self._dead_letter(letter, "internal_error", f"{type(exc).__name__}: {exc}")
        self._backoff.reset()
        logger.info(
            f"{self._kind} stored, acking",
            routing_key=letter.routing_key,
            event_id=str(event.event_id),
            row_id=getattr(result, "id", None),
        )
        return Decision(Outcome.PERSISTED)

    def _dead_letter(self, letter: "_Letter", code: str, reason: str) -> Decision:
        headers = {
            **letter.headers,
            "x-vms-error": f"{code}: {reason}"[:1000],
            "x-vms-error-code": code,
            "x-vms-original-routing-key": letter.routing_key,
            "x-vms-original-exchange": letter.exchange,
            "x-vms-failed-at": datetime.now(UTC).isoformat(),
            "trace_id": letter.trace_id,
        }
        try:
            self._dead_letters.publish(
                body=letter.body,
                routing_key=letter.routing_key,
                headers=headers,
                content_type=letter.content_type,
                message_type=letter.message_type,
            )
        except DeadLetterError as exc:
            delay = self._backoff.next_delay()
            logger.error(
                "dead letter not published, message requeued",
                error=str(exc),
                reason=reason,
                retry_in_s=delay,
            )
            return Decision(Outcome.RETRY, delay)
        DEAD_LETTERS.labels(queue=self._queue, code=code).inc()
        logger.warning("message dead-lettered", code=code, reason=reason)
        return Decision(Outcome.DEAD_LETTERED)


class SegmentMessageHandler(MessageHandler):
    """The handler of `recordings.persist`: segment events only."""

    def __init__(
        self,
        *,
        persist: Callable[[Event], Any],
        dead_letters: DeadLetters,
        reset_database: Callable[[], None],
        backoff: Backoff | None = None,
    ) -> None:
        super().__init__(
            persist=persist,
            accepts=SEGMENT_EVENTS,
            dead_letters=dead_letters,
            reset_database=reset_database,
            backoff=backoff,
            kind="segment event",
            queue=PERSIST_QUEUE,
        )


class _Letter:
    """The original message, as it will go to the dead-letter exchange."""

    def __init__(
        self,
        routing_key: str,
        body: bytes,
        headers: dict[str, Any],
        exchange: str,
        content_type: str | None,
        message_type: str | None = None,
    ) -> None:
        self.routing_key = routing_key
        self.body = body
        self.headers = headers
        self.exchange = exchange
        self.content_type = content_type
        self.message_type = message_type
        self.trace_id = _text(headers.get("trace_id"))


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return "" if value is None else str(value)


class PersistConsumerStep(bootsteps.ConsumerStep):
    """Celery consumer bootstep that persists the events of one queue.

    On every (re)connection of the worker it declares the topology from the definitions
    file, then consumes `queue` with a bounded prefetch. Subclasses name the queue and
    build the handler (importing models there: Django is set up once the worker starts).
    """

    queue: str = ""
    kind: str = "events"
    # Whether the AMQP `type` property names the contract (else the routing key does).
    decode_by_type: bool = False

    def __init__(self, parent: Any, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self.handler: MessageHandler | None = None
        self._dead_letters: Any = None

    def make_handler(self, dead_letters: DeadLetters) -> MessageHandler:
        raise NotImplementedError

    def start(self, c: Any) -> None:
        if self._dead_letters is not None:
            self._dead_letters.close()
        topology = topology_declare(settings.RABBITMQ_URL, settings.RABBITMQ_DEFINITIONS)
        dead_letter_exchange = topology.queue(self.queue)["arguments"]["x-dead-letter-exchange"]
        self._dead_letters = DeadLetterPublisher(settings.RABBITMQ_URL, dead_letter_exchange)
        self.handler = self.make_handler(self._dead_letters)
        super().start(c)
        logger.info(f"consuming {self.kind}", queue=self.queue)

    def get_consumers(self, channel: Any) -> list[Consumer]:
        channel.basic_qos(prefetch_size=0, prefetch_count=PREFETCH_COUNT, a_global=False)
        return [
            Consumer(
                channel,
                queues=[Queue(self.queue, no_declare=True)],
                on_message=self.on_message,
                auto_declare=False,
            )
        ]

    def on_message(self, message: Message) -> None:
        if self.handler is None:
            message.requeue()
            return
        close_old_connections()
        try:
            decision = self.handler.handle(
                routing_key=message.delivery_info.get("routing_key", ""),
                body=message.body,
                headers=message.headers,
                exchange=message.delivery_info.get("exchange", ""),
                content_type=message.content_type,
                message_type=message.properties.get("type") if self.decode_by_type else None,
            )
        finally:
            close_old_connections()
        if decision.outcome is Outcome.RETRY:
            time.sleep(decision.delay_s)
            message.requeue()
        else:
            message.ack()

    def shutdown(self, c: Any) -> None:
        super().shutdown(c)
        if self._dead_letters is not None:
            self._dead_letters.close()


class SegmentConsumerStep(PersistConsumerStep):
    """Persists segment events from `recordings.persist`, decoded by routing key."""

    name = "vms.segment_consumer"
    queue = PERSIST_QUEUE
    kind = "segment events"

    def make_handler(self, dead_letters: DeadLetters) -> MessageHandler:
        from apps.playback.services import segment_event_persist

        return SegmentMessageHandler(
            persist=segment_event_persist,
            dead_letters=dead_letters,
            reset_database=connections.close_all,
        )

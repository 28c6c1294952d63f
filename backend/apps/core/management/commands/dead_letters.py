"""`manage.py dead_letters list|replay|purge`: the dead-letter queues of the topology.

Every `*.dlq` queue of the definitions file (`RABBITMQ_DEFINITIONS`) on `RABBITMQ_URL`:

- `list [--queue Q] [--limit 20]`: per queue its count and its first messages (routing key,
  error code and reason, when it failed, trace id, body size and a preview). The messages
  are taken unacknowledged and handed back with a requeue, so they stay, in their order.
- `replay --queue Q [--limit N] [--code CODE]`: each message is published again to the
  exchange and routing key it was first published with (`x-vms-original-exchange` and
  `x-vms-original-routing-key` from the consumers, or RabbitMQ's `x-death` for what the
  broker dead-lettered), without the error headers but with its trace id, and acked in the
  DLQ only once the broker has confirmed the new copy: a crash in between leaves a
  duplicate (the consumers are idempotent by `event_id`), never a loss. Messages that do
  not match `--code` or that name no original exchange stay where they are.
- `purge --queue Q --yes`: empties the queue; refuses without `--yes`.

`--json` prints one JSON document for scripts. An unknown queue exits with status 2.
"""

import json
from argparse import ArgumentParser
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import pika
import pika.exceptions
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from pika.adapters.blocking_connection import BlockingConnection

from infrastructure.messaging.broker import connection_parameters, topology_declare

DEAD_LETTER_SUFFIX = ".dlq"
USAGE_ERROR = 2
# Headers saying why a message failed and how often it was retried; a replayed copy goes
# without them and starts afresh.
ERROR_HEADERS = frozenset(
    {
        "x-vms-error",
        "x-vms-retries",
        "x-vms-error-code",
        "x-vms-original-exchange",
        "x-vms-original-routing-key",
        "x-vms-failed-at",
        "x-reason",
        "x-death",
        "x-first-death-exchange",
        "x-first-death-queue",
        "x-first-death-reason",
        "x-last-death-exchange",
        "x-last-death-queue",
        "x-last-death-reason",
    }
)
REPLAYS_HEADER = "x-vms-replays"
# Consumers that decode by the AMQP `type` property, per exchange: a dead letter that lost
# its type gets it back on replay (each of these exchanges carries one contract).
TYPE_BY_EXCHANGE = {"detections": "detection.result", "alerts": "alert.raised"}


@dataclass(frozen=True)
class Letter:
    """One dead-lettered message, as listed."""

    position: int
    routing_key: str
    code: str
    error: str
    failed_at: str
    trace_id: str
    message_type: str
    replays: int
    original_exchange: str | None
    original_routing_key: str | None
    body_size: int
    body_preview: str

    def matches(self, code: str | None) -> bool:
        return code is None or self.code == code


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat() + "Z"
    return "" if value is None else str(value)


def _count(value: Any) -> int:
    try:
        return max(0, int(value or 0))
    except (TypeError, ValueError):
        return 0


def _deaths(headers: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    deaths = headers.get("x-death")
    return [d for d in deaths if isinstance(d, Mapping)] if isinstance(deaths, list) else []


def _first_death(headers: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The `x-death` entry of the message's first dead-lettering: its original publication.

    RabbitMQ puts the newest entry first; `x-first-death-queue` names the first one.
    """
    deaths = _deaths(headers)
    if not deaths:
        return None
    first_queue = _text(headers.get("x-first-death-queue"))
    for death in deaths:
        if _text(death.get("queue")) == first_queue:
            return death
    return deaths[-1]


def original_target(headers: Mapping[str, Any]) -> tuple[str, str] | None:
    """The exchange and routing key the message was first published with, if known."""
    if "x-vms-original-exchange" in headers and "x-vms-original-routing-key" in headers:
        return (
            _text(headers["x-vms-original-exchange"]),
            _text(headers["x-vms-original-routing-key"]),
        )
    death = _first_death(headers)
    if death is None:
        return None
    keys = death.get("routing-keys") or []
    if not keys:
        return None
    return _text(death.get("exchange")), _text(keys[0])


def describe(
    position: int, routing_key: str, properties: pika.BasicProperties, body: bytes, preview: int
) -> Letter:
    headers: dict[str, Any] = dict(properties.headers or {})
    deaths = _deaths(headers)
    death = deaths[0] if deaths else None
    if "x-vms-error-code" in headers or "x-vms-error" in headers:
        code = _text(headers.get("x-vms-error-code"))
        error = _text(headers.get("x-vms-error"))
    elif "x-reason" in headers:
        error = _text(headers["x-reason"])
        code = error.split(":", 1)[0].strip()
    elif death is not None:
        code = _text(death.get("reason"))
        error = f"{code} in queue {_text(death.get('queue'))} ({death.get('count', 1)} times)"
    else:
        code, error = "", ""
    failed_at = _text(headers.get("x-vms-failed-at"))
    if not failed_at and death is not None:
        failed_at = _text(death.get("time"))
    if not failed_at and properties.timestamp:
        failed_at = datetime.fromtimestamp(properties.timestamp, UTC).isoformat()
    target = original_target(headers)
    return Letter(
        position=position,
        routing_key=routing_key,
        code=code,
        error=error,
        failed_at=failed_at,
        trace_id=_text(headers.get("trace_id")),
        message_type=_text(properties.type),
        replays=_count(headers.get(REPLAYS_HEADER)),
        original_exchange=target[0] if target else None,
        original_routing_key=target[1] if target else None,
        body_size=len(body),
        body_preview=body[:preview].decode("utf-8", "replace"),
    )


def replay_properties(properties: pika.BasicProperties, exchange: str) -> pika.BasicProperties:
    """The replayed copy's properties: persistent, the error headers dropped, the trace id
    kept, the AMQP type restored when the dead letter lost it, and the replay counted."""
    headers = {k: v for k, v in (properties.headers or {}).items() if k not in ERROR_HEADERS}
    headers[REPLAYS_HEADER] = _count(headers.get(REPLAYS_HEADER)) + 1
    return pika.BasicProperties(
        content_type=properties.content_type,
        content_encoding=properties.content_encoding,
        headers=headers,
        delivery_mode=pika.DeliveryMode.Persistent,
        priority=properties.priority,
        correlation_id=properties.correlation_id,
        message_id=properties.message_id,
        timestamp=properties.timestamp,
        type=properties.type or TYPE_BY_EXCHANGE.get(exchange),
        app_id=properties.app_id,
    )


@dataclass
class ReplayReport:
    queue: str
    replayed: int = 0
    kept: int = 0
    unknown_origin: int = 0
    error: str = ""


class DeadLetterQueues:
    """The broker side: counting, peeking, replaying and purging one DLQ at a time."""

    def __init__(self, connection: BlockingConnection) -> None:
        self._connection = connection
        self._channel = connection.channel()

    def count(self, queue: str) -> int:
        return int(self._channel.queue_declare(queue, passive=True).method.message_count)

    def peek(self, queue: str, limit: int, preview: int) -> tuple[int, list[Letter]]:
        """The queue's count and its first `limit` messages, all handed back in order."""
        count = self.count(queue)
        letters: list[Letter] = []
        last_tag: int | None = None
        try:
            for position in range(min(limit, count)):
                method, properties, body = self._channel.basic_get(queue, auto_ack=False)
                if method is None:
                    break
                last_tag = method.delivery_tag
                letters.append(describe(position, method.routing_key, properties, body, preview))
        finally:
            if last_tag is not None:
                # Every message taken goes back to its place in the queue.
                self._channel.basic_nack(last_tag, multiple=True, requeue=True)
        return count, letters

    def replay(self, queue: str, limit: int | None, code: str | None) -> ReplayReport:
        """Republish up to `limit` messages (all when None) matching `code`, confirm first.

        Looks at most at the messages in the queue when it starts, so a message that fails
        again and comes back at the end is not replayed twice in one run.
        """
        report = ReplayReport(queue=queue)
        publisher = self._connection.channel()
        publisher.confirm_delivery()
        kept: list[int] = []
        try:
            for position in range(self.count(queue)):
                if limit is not None and report.replayed >= limit:
                    break
                method, properties, body = self._channel.basic_get(queue, auto_ack=False)
                if method is None:
                    break
                letter = describe(position, method.routing_key, properties, body, 0)
                if not letter.matches(code):
                    kept.append(method.delivery_tag)
                    report.kept += 1
                    continue
                if letter.original_exchange is None or letter.original_routing_key is None:
                    kept.append(method.delivery_tag)
                    report.unknown_origin += 1
                    continue
                try:
                    publisher.basic_publish(
                        exchange=letter.original_exchange,
                        routing_key=letter.original_routing_key,
                        body=body,
                        properties=replay_properties(properties, letter.original_exchange),
                        mandatory=True,
                    )
                except (pika.exceptions.UnroutableError, pika.exceptions.NackError) as exc:
                    kept.append(method.delivery_tag)
                    report.error = (
                        f"the broker did not take message {position} for "
                        f"{letter.original_exchange!r} / {letter.original_routing_key!r}: {exc!r}"
                    )
                    break
                except pika.exceptions.ChannelClosedByBroker as exc:
                    kept.append(method.delivery_tag)
                    report.error = (
                        f"cannot publish message {position} to exchange "
                        f"{letter.original_exchange!r}: {exc.reply_text}"
                    )
                    break
                # Confirmed by the broker: only now does the dead letter go.
                self._channel.basic_ack(method.delivery_tag)
                report.replayed += 1
        finally:
            for tag in kept:
                self._channel.basic_nack(tag, requeue=True)
            if publisher.is_open:
                publisher.close()
        return report

    def purge(self, queue: str) -> int:
        return int(self._channel.queue_purge(queue).method.message_count)


@contextmanager
def dead_letter_queues() -> Iterator[tuple[DeadLetterQueues, list[str]]]:
    topology = topology_declare(settings.RABBITMQ_URL, settings.RABBITMQ_DEFINITIONS)
    names = [q["name"] for q in topology.queues if q["name"].endswith(DEAD_LETTER_SUFFIX)]
    connection = pika.BlockingConnection(connection_parameters(settings.RABBITMQ_URL, 10.0))
    try:
        yield DeadLetterQueues(connection), names
    finally:
        if connection.is_open:
            connection.close()


class Command(BaseCommand):
    help = (
        "Inspect, replay or purge the dead-letter queues (*.dlq) of the RabbitMQ topology: "
        "list [--queue Q] [--limit N], replay --queue Q [--limit N] [--code CODE], "
        "purge --queue Q --yes; --json for scripts."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        listing = actions.add_parser("list", help="count and show dead letters, keeping them")
        listing.add_argument("--queue", help="one DLQ (default: every DLQ)")
        listing.add_argument("--limit", type=int, default=20, help="messages shown per queue")
        listing.add_argument("--preview", type=int, default=200, help="body bytes shown")
        replay = actions.add_parser("replay", help="publish dead letters again, then ack them")
        replay.add_argument("--queue", required=True)
        replay.add_argument("--limit", type=int, default=None, help="at most N (default: all)")
        replay.add_argument("--code", default=None, help="only messages with this error code")
        purge = actions.add_parser("purge", help="delete every message of a DLQ")
        purge.add_argument("--queue", required=True)
        purge.add_argument("--yes", action="store_true", help="really purge")
        for sub in (listing, replay, purge):
            sub.add_argument("--json", action="store_true", help="one JSON document")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        limit = options.get("limit")
        if limit is not None and limit < 0:
            raise CommandError("--limit must be 0 or more", returncode=USAGE_ERROR)
        try:
            with dead_letter_queues() as (queues, names):
                queue = options.get("queue")
                if queue is not None and queue not in names:
                    raise CommandError(
                        f"unknown dead-letter queue {queue!r}; the topology has: "
                        + ", ".join(names),
                        returncode=USAGE_ERROR,
                    )
                if action == "list":
                    self._list(queues, [queue] if queue else names, options)
                elif action == "replay":
                    self._replay(queues, options["queue"], options)
                else:
                    self._purge(queues, options["queue"], options)
        except (pika.exceptions.AMQPError, OSError) as exc:
            raise CommandError(f"RabbitMQ: {exc!r}") from exc

    def _list(self, queues: DeadLetterQueues, names: list[str], options: dict[str, Any]) -> None:
        listed: list[dict[str, Any]] = []
        for name in names:
            count, letters = queues.peek(name, options["limit"], max(0, options["preview"]))
            listed.append({"queue": name, "count": count, "messages": letters})
        if options["json"]:
            document = [
                {**entry, "messages": [asdict(letter) for letter in entry["messages"]]}
                for entry in listed
            ]
            self.stdout.write(json.dumps({"queues": document}, indent=2))
            return
        for entry in listed:
            self.stdout.write(f"{entry['queue']}: {entry['count']} message(s)")
            for letter in entry["messages"]:
                self.stdout.write(
                    f"  #{letter.position} {letter.routing_key} [{letter.code or '-'}] "
                    f"{letter.error or '(no reason given)'}\n"
                    f"     failed at {letter.failed_at or '?'}, trace {letter.trace_id or '-'}, "
                    f"replayed {letter.replays} time(s) before, "
                    f"replay to {letter.original_exchange!r} / {letter.original_routing_key!r}, "
                    f"{letter.body_size} bytes: {letter.body_preview!r}"
                )

    def _replay(self, queues: DeadLetterQueues, queue: str, options: dict[str, Any]) -> None:
        report = queues.replay(queue, options["limit"], options["code"])
        if options["json"]:
            self.stdout.write(json.dumps(asdict(report)))
        else:
            self.stdout.write(
                f"{queue}: {report.replayed} replayed, {report.kept} kept (other codes), "
                f"{report.unknown_origin} kept (original exchange unknown)"
            )
        if report.error:
            raise CommandError(report.error)

    def _purge(self, queues: DeadLetterQueues, queue: str, options: dict[str, Any]) -> None:
        if not options["yes"]:
            raise CommandError(
                f"refusing to purge {queue} ({queues.count(queue)} message(s)) without --yes",
                returncode=USAGE_ERROR,
            )
        purged = queues.purge(queue)
        if options["json"]:
            self.stdout.write(json.dumps({"queue": queue, "purged": purged}))
        else:
            self.stdout.write(f"{queue}: {purged} message(s) purged")

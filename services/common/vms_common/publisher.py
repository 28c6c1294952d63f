"""A RabbitMQ publisher with publisher confirms and persistent messages.

`publish` returns only once the broker has confirmed the message; it raises
:class:`PublishError` when the broker refuses it or cannot be reached, so the caller
keeps the event and tries again later. Safe to share between threads.
"""

import threading
from pathlib import Path

import pika
import pika.exceptions

from vms_common.contracts import Event, encode
from vms_common.topology import declare_topology, load_topology


class PublishError(RuntimeError):
    """The broker did not confirm the message."""


class Publisher:
    def __init__(self, url: str, definitions: Path, exchange: str) -> None:
        self._params = pika.URLParameters(url)
        self._params.connection_attempts = 1
        self._params.socket_timeout = 5
        self._params.blocked_connection_timeout = 10
        self._topology = load_topology(definitions)
        self._exchange = exchange
        self._lock = threading.Lock()
        self._connection: pika.BlockingConnection | None = None
        self._channel: pika.adapters.blocking_connection.BlockingChannel | None = None

    def publish(self, message: Event) -> None:
        properties = pika.BasicProperties(
            content_type="application/json",
            delivery_mode=pika.DeliveryMode.Persistent,
            message_id=str(message.event_id),
            type=message.routing_key,
            headers={"trace_id": message.trace_id, "tenant_id": message.tenant_id},
        )
        with self._lock:
            try:
                channel = self._open()
                channel.basic_publish(
                    exchange=self._exchange,
                    routing_key=message.route(),
                    body=encode(message),
                    properties=properties,
                    mandatory=True,
                )
            except (pika.exceptions.UnroutableError, pika.exceptions.NackError) as exc:
                raise PublishError(f"broker refused {message.routing_key}: {exc}") from exc
            except (pika.exceptions.AMQPError, OSError) as exc:
                self._drop()
                raise PublishError(f"broker unreachable: {exc!r}") from exc

    def close(self) -> None:
        with self._lock:
            if self._connection is not None and self._connection.is_open:
                self._connection.close()
            self._drop()

    def _open(self) -> "pika.adapters.blocking_connection.BlockingChannel":
        if self._channel is not None and self._channel.is_open:
            return self._channel
        self._drop()
        self._connection = pika.BlockingConnection(self._params)
        channel = self._connection.channel()
        declare_topology(channel, self._topology)
        channel.confirm_delivery()
        self._channel = channel
        return channel

    def _drop(self) -> None:
        self._channel = None
        self._connection = None

"""Publishing a message again, with confirms: to a dead-letter exchange when it cannot be
processed, or to a retry queue (through the default exchange) to be processed later."""

import contextlib
from collections.abc import Mapping
from typing import Any

import pika
import pika.exceptions
from pika.adapters.blocking_connection import BlockingChannel, BlockingConnection

from infrastructure.messaging.broker import connection_parameters


class DeadLetterError(RuntimeError):
    """The broker did not take the dead letter; the original message must be kept."""


class DeadLetterPublisher:
    """Publishes a failed message's original body, with headers saying why it failed.

    Each publish waits for the broker's confirm. The connection is opened lazily and
    opened again once when it has gone stale.
    """

    def __init__(self, url: str, exchange: str) -> None:
        self._params = connection_parameters(url)
        self._exchange = exchange
        self._connection: BlockingConnection | None = None
        self._channel: BlockingChannel | None = None

    def publish(
        self,
        *,
        body: bytes,
        routing_key: str,
        headers: Mapping[str, Any],
        content_type: str | None = None,
        message_type: str | None = None,
    ) -> None:
        properties = pika.BasicProperties(
            content_type=content_type,
            type=message_type,
            delivery_mode=pika.DeliveryMode.Persistent,
            headers=dict(headers),
        )
        for attempt in (1, 2):
            try:
                self._open().basic_publish(
                    exchange=self._exchange,
                    routing_key=routing_key,
                    body=body,
                    properties=properties,
                    mandatory=True,
                )
                return
            except (pika.exceptions.UnroutableError, pika.exceptions.NackError) as exc:
                raise DeadLetterError(f"broker refused the dead letter: {exc!r}") from exc
            except (pika.exceptions.AMQPError, OSError) as exc:
                self.close()
                if attempt == 2:
                    raise DeadLetterError(f"broker unreachable: {exc!r}") from exc

    def close(self) -> None:
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None and connection.is_open:
            with contextlib.suppress(pika.exceptions.AMQPError, OSError):
                connection.close()

    def _open(self) -> BlockingChannel:
        if self._channel is not None and self._channel.is_open:
            return self._channel
        self.close()
        self._connection = pika.BlockingConnection(self._params)
        channel = self._connection.channel()
        channel.confirm_delivery()
        self._channel = channel
        return channel

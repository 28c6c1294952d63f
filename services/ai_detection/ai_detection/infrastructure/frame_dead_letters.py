"""Frames that could not be analysed, kept in the `frames.dlq` queue with the reason.

Three kinds, each the original body and headers plus an `x-reason` header:

- `not_a_frame`: a message on `frames` that is not a frame (missing headers, wrong schema);
- `unknown_camera`: a frame of a camera this service was not asked to analyse;
- `provider_failed: {error}`: a frame the provider failed on after its retries (with
  `x-provider` and `x-attempts`).

The queue is bounded (`DEAD_LETTER_MAX_LENGTH` frames, kept a day; overflow drops the
oldest): frames are large and lose their worth quickly, but an operator can still see why
frames went unanalysed, and re-drive them to `frames` with a shovel.

Safe to share between threads: one connection, with publisher confirms, behind a lock.
"""

import threading
from collections.abc import Mapping
from typing import Any

import pika
import pika.exceptions

from ai_detection.application.detect_frames import FailedFrame
from ai_detection.infrastructure.detection_metrics import DEAD_LETTERED
from ai_detection.infrastructure.frame_queue import frame_to_message

DEAD_LETTER_QUEUE = "frames.dlq"
DEAD_LETTER_MAX_LENGTH = 1000
DEAD_LETTER_TTL_MS = 24 * 3600 * 1000


class DeadLetterError(RuntimeError):
    """The broker did not take the dead letter."""


def dead_letter_arguments() -> dict[str, Any]:
    return {
        "x-queue-type": "classic",
        "x-max-length": DEAD_LETTER_MAX_LENGTH,
        "x-overflow": "drop-head",
        "x-message-ttl": DEAD_LETTER_TTL_MS,
    }


class FrameDeadLetters:
    def __init__(self, url: str) -> None:
        self._params = pika.URLParameters(url)
        self._params.connection_attempts = 1
        self._params.socket_timeout = 5
        self._lock = threading.Lock()
        self._connection: pika.BlockingConnection | None = None
        self._channel: Any = None

    def dead_letter(self, body: bytes, headers: Mapping[str, Any] | None, reason: str) -> None:
        """Keep the message with `reason` (`kind` or `kind: detail`); raises DeadLetterError."""
        kind = reason.split(":", 1)[0]
        properties = pika.BasicProperties(
            content_type="image/jpeg",
            delivery_mode=pika.DeliveryMode.Persistent,
            headers={**(headers or {}), "x-reason": reason[:500]},
        )
        with self._lock:
            try:
                channel = self._open()
                channel.basic_publish("", DEAD_LETTER_QUEUE, body, properties, mandatory=True)
            except (pika.exceptions.AMQPError, OSError) as exc:
                self._drop()
                raise DeadLetterError(f"frame not dead-lettered ({reason}): {exc!r}") from exc
        DEAD_LETTERED.labels(reason=kind).inc()

    def record(self, failed: FailedFrame) -> None:
        """`FailureRecorder` port: a frame the provider failed on."""
        body, headers = frame_to_message(failed.frame)
        headers |= {"x-provider": failed.provider, "x-attempts": failed.attempts}
        self.dead_letter(body, headers, f"provider_failed: {failed.reason}")

    def close(self) -> None:
        with self._lock:
            if self._connection is not None and self._connection.is_open:
                self._connection.close()
            self._drop()

    def _open(self) -> Any:
        if self._channel is not None and self._channel.is_open:
            return self._channel
        self._drop()
        self._connection = pika.BlockingConnection(self._params)
        channel = self._connection.channel()
        channel.queue_declare(DEAD_LETTER_QUEUE, durable=True, arguments=dead_letter_arguments())
        channel.confirm_delivery()
        self._channel = channel
        return channel

    def _drop(self) -> None:
        self._channel = None
        self._connection = None

"""Publishes frames to the `frames` queue, dropping them when the queue is too deep.

Before publishing, the publisher looks at the queue's depth (a passive `queue_declare`'s
message count), cached for `depth_cache_s` so the broker is not asked for every frame. Above
`max_depth` the frame is dropped, counted in `vms_frames_dropped_total{camera_id,reason}` and
logged at most once per camera every `log_interval_s`. The queue's own `x-max-length` (drop
oldest) catches what slips past a cached depth.

Frames are published transient (delivery mode 1) and without publisher confirms: a frame is
worth something only for a few seconds, the next one follows within a second, and writing
every JPEG to disk or waiting for a confirm per frame would cost the broker more than losing
some frames in a broker restart ever could.
"""

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

import pika
import pika.exceptions

from ai_detection.domain.frame import Frame
from ai_detection.infrastructure import metrics
from ai_detection.infrastructure.frame_queue import (
    CONTENT_TYPE,
    QUEUE,
    declare_frames_queue,
    frame_to_message,
)

log = logging.getLogger(__name__)

QUEUE_FULL = "queue_full"
BROKER_UNREACHABLE = "broker_unreachable"


class BrokerError(RuntimeError):
    """The broker could not be reached or refused the operation."""


class FrameChannel(Protocol):
    """What the publisher needs from the broker."""

    def depth(self) -> int: ...

    def publish(self, body: bytes, headers: dict[str, Any]) -> None: ...

    def close(self) -> None: ...


class PikaFrameChannel:
    """The `frames` queue over one pika connection (declared on connect). Not thread-safe."""

    def __init__(self, url: str, max_length: int) -> None:
        self._params = pika.URLParameters(url)
        self._params.connection_attempts = 1
        self._params.socket_timeout = 5
        self._params.blocked_connection_timeout = 10
        self._max_length = max_length
        self._connection: pika.BlockingConnection | None = None
        self._channel: Any = None

    def depth(self) -> int:
        try:
            channel = self._open()
            return int(channel.queue_declare(QUEUE, passive=True).method.message_count)
        except (pika.exceptions.AMQPError, OSError) as exc:
            self._drop()
            raise BrokerError(repr(exc)) from exc

    def publish(self, body: bytes, headers: dict[str, Any]) -> None:
        properties = pika.BasicProperties(
            content_type=CONTENT_TYPE,
            delivery_mode=pika.DeliveryMode.Transient,
            headers=headers,
        )
        try:
            self._open().basic_publish("", QUEUE, body, properties)
        except (pika.exceptions.AMQPError, OSError) as exc:
            self._drop()
            raise BrokerError(repr(exc)) from exc

    def close(self) -> None:
        connection = self._connection
        self._drop()
        if connection is not None and connection.is_open:
            with contextlib.suppress(pika.exceptions.AMQPError, OSError):
                connection.close()

    def _open(self) -> Any:
        if self._channel is not None and self._channel.is_open:
            return self._channel
        self.close()
        self._connection = pika.BlockingConnection(self._params)
        channel = self._connection.channel()
        declare_frames_queue(channel, self._max_length)
        self._channel = channel
        return channel

    def _drop(self) -> None:
        self._channel = None
        self._connection = None


class FramePublisher:
    """Sink for the extractors: publish a frame unless the queue is above `max_depth`.

    Thread-safe (one lock around the channel). Never raises for a frame: a frame that cannot
    be published is dropped and counted.
    """

    def __init__(
        self,
        channel: FrameChannel,
        *,
        max_depth: int = 1000,
        depth_cache_s: float = 0.5,
        log_interval_s: float = 10.0,
        retry_after_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._channel = channel
        self._max_depth = max_depth
        self._cache_s = depth_cache_s
        self._log_interval = log_interval_s
        self._retry_after = retry_after_s
        self._clock = clock
        self._lock = threading.Lock()
        self._depth = 0
        self._depth_at: float | None = None
        self._broker_down_until = float("-inf")
        self._last_log: dict[tuple[str, str], float] = {}
        self._dropped_since_log: dict[tuple[str, str], int] = {}
        self.depth_checks = 0

    def __call__(self, frame: Frame) -> None:
        self.publish(frame)

    def publish(self, frame: Frame) -> bool:
        """Publish `frame`; False when it was dropped."""
        with self._lock:
            now = self._clock()
            if now < self._broker_down_until:
                return self._dropped(frame, BROKER_UNREACHABLE, now)
            try:
                depth = self._current_depth(now)
                if depth >= self._max_depth:
                    return self._dropped(frame, QUEUE_FULL, now)
                body, headers = frame_to_message(frame)
                self._channel.publish(body, headers)
            except BrokerError as exc:
                self._broker_down_until = now + self._retry_after
                self._depth_at = None
                return self._dropped(frame, BROKER_UNREACHABLE, now, str(exc))
            self._depth += 1  # our own publish, until the next real check
            metrics.FRAMES_PUBLISHED.labels(frame.camera_id).inc()
            return True

    def close(self) -> None:
        with self._lock:
            self._channel.close()

    def _current_depth(self, now: float) -> int:
        if self._depth_at is None or now - self._depth_at >= self._cache_s:
            self._depth = self._channel.depth()
            self._depth_at = now
            self.depth_checks += 1
            metrics.FRAMES_QUEUE_DEPTH.set(self._depth)
        return self._depth

    def _dropped(self, frame: Frame, reason: str, now: float, error: str = "") -> bool:
        metrics.FRAMES_DROPPED.labels(frame.camera_id, reason).inc()
        key = (frame.camera_id, reason)
        self._dropped_since_log[key] = self._dropped_since_log.get(key, 0) + 1
        last = self._last_log.get(key)
        if last is None or now - last >= self._log_interval:
            log.warning(
                "frames dropped",
                extra={
                    "camera_id": frame.camera_id,
                    "reason": reason,
                    "dropped": self._dropped_since_log[key],
                    "queue_depth": self._depth,
                    "max_depth": self._max_depth,
                    "error": error,
                },
            )
            self._last_log[key] = now
            self._dropped_since_log[key] = 0
        return False

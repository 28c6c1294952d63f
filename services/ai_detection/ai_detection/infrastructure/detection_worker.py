"""The detection worker: consumes the `frames` queue and runs `DetectFrame` on a thread pool.

One pika connection consumes with a prefetch of `prefetch` messages; each delivery is
handed to a pool of `threads` threads, so a provider that takes 200 ms still lets one
worker handle `threads / 0.2 s` frames per second (64 threads: about 320/s). pika is not
thread-safe, so the pool threads never touch the channel: acks and nacks go back to the
connection's thread with `add_callback_threadsafe`.

Acknowledgement, per message:

- a message that is not a frame (missing headers, wrong schema version), or a frame of a
  camera this service does not analyse: dead-lettered to `frames.dlq` with the reason
  (`not_a_frame: ...`, `unknown_camera`), logged, then acked;
- handled (published, skipped by the gate, corrupt JPEG, or failed at the provider and
  dead-lettered by the use case's failure port): acked, after the result is published (the
  publisher waits for the broker's confirm);
- the result or the dead letter could not be published (broker trouble): nacked and requeued
  once; a redelivered frame that fails again is dropped (a frame a minute old is not worth a
  retry loop).
"""

import contextlib
import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

import pika
import pika.exceptions
from pika.adapters.blocking_connection import BlockingChannel

from ai_detection.application.cameras import UnknownCamera
from ai_detection.domain.frame import Frame
from ai_detection.infrastructure.frame_queue import QUEUE, frame_from_message
from vms_common.backoff import Backoff

log = logging.getLogger(__name__)


class DeadLetters(Protocol):
    def dead_letter(self, body: bytes, headers: Mapping[str, Any] | None, reason: str) -> None:
        """Keep the message with the reason; raises when the broker does not take it."""
        ...


def declare_passively(channel: BlockingChannel) -> None:
    """The frame ingestion declares `frames` with its bound; the worker only checks it exists."""
    channel.queue_declare(QUEUE, passive=True)


class DetectionWorker:
    def __init__(
        self,
        url: str,
        handle: Callable[[Frame], object],
        dead_letters: DeadLetters,
        *,
        threads: int = 64,
        prefetch: int | None = None,
        queue: str = QUEUE,
        declare: Callable[[BlockingChannel], object] = declare_passively,
    ) -> None:
        self._params = pika.URLParameters(url)
        self._handle = handle
        self._dead_letters = dead_letters
        self._threads = threads
        self._prefetch = prefetch if prefetch is not None else threads * 2
        self._queue = queue
        self._declare = declare
        self._stop = threading.Event()
        self.ready = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    def run_forever(self, backoff: Backoff) -> None:
        """Consume until `stop()`, connecting again (with backoff) after a lost connection."""
        while not self._stop.is_set():
            try:
                self.run()
                backoff.reset()
            except Exception:
                delay = backoff.next_delay()
                log.exception("detection worker lost the broker; reconnecting in %.1f s", delay)
                self._stop.wait(delay)

    def run(self) -> None:
        """Consume until `stop()`; raises on a lost connection (the caller restarts it)."""
        connection = pika.BlockingConnection(self._params)
        pool = ThreadPoolExecutor(max_workers=self._threads, thread_name_prefix="detect")
        try:
            channel = connection.channel()
            self._declare(channel)
            channel.basic_qos(prefetch_count=self._prefetch)

            def on_message(
                ch: BlockingChannel,
                method: Any,
                properties: pika.BasicProperties,
                body: bytes,
            ) -> None:
                pool.submit(
                    self._process,
                    connection,
                    ch,
                    method.delivery_tag,
                    bool(method.redelivered),
                    properties.headers,
                    body,
                )

            tag = channel.basic_consume(self._queue, on_message)
            self.ready.set()
            while not self._stop.is_set():
                connection.process_data_events(time_limit=0.2)
            channel.basic_cancel(tag)
            pool.shutdown(wait=True)
            connection.process_data_events(time_limit=0)  # the last acks
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
            if connection.is_open:
                connection.close()

    def _process(
        self,
        connection: pika.BlockingConnection,
        channel: BlockingChannel,
        tag: int,
        redelivered: bool,
        headers: dict[str, Any] | None,
        body: bytes,
    ) -> None:
        try:
            try:
                frame = frame_from_message(body, headers)
            except ValueError as exc:
                log.warning("not a frame, dead-lettered: %s", exc)
                self._dead_letters.dead_letter(body, headers, f"not_a_frame: {exc}")
            else:
                try:
                    self._handle(frame)
                except UnknownCamera as exc:
                    log.warning("%s: frame dead-lettered", exc)
                    self._dead_letters.dead_letter(body, headers, "unknown_camera")
        except Exception:
            log.exception(
                "message (headers %s) not handled; %s",
                headers,
                "dropped" if redelivered else "requeued once",
            )
            self._settle(connection, channel, tag, ack=False, requeue=not redelivered)
            return
        self._settle(connection, channel, tag, ack=True)

    @staticmethod
    def _settle(
        connection: pika.BlockingConnection,
        channel: BlockingChannel,
        tag: int,
        *,
        ack: bool,
        requeue: bool = False,
    ) -> None:
        def settle() -> None:
            if not channel.is_open:
                return  # unacked messages come back to the queue anyway
            if ack:
                channel.basic_ack(tag)
            else:
                channel.basic_nack(tag, requeue=requeue)

        # A closed connection: the broker redelivers the message.
        with contextlib.suppress(pika.exceptions.ConnectionWrongStateError):
            connection.add_callback_threadsafe(settle)

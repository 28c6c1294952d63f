"""Announces what happened to segments (completed, corrupt, deleted, tiered), losing none.

Each event is first written to an outbox folder, then published with confirms; the file is
removed only once the broker has confirmed it. While the broker is unreachable events wait
in the outbox and are retried, also after a restart of the recorder (consumers are
idempotent by `event_id`, so a repeat is harmless).
"""

import threading
import time
from pathlib import Path
from typing import Protocol

from recorder import metrics
from vms_common.contracts import Event, decode, encode
from vms_common.logging import get_logger
from vms_common.publisher import PublishError

log = get_logger(__name__)


class SegmentAnnouncer(Protocol):
    def announce(self, event: Event) -> None: ...


class EventPublisher(Protocol):
    def publish(self, message: Event) -> None: ...


class OutboxAnnouncer:
    def __init__(self, publisher: EventPublisher, outbox: Path, retry_s: float = 2.0) -> None:
        self._publisher = publisher
        self._outbox = outbox
        self._retry_s = retry_s
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._retry_forever, name="outbox", daemon=True)
        outbox.mkdir(parents=True, exist_ok=True)

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def announce(self, event: Event) -> None:
        name = f"{time.time_ns():020d}-{event.event_id}.{event.routing_key}.json"
        tmp = self._outbox / f"{name}.tmp"
        tmp.write_bytes(encode(event))
        tmp.replace(self._outbox / name)
        self.flush()

    def pending(self) -> int:
        return sum(1 for _ in self._outbox.glob("*.json"))

    def flush(self) -> None:
        """Publish what waits in the outbox, oldest first; stop at the first failure."""
        with self._lock:
            files = sorted(self._outbox.glob("*.json"))
            for path in files:
                event = decode(_routing_key(path), path.read_bytes())
                try:
                    self._publisher.publish(event)
                except PublishError as exc:
                    log.warning(
                        "segment announcement postponed", error=str(exc), pending=len(files)
                    )
                    break
                path.unlink()
            metrics.OUTBOX.set(self.pending())

    def _retry_forever(self) -> None:
        while not self._stop.wait(self._retry_s):
            self.flush()


def _routing_key(path: Path) -> str:
    """`{ns}-{event_id}.{routing key}.json`; entries written before keys were named are completions."""
    parts = path.name.removesuffix(".json").split(".", 1)
    return parts[1] if len(parts) == 2 else "segment.completed"

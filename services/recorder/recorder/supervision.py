"""Camera supervision state: what a camera's recording is doing, since when."""

import random
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class CameraState(StrEnum):
    STARTING = "starting"
    RECORDING = "recording"
    RECONNECTING = "reconnecting"
    STOPPED = "stopped"


@dataclass
class CameraStatus:
    tenant_id: str
    camera_id: str
    state: CameraState
    since: datetime
    restarts: int = 0
    segments: int = 0
    last_segment_end: datetime | None = None
    last_segment_path: str | None = None
    last_error: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


class StallDetector:
    """Decides whether a recording run has stopped making progress.

    `observe` is given a progress mark (e.g. the newest segment file and its size, None while
    there is none) at every look. Until the first data of the run (the first mark that is not
    None) the run may take `connect_timeout_s` from its start to connect and analyse the
    stream; after that it is stalled once the mark has not changed for `timeout_s`.
    """

    def __init__(
        self,
        timeout_s: float,
        clock: Callable[[], float] = time.monotonic,
        connect_timeout_s: float | None = None,
    ) -> None:
        self._timeout_s = timeout_s
        self._connect_timeout_s = timeout_s if connect_timeout_s is None else connect_timeout_s
        self._clock = clock
        self._mark: Hashable = None
        self._changed_at = clock()
        self.has_data = False

    def observe(self, mark: Hashable) -> None:
        if mark != self._mark:
            self._mark = mark
            self._changed_at = self._clock()
            self.has_data = self.has_data or mark is not None

    def silent_for(self) -> float:
        """Seconds since the last progress (since the start while there has been none)."""
        return self._clock() - self._changed_at

    def stalled(self) -> bool:
        limit = self._timeout_s if self.has_data else self._connect_timeout_s
        return self.silent_for() >= limit


def jittered(delay_s: float, draw: Callable[[], float] = random.random) -> float:
    """`delay_s` scaled by a random factor in [0.5, 1): cameras that lost their stream at
    the same moment do not all reconnect at the same instant, and no wait grows."""
    return delay_s * (0.5 + 0.5 * draw())


class ConnectSlots:
    """At most `limit` recording runs connecting at once (started, no data yet), so that
    starting many cameras together does not time out their connections on a busy machine."""

    def __init__(self, limit: int) -> None:
        self._free = threading.BoundedSemaphore(limit)

    def acquire(self, stop: threading.Event, poll_s: float = 0.2) -> bool:
        """Wait for a free slot; False if `stop` was set first."""
        while not stop.is_set():
            if self._free.acquire(timeout=poll_s):
                return True
        return False

    def release(self) -> None:
        self._free.release()

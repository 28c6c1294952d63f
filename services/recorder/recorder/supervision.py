"""Camera supervision state: what a camera's recording is doing, since when."""

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

    `observe` is given a progress mark (e.g. the newest segment file and its size) at every
    look; the run is stalled once the mark has not changed for `timeout_s`. A run that has
    produced nothing yet counts from its start.
    """

    def __init__(self, timeout_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._timeout_s = timeout_s
        self._clock = clock
        self._mark: Hashable = None
        self._changed_at = clock()

    def observe(self, mark: Hashable) -> None:
        if mark != self._mark:
            self._mark = mark
            self._changed_at = self._clock()

    def silent_for(self) -> float:
        """Seconds since the last progress."""
        return self._clock() - self._changed_at

    def stalled(self) -> bool:
        return self.silent_for() >= self._timeout_s

"""Pure pieces of camera supervision: states, status and reconnect backoff."""

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


class Backoff:
    """Exponential reconnect delay: initial, 2x initial, ... up to a cap; reset after success."""

    def __init__(self, initial_s: float, maximum_s: float) -> None:
        self._initial = initial_s
        self._maximum = max(maximum_s, initial_s)
        self._next = initial_s

    def next_delay(self) -> float:
        delay = self._next
        self._next = min(self._next * 2, self._maximum)
        return delay

    def reset(self) -> None:
        self._next = self._initial

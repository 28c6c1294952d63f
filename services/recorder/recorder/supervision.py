"""Camera supervision state: what a camera's recording is doing, since when."""

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

"""The motion gate's decision: is a frame worth sending to a paid provider?

Pure logic. The image maths (decode, downscale, difference) lives in
`ai_detection.infrastructure.motion_gate`; this module only decides, from the fraction of
pixels that changed since the camera's last *analysed* frame and the time since then,
whether this frame is analysed, and why.
"""

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class MotionSettings:
    """Per-camera gate settings.

    `pixel_threshold`: grey levels (0..255) a downscaled, blurred pixel must change by to
    count as changed. `changed_fraction`: the share of pixels that must change for the frame
    to count as motion. `heartbeat_s`: an unchanged scene is still analysed this often, so
    stationary objects are seen. `enabled=False` sends every frame.
    """

    enabled: bool = True
    pixel_threshold: int = 25
    changed_fraction: float = 0.01
    heartbeat_s: float = 60.0

    def __post_init__(self) -> None:
        if not 0 <= self.pixel_threshold <= 255:
            raise ValueError("pixel_threshold must be within 0..255")
        if not 0 <= self.changed_fraction <= 1:
            raise ValueError("changed_fraction must be within 0..1")
        if self.heartbeat_s <= 0:
            raise ValueError("heartbeat_s must be positive")


class Reason(StrEnum):
    FIRST = "first"  # nothing analysed yet for this camera
    MOTION = "motion"
    HEARTBEAT = "heartbeat"
    DISABLED = "disabled"  # the gate is off for this camera
    STATIC = "static"


@dataclass(frozen=True)
class GateDecision:
    analyse: bool
    reason: Reason
    changed_fraction: float


def decide(
    settings: MotionSettings,
    changed_fraction: float | None,
    seconds_since_analysed: float | None,
) -> GateDecision:
    """Decide for one frame.

    `changed_fraction` and `seconds_since_analysed` are None when the camera has no analysed
    frame yet. Motion wins over heartbeat, so the reason says what really happened.
    """
    fraction = changed_fraction if changed_fraction is not None else 1.0
    if not settings.enabled:
        return GateDecision(True, Reason.DISABLED, fraction)
    if changed_fraction is None or seconds_since_analysed is None:
        return GateDecision(True, Reason.FIRST, fraction)
    if changed_fraction >= settings.changed_fraction:
        return GateDecision(True, Reason.MOTION, fraction)
    if seconds_since_analysed >= settings.heartbeat_s:
        return GateDecision(True, Reason.HEARTBEAT, fraction)
    return GateDecision(False, Reason.STATIC, fraction)

"""The motion gate on real JPEG frames generated with numpy and OpenCV, with a fake clock."""

from datetime import UTC, datetime

import cv2
import numpy as np
import pytest

from ai_detection.domain.frame import Frame
from ai_detection.domain.motion import MotionSettings, Reason, decide
from ai_detection.infrastructure.motion_gate import CorruptFrame, MotionGate


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def scene(seed: int = 1, box_x: int | None = None) -> bytes:
    """A 640x360 textured still scene with sensor noise; optionally a bright 'person' box."""
    rng = np.random.default_rng(seed)
    base = np.random.default_rng(0).integers(40, 200, (36, 64, 3), dtype=np.uint8)
    image = cv2.resize(base, (640, 360), interpolation=cv2.INTER_NEAREST)
    noise = rng.normal(0, 3, image.shape)
    image = np.clip(image.astype(np.float64) + noise, 0, 255).astype(np.uint8)
    if box_x is not None:
        cv2.rectangle(image, (box_x, 120), (box_x + 60, 300), (250, 250, 250), -1)
    ok, jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 80])
    assert ok
    return jpeg.tobytes()


def frame(jpeg: bytes, camera: str = "cam1") -> Frame:
    return Frame("t1", camera, datetime(2026, 1, 1, tzinfo=UTC), jpeg)


def test_gate_skips_a_static_scene_after_the_first_frame() -> None:
    clock = FakeClock()
    gate, settings = MotionGate(clock=clock), MotionSettings(heartbeat_s=60)
    decisions = []
    for i in range(30):
        clock.now = float(i)
        decisions.append(gate.check(frame(scene(seed=i)), settings))
    assert decisions[0].reason is Reason.FIRST
    assert [d.analyse for d in decisions[1:]] == [False] * 29
    assert all(d.changed_fraction < 0.01 for d in decisions[1:])


def test_gate_passes_a_moving_object() -> None:
    clock = FakeClock()
    gate, settings = MotionGate(clock=clock), MotionSettings()
    gate.check(frame(scene(seed=0)), settings)
    clock.now = 1
    moving = [gate.check(frame(scene(seed=i, box_x=50 + 80 * i)), settings) for i in range(1, 6)]
    assert all(d.analyse and d.reason is Reason.MOTION for d in moving)


def test_heartbeat_passes_an_unchanged_frame_every_n_seconds() -> None:
    clock = FakeClock()
    gate, settings = MotionGate(clock=clock), MotionSettings(heartbeat_s=10)
    analysed = []
    for second in range(31):
        clock.now = float(second)
        if gate.check(frame(scene(seed=second)), settings).analyse:
            analysed.append(second)
    assert analysed == [0, 10, 20, 30]


def test_settings_are_per_camera() -> None:
    clock = FakeClock()
    gate = MotionGate(clock=clock)
    busy, quiet = MotionSettings(enabled=False), MotionSettings()
    gate.check(frame(scene(), "busy"), busy)
    gate.check(frame(scene(), "quiet"), quiet)
    clock.now = 1
    assert gate.check(frame(scene(seed=5), "busy"), busy).reason is Reason.DISABLED
    assert not gate.check(frame(scene(seed=5), "quiet"), quiet).analyse


def test_corrupt_jpeg_is_refused_with_corrupt_frame() -> None:
    gate = MotionGate()
    for bad in (b"", b"not a jpeg at all", scene()[:200]):
        with pytest.raises(CorruptFrame):
            gate.check(frame(bad), MotionSettings())


def test_decision_prefers_motion_over_heartbeat_and_validates_settings() -> None:
    settings = MotionSettings(changed_fraction=0.05, heartbeat_s=5)
    assert decide(settings, 0.2, 100).reason is Reason.MOTION
    assert decide(settings, 0.01, 5).reason is Reason.HEARTBEAT
    assert not decide(settings, 0.01, 4.9).analyse
    with pytest.raises(ValueError):
        MotionSettings(changed_fraction=2)

"""Paid calls after the motion gate on a mostly static scene, against the naive design.

One camera-hour at 1 FPS = 3600 frames, x 2 APIs (DetectLabels + DetectFaces) = 7200 paid
calls without a gate. The scene is a textured still picture with sensor noise and a slow
daylight drift; scripted motion episodes (a bright figure walking across) are placed over the
hour. Every frame is a real JPEG run through `DetectFrame` with the real OpenCV motion gate
(default settings: 1 % of pixels changed by more than 25 grey levels, heartbeat 60 s) and a
fake paid provider on a simulated clock; the cost tracker counts the calls.

PASS: at least 90 % fewer paid calls than 7200, and every episode had a frame analysed.

    .venv/bin/python bench/detection_cost.py
"""

import sys
from datetime import UTC, datetime, timedelta

import cv2
import numpy as np

from ai_detection.application.cameras import AnalysedCamera, AnalysedCameras
from ai_detection.application.cost_tracker import CostTracker
from ai_detection.application.detect_frames import DetectFrame, Outcome
from ai_detection.domain.detection import Detection
from ai_detection.domain.frame import Frame
from ai_detection.domain.motion import MotionSettings
from ai_detection.infrastructure.motion_gate import MotionGate
from vms_common.contracts import DetectionResult

SECONDS = 3600
NAIVE_CALLS = SECONDS * 2
START = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
# (start second, duration s, pixels per second): short passers-by and a few longer visits.
EPISODES = [
    (120, 6, 110),
    (431, 3, 220),
    (900, 20, 30),
    (1333, 8, 80),
    (1800, 2, 300),
    (2222, 40, 15),
    (2700, 5, 120),
    (3010, 12, 50),
    (3400, 4, 160),
]


class SimClock:
    def __init__(self) -> None:
        self.t = 0.0

    def monotonic(self) -> float:
        return self.t

    def utc(self) -> datetime:
        return START + timedelta(seconds=self.t)


class PaidProvider:
    name = "rekognition"

    def __init__(self) -> None:
        self.analysed: list[int] = []

    def detect(self, frame: Frame) -> Detection:
        self.analysed.append(int((frame.captured_at - START).total_seconds()))
        return Detection(calls={"DetectLabels": 1, "DetectFaces": 1})


class NullPublisher:
    def publish(self, message: DetectionResult) -> None:
        pass


def render(second: int, base: np.ndarray, rng: np.random.Generator) -> bytes:
    drift = 20.0 * second / SECONDS  # slow daylight change over the hour
    image = base.astype(np.float64) + drift + rng.normal(0, 3, base.shape)
    image = np.clip(image, 0, 255).astype(np.uint8)
    for start, duration, speed in EPISODES:
        if start <= second < start + duration:
            x = 20 + int((second - start) * speed) % 600
            cv2.rectangle(image, (x, 120), (x + 40, 320), (235, 225, 215), -1)
            cv2.circle(image, (x + 20, 100), 18, (200, 170, 150), -1)
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 80])
    assert ok
    return data.tobytes()


def main() -> int:
    clock = SimClock()
    provider = PaidProvider()
    costs = CostTracker(clock=clock.utc)
    detect = DetectFrame(
        gate=MotionGate(clock=clock.monotonic),
        cameras=AnalysedCameras([AnalysedCamera("t1", "cam1", provider, MotionSettings())]),
        fallback_provider=provider,
        publisher=NullPublisher(),
        costs=costs,
        clock=clock.utc,
    )
    base_small = np.random.default_rng(0).integers(40, 200, (36, 64, 3), dtype=np.uint8)
    base = cv2.resize(base_small, (640, 360), interpolation=cv2.INTER_NEAREST)
    rng = np.random.default_rng(1)
    outcomes: dict[Outcome, int] = {}
    for second in range(SECONDS):
        clock.t = float(second)
        frame = Frame("t1", "cam1", clock.utc(), render(second, base, rng))
        outcome = detect.handle(frame)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1

    paid = costs.calls("cam1", "DetectLabels") + costs.calls("cam1", "DetectFaces")
    reduction = 1 - paid / NAIVE_CALLS
    analysed = set(provider.analysed)
    missed = [
        (start, duration)
        for start, duration, _ in EPISODES
        if not analysed & set(range(start, start + duration))
    ]
    motion_seconds = sum(d for _, d, _ in EPISODES)
    print(
        f"frames: {SECONDS} (1 FPS, 640x360 JPEG), episodes: {len(EPISODES)} ({motion_seconds} s of motion)"
    )
    print(f"outcomes: { {o.value: n for o, n in outcomes.items()} }")
    print(f"paid calls: {paid} of {NAIVE_CALLS} naive -> {reduction:.1%} fewer")
    print(f"cost: ${costs.cost_usd('cam1')} for the hour (naive ${NAIVE_CALLS * 0.001:.2f})")
    print(f"episodes analysed: {len(EPISODES) - len(missed)}/{len(EPISODES)}; missed: {missed}")
    ok = reduction >= 0.90 and not missed
    print("PASS" if ok else "FAIL", "(target: >= 90 % fewer paid calls, every episode analysed)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

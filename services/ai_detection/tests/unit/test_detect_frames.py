"""The DetectFrame use case with fake providers, a fake publisher and the real motion gate
on generated JPEGs (no network, no AWS)."""

from datetime import UTC, datetime

import cv2
import numpy as np
import pytest

from ai_detection.application.cameras import AnalysedCamera, AnalysedCameras, UnknownCamera
from ai_detection.application.cost_tracker import CostTracker
from ai_detection.application.detect_frames import DetectFrame, FailedFrame, Outcome
from ai_detection.application.ports import ProviderError
from ai_detection.domain.detection import Detection
from ai_detection.domain.frame import Frame
from ai_detection.domain.motion import MotionSettings
from ai_detection.infrastructure.motion_gate import MotionGate
from vms_common.contracts import DetectionResult, Label

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
GATE_OFF = MotionSettings(enabled=False)


def jpeg(value: int) -> bytes:
    image = np.full((90, 160, 3), value, dtype=np.uint8)
    ok, data = cv2.imencode(".jpg", image)
    assert ok
    return data.tobytes()


def frame(value: int = 0, camera: str = "cam1", tenant: str = "t1") -> Frame:
    return Frame(tenant, camera, NOW, jpeg(value))


class FakeProvider:
    def __init__(self, name: str, errors: list[ProviderError] | None = None, paid: bool = False):
        self.name = name
        self.errors = list(errors or [])
        self.calls = 0
        self.paid = paid

    def detect(self, frame: Frame) -> Detection:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        calls = {"DetectLabels": 1, "DetectFaces": 1} if self.paid else {}
        return Detection(labels=(Label(name="Person", confidence=0.9),), calls=calls)


class FakePublisher:
    def __init__(self) -> None:
        self.published: list[DetectionResult] = []

    def publish(self, message: DetectionResult) -> None:
        self.published.append(message)


class FakeFailures:
    def __init__(self) -> None:
        self.failed: list[FailedFrame] = []

    def record(self, failed: FailedFrame) -> None:
        self.failed.append(failed)


class FakeMetrics:
    def __init__(self) -> None:
        self.frames: list[tuple[str, str, str]] = []

    def frame(self, camera_id: str, outcome: str, reason: str) -> None:
        self.frames.append((camera_id, outcome, reason))


def use_case(
    provider: FakeProvider,
    fallback: FakeProvider | None = None,
    motion: MotionSettings = GATE_OFF,
    cameras: list[AnalysedCamera] | None = None,
    **kwargs: object,
):
    publisher, failures, metrics, sleeps = FakePublisher(), FakeFailures(), FakeMetrics(), []
    if cameras is None:
        cameras = [AnalysedCamera("t1", "cam1", provider, motion)]
    detect = DetectFrame(
        gate=kwargs.pop("gate", MotionGate()),  # type: ignore[arg-type]
        cameras=AnalysedCameras(cameras),
        fallback_provider=fallback or FakeProvider("local"),
        publisher=publisher,
        costs=kwargs.pop("costs", CostTracker()),  # type: ignore[arg-type]
        failures=failures,
        metrics=metrics,
        sleep=sleeps.append,
        clock=lambda: NOW,
        **kwargs,  # type: ignore[arg-type]
    )
    return detect, publisher, failures, metrics, sleeps


def test_publishes_a_normalised_result_with_its_cost() -> None:
    provider = FakeProvider("rekognition", paid=True)
    detect, publisher, _, metrics, _ = use_case(provider)
    f = frame()
    assert detect.handle(f) is Outcome.PUBLISHED
    [result] = publisher.published
    assert (result.camera_id, result.provider, result.trace_id) == (
        "cam1",
        "rekognition",
        f.trace_id,
    )
    assert result.labels[0].name == "person"
    assert result.cost_usd == pytest.approx(0.002)
    assert result.route() == "t1.cam1.person"
    assert metrics.frames == [("cam1", "published", "disabled")]


def test_retries_transient_errors_then_succeeds() -> None:
    provider = FakeProvider("p", [ProviderError("throttled", transient=True)] * 2)
    detect, publisher, failures, _, sleeps = use_case(provider)
    assert detect.handle(frame()) is Outcome.PUBLISHED
    assert provider.calls == 3
    assert sleeps == [0.2, 0.4]
    assert len(publisher.published) == 1 and not failures.failed


def test_retries_transient_errors_then_records_the_failure_with_the_reason() -> None:
    provider = FakeProvider("p", [ProviderError("timed out after 5 s", transient=True)] * 5)
    detect, publisher, failures, metrics, _ = use_case(provider)
    assert detect.handle(frame()) is Outcome.FAILED
    assert provider.calls == 3
    assert not publisher.published
    [failed] = failures.failed
    assert (failed.frame.camera_id, failed.provider, failed.attempts) == ("cam1", "p", 3)
    assert failed.reason == "timed out after 5 s"
    assert metrics.frames == [("cam1", "failed", "provider_error")]


def test_permanent_error_is_not_retried() -> None:
    provider = FakeProvider("p", [ProviderError("access denied", transient=False)])
    detect, _, failures, _, sleeps = use_case(provider)
    assert detect.handle(frame()) is Outcome.FAILED
    assert provider.calls == 1 and not sleeps
    assert failures.failed[0].reason == "access denied"


def test_corrupt_jpeg_is_counted_and_dropped() -> None:
    provider = FakeProvider("p")
    detect, publisher, failures, metrics, _ = use_case(provider)
    bad = Frame("t1", "cam1", NOW, b"\xff\xd8garbage")
    assert detect.handle(bad) is Outcome.CORRUPT
    assert provider.calls == 0 and not publisher.published and not failures.failed
    assert metrics.frames == [("cam1", "corrupt", "corrupt_jpeg")]


def test_static_frames_are_skipped_by_the_gate() -> None:
    provider = FakeProvider("p")
    detect, _, _, _, _ = use_case(
        provider, motion=MotionSettings(), gate=MotionGate(clock=lambda: 0.0)
    )
    outcomes = [detect.handle(frame(100)) for _ in range(3)] + [detect.handle(frame(200))]
    assert outcomes == [Outcome.PUBLISHED, Outcome.SKIPPED, Outcome.SKIPPED, Outcome.PUBLISHED]
    assert provider.calls == 2


def test_camera_switches_to_fallback_once_its_budget_is_spent() -> None:
    paid = FakeProvider("rekognition", paid=True)
    local = FakeProvider("local")
    cameras = [
        AnalysedCamera("t1", "cam1", paid, GATE_OFF, daily_budget_usd=0.004),
        AnalysedCamera("t1", "cam2", local, GATE_OFF),
    ]
    costs = CostTracker(clock=lambda: NOW)
    detect, publisher, _, _, _ = use_case(local, fallback=local, cameras=cameras, costs=costs)
    for _ in range(3):
        detect.handle(frame(camera="cam1"))
    detect.handle(frame(camera="cam2"))
    assert [r.provider for r in publisher.published] == [
        "rekognition",
        "rekognition",
        "local",
        "local",
    ]
    assert [r.cost_usd for r in publisher.published] == pytest.approx([0.002, 0.002, 0.0, 0.0])
    assert paid.calls == 2


def test_after_a_failure_the_next_frame_is_analysed_even_if_unchanged() -> None:
    provider = FakeProvider("p", [ProviderError("access denied", transient=False)])
    detect, publisher, _, _, _ = use_case(
        provider, motion=MotionSettings(), gate=MotionGate(clock=lambda: 0.0)
    )
    assert detect.handle(frame(100)) is Outcome.FAILED
    assert detect.handle(frame(100)) is Outcome.PUBLISHED
    assert detect.handle(frame(100)) is Outcome.SKIPPED
    assert len(publisher.published) == 1


def test_a_frame_of_a_camera_not_analysed_here_is_refused() -> None:
    provider = FakeProvider("p")
    detect, publisher, _, metrics, _ = use_case(provider)
    with pytest.raises(UnknownCamera):
        detect.handle(frame(camera="elsewhere"))
    with pytest.raises(UnknownCamera):
        detect.handle(frame(tenant="t2"))
    assert provider.calls == 0 and not publisher.published and not metrics.frames

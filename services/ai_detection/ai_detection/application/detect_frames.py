"""Detect one frame: motion gate -> provider (or the fallback when over budget) -> result.

`DetectFrame.handle(frame)` is what the detection worker runs for every frame it takes off
the `frames` queue:

1. the motion gate decides whether the frame is worth analysing (a frame whose JPEG cannot
   be decoded is counted as corrupt and dropped; frames are disposable);
2. the camera's provider is chosen: its configured one, or the fallback (local, free)
   provider while the camera's or its tenant's daily budget is spent. A camera this service
   was not asked to analyse raises `UnknownCamera` (the worker dead-letters the frame);
3. the provider is called, and called again after a transient `ProviderError` (timeouts,
   throttling) up to `attempts` times in all; a permanent error or the last transient one
   makes the frame *failed*: a `FailedFrame` (the frame and the reason) goes to the failure
   port, counted and logged, and the gate forgets the camera's reference so its next frame is
   analysed;
4. the paid calls are priced by the cost tracker, and the `DetectionResult` is published.

Publishing errors propagate: the caller (the worker) decides whether the frame is retried.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol

from ai_detection.application.cameras import AnalysedCamera, AnalysedCameras
from ai_detection.application.cost_tracker import CostTracker
from ai_detection.application.ports import DetectionProvider, ProviderError
from ai_detection.domain.detection_result import detection_result
from ai_detection.domain.frame import Frame
from ai_detection.domain.motion import GateDecision, MotionSettings
from vms_common.contracts import DetectionResult

log = logging.getLogger(__name__)


class MotionGate(Protocol):
    def check(self, frame: Frame, settings: MotionSettings) -> GateDecision:
        """Raises ValueError when the JPEG cannot be decoded. An analysed frame becomes the
        camera's reference."""
        ...

    def forget(self, camera_id: str) -> None:
        """Drop the camera's reference, so its next frame is analysed."""
        ...


class ResultPublisher(Protocol):
    def publish(self, message: DetectionResult) -> None: ...


@dataclass(frozen=True)
class FailedFrame:
    frame: Frame
    provider: str
    attempts: int
    reason: str


class FailureRecorder(Protocol):
    def record(self, failed: FailedFrame) -> None: ...


class Outcome(StrEnum):
    PUBLISHED = "published"
    SKIPPED = "skipped"  # unchanged scene, not analysed
    CORRUPT = "corrupt"
    FAILED = "failed"


class DetectMetrics(Protocol):
    def frame(self, camera_id: str, outcome: str, reason: str) -> None: ...


class NoDetectMetrics:
    def frame(self, camera_id: str, outcome: str, reason: str) -> None:
        pass


class DiscardFailures:
    """For wiring without a failure store; the use case logs every failure anyway."""

    def record(self, failed: FailedFrame) -> None:
        pass


def _utc_now() -> datetime:
    return datetime.now(UTC)


class DetectFrame:
    def __init__(
        self,
        *,
        gate: MotionGate,
        cameras: AnalysedCameras,
        fallback_provider: DetectionProvider,
        publisher: ResultPublisher,
        costs: CostTracker,
        failures: FailureRecorder | None = None,
        metrics: DetectMetrics | None = None,
        attempts: int = 3,
        backoff_s: float = 0.2,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        self._gate = gate
        self._cameras = cameras
        self._fallback = fallback_provider
        self._publisher = publisher
        self._costs = costs
        self._failures = failures or DiscardFailures()
        self._metrics = metrics or NoDetectMetrics()
        self._attempts = attempts
        self._backoff_s = backoff_s
        self._sleep = sleep
        self._clock = clock

    def provider_for(self, camera: AnalysedCamera) -> DetectionProvider:
        """The camera's provider, or the fallback while a daily budget is spent."""
        provider = camera.provider
        if provider is not self._fallback and self._costs.over_budget(
            camera.tenant_id, camera.camera_id, camera.daily_budget_usd
        ):
            return self._fallback
        return provider

    def handle(self, frame: Frame) -> Outcome:
        """Raises UnknownCamera, and the publisher's errors."""
        camera = self._cameras.get(frame.tenant_id, frame.camera_id)
        try:
            decision = self._gate.check(frame, camera.motion)
        except ValueError as exc:
            log.warning(
                "corrupt frame dropped: camera %s trace %s: %s",
                frame.camera_id,
                frame.trace_id,
                exc,
            )
            self._metrics.frame(frame.camera_id, Outcome.CORRUPT, "corrupt_jpeg")
            return Outcome.CORRUPT
        if not decision.analyse:
            self._metrics.frame(frame.camera_id, Outcome.SKIPPED, decision.reason)
            return Outcome.SKIPPED

        provider = self.provider_for(camera)
        attempt = 0
        while True:
            attempt += 1
            try:
                detection = provider.detect(frame)
                break
            except ProviderError as exc:
                if exc.transient and attempt < self._attempts:
                    self._sleep(self._backoff_s * 2 ** (attempt - 1))
                    continue
                return self._fail(frame, provider.name, attempt, str(exc))

        cost = self._costs.record(frame.tenant_id, frame.camera_id, detection.calls)
        result = detection_result(
            frame, detection, provider=provider.name, processed_at=self._clock(), cost_usd=cost
        )
        self._publisher.publish(result)
        self._metrics.frame(frame.camera_id, Outcome.PUBLISHED, decision.reason)
        return Outcome.PUBLISHED

    def _fail(self, frame: Frame, provider: str, attempts: int, reason: str) -> Outcome:
        # The failed frame was never analysed: the next one must not be compared with it.
        self._gate.forget(frame.camera_id)
        log.warning(
            "detection failed: camera %s trace %s provider %s after %d attempt(s): %s",
            frame.camera_id,
            frame.trace_id,
            provider,
            attempts,
            reason,
        )
        self._failures.record(
            FailedFrame(frame=frame, provider=provider, attempts=attempts, reason=reason)
        )
        self._metrics.frame(frame.camera_id, Outcome.FAILED, "provider_error")
        return Outcome.FAILED

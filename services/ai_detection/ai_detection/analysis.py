"""The service's moving parts, wired: per camera a frame extractor and its detection settings,
and one detection worker that analyses the `frames` queue.

    camera --ffmpeg--> FrameExtractor --FramePublisher--> [frames] --DetectionWorker-->
        DetectFrame (motion gate -> provider -> cost) --> [detections] exchange
                                 \\-- failed, unknown camera, not a frame --> [frames.dlq]
"""

import logging
import threading
from dataclasses import dataclass

from ai_detection.application.cameras import AnalysedCamera, AnalysedCameras
from ai_detection.application.cost_tracker import CostTracker
from ai_detection.application.detect_frames import DetectFrame
from ai_detection.application.ports import DetectionProvider
from ai_detection.domain.motion import MotionSettings
from ai_detection.infrastructure.detection_metrics import (
    PrometheusCostMetrics,
    PrometheusDetectMetrics,
)
from ai_detection.infrastructure.detection_worker import DetectionWorker
from ai_detection.infrastructure.frame_dead_letters import FrameDeadLetters
from ai_detection.infrastructure.frame_extractor import (
    ExtractorPool,
    ExtractorStatus,
    FrameExtractor,
    ffmpeg_command,
)
from ai_detection.infrastructure.frame_queue import declare_frames_queue
from ai_detection.infrastructure.motion_gate import MotionGate
from ai_detection.infrastructure.providers.config import (
    OpenCvConfig,
    RekognitionConfig,
    provider_from_config,
)
from ai_detection.infrastructure.queue import FramePublisher, PikaFrameChannel
from ai_detection.settings import DetectionSettings
from vms_common.backoff import Backoff
from vms_common.publisher import Publisher

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CameraAnalysis:
    """What the API reports for one camera."""

    extractor: ExtractorStatus
    provider: str
    daily_budget_usd: float | None
    spent_today_usd: float


class Analysis:
    def __init__(self, settings: DetectionSettings) -> None:
        self._settings = settings
        self._frames = FramePublisher(
            PikaFrameChannel(settings.rabbitmq_url, settings.max_queue_depth),
            max_depth=settings.max_queue_depth,
            depth_cache_s=settings.queue_depth_cache_s,
        )
        self._extractors = ExtractorPool(self._extractor)
        self._cameras = AnalysedCameras()
        self._providers: dict[OpenCvConfig | RekognitionConfig, DetectionProvider] = {}
        self._providers_lock = threading.Lock()
        self._costs = CostTracker(
            settings.budgets(), settings.paid_api_prices_usd, PrometheusCostMetrics()
        )
        self._dead_letters = FrameDeadLetters(settings.rabbitmq_url)
        self._results = Publisher(
            settings.rabbitmq_url, settings.rabbitmq_definitions, "detections"
        )
        detect = DetectFrame(
            gate=MotionGate(),
            cameras=self._cameras,
            fallback_provider=self._provider(OpenCvConfig()),
            publisher=self._results,
            costs=self._costs,
            failures=self._dead_letters,
            metrics=PrometheusDetectMetrics(),
            attempts=settings.detection_attempts,
        )
        self._worker: DetectionWorker | None = None
        self._worker_thread: threading.Thread | None = None
        if settings.detection_threads > 0:
            self._worker = DetectionWorker(
                settings.rabbitmq_url,
                detect.handle,
                self._dead_letters,
                threads=settings.detection_threads,
                declare=lambda channel: declare_frames_queue(channel, settings.max_queue_depth),
            )
            self._worker_thread = threading.Thread(
                target=self._worker.run_forever,
                args=(Backoff(settings.reconnect_initial_s, settings.reconnect_max_s),),
                name="detection-worker",
                daemon=True,
            )
            self._worker_thread.start()

    def start(
        self,
        tenant_id: str,
        camera_id: str,
        provider: OpenCvConfig | RekognitionConfig,
        motion: MotionSettings,
        daily_budget_usd: float | None,
    ) -> CameraAnalysis:
        """Analyse the camera with these settings; a camera already analysed takes the new
        settings without a new extractor."""
        camera = AnalysedCamera(
            tenant_id, camera_id, self._provider(provider), motion, daily_budget_usd
        )
        self._cameras.put(camera)
        return self._report(self._extractors.start(tenant_id, camera_id), camera)

    def stop(self, tenant_id: str, camera_id: str) -> ExtractorStatus:
        """Raises UnknownCamera. Frames still queued for the camera are dead-lettered."""
        self._cameras.remove(tenant_id, camera_id)
        return self._extractors.stop(tenant_id, camera_id)

    def statuses(self, tenant_id: str | None = None) -> list[CameraAnalysis]:
        reports = []
        for status in self._extractors.statuses(tenant_id):
            camera = self._cameras.find(status.tenant_id, status.camera_id)
            if camera is not None:
                reports.append(self._report(status, camera))
        return reports

    def close(self) -> None:
        self._extractors.stop_all()
        if self._worker is not None and self._worker_thread is not None:
            self._worker.stop()
            self._worker_thread.join(30)
        self._frames.close()
        self._results.close()
        self._dead_letters.close()

    def _report(self, status: ExtractorStatus, camera: AnalysedCamera) -> CameraAnalysis:
        budget = camera.daily_budget_usd
        if budget is None:
            budget = self._settings.camera_daily_budget_usd
        spent = self._costs.spent_today(camera_id=camera.camera_id)
        return CameraAnalysis(status, camera.provider.name, budget, float(spent))

    def _provider(self, config: OpenCvConfig | RekognitionConfig) -> DetectionProvider:
        """One provider per distinct configuration, shared by the cameras that use it."""
        with self._providers_lock:
            provider = self._providers.get(config)
            if provider is None:
                provider = provider_from_config(config)
                self._providers[config] = provider
            return provider

    def _extractor(self, tenant_id: str, camera_id: str) -> FrameExtractor:
        s = self._settings
        command = ffmpeg_command(
            ffmpeg=s.ffmpeg,
            url=s.camera_url(tenant_id, camera_id),
            fps=s.frame_fps,
            keyframes_only=s.keyframes_only,
            width=s.frame_width,
        )
        return FrameExtractor(
            tenant_id=tenant_id,
            camera_id=camera_id,
            command=command,
            sink=self._frames,
            backoff=Backoff(s.reconnect_initial_s, s.reconnect_max_s),
            redact=s.redact,
        )

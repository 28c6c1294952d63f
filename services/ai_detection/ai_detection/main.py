"""AI detection service (FastAPI, port 8002): starts and stops the analysis of cameras,
reports it, and serves health and metrics.

Every endpoint but /health and /metrics needs ``Authorization: Bearer $DETECTION_API_TOKEN``.

    POST /cameras/start {"tenant_id", "camera_id",
                         "provider": {"type": "opencv"} | {"type": "rekognition", ...},
                         "motion": {"enabled", "pixel_threshold", "changed_fraction",
                                    "heartbeat_s"},
                         "daily_budget_usd": 5.0}
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, ConfigDict, Field

from ai_detection.analysis import Analysis, CameraAnalysis
from ai_detection.application.cameras import UnknownCamera
from ai_detection.domain.motion import MotionSettings
from ai_detection.infrastructure.frame_extractor import ExtractorStatus
from ai_detection.infrastructure.providers.config import OpenCvConfig, ProviderConfig
from ai_detection.settings import DetectionSettings
from vms_common.contracts import Identifier
from vms_common.health import rabbitmq_check
from vms_common.http_api import ApiError, bearer_token, install_error_handlers
from vms_common.logging import configure_logging


class CameraRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tenant_id: Identifier
    camera_id: Identifier


class CameraStart(CameraRef):
    provider: ProviderConfig = Field(default_factory=OpenCvConfig)
    motion: MotionSettings = Field(default_factory=MotionSettings)
    #: None: the service's CAMERA_DAILY_BUDGET_USD.
    daily_budget_usd: float | None = Field(default=None, ge=0)


class CameraStatusOut(BaseModel):
    tenant_id: str
    camera_id: str
    state: str
    since: datetime
    frames: int
    corrupt: int
    restarts: int
    last_error: str | None
    provider: str | None = None
    daily_budget_usd: float | None = None
    spent_today_usd: float | None = None

    @classmethod
    def of(cls, status: ExtractorStatus) -> "CameraStatusOut":
        return cls.model_validate(vars(status), from_attributes=False)

    @classmethod
    def of_analysis(cls, analysis: CameraAnalysis) -> "CameraStatusOut":
        return cls.model_validate(
            {
                **vars(analysis.extractor),
                "provider": analysis.provider,
                "daily_budget_usd": analysis.daily_budget_usd,
                "spent_today_usd": analysis.spent_today_usd,
            }
        )


def create_app(settings: DetectionSettings | None = None) -> FastAPI:
    settings = settings or DetectionSettings()  # type: ignore[call-arg]

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging("ai_detection", settings.log_level)
        app.state.analysis = Analysis(settings)
        yield
        app.state.analysis.close()

    app = FastAPI(title="VMS AI detection", version="0.1.0", lifespan=lifespan)

    def analysis(request: Request) -> Analysis:
        result: Analysis = request.app.state.analysis
        return result

    Cameras = Annotated[Analysis, Depends(analysis)]
    protected = [Depends(bearer_token(settings.api_token.get_secret_value()))]
    install_error_handlers(app)

    @app.post("/cameras/start", dependencies=protected, status_code=202)
    def cameras_start(camera: CameraStart, cameras: Cameras) -> CameraStatusOut:
        return CameraStatusOut.of_analysis(
            cameras.start(
                camera.tenant_id,
                camera.camera_id,
                camera.provider,
                camera.motion,
                camera.daily_budget_usd,
            )
        )

    @app.post("/cameras/stop", dependencies=protected)
    def cameras_stop(camera: CameraRef, cameras: Cameras) -> CameraStatusOut:
        try:
            return CameraStatusOut.of(cameras.stop(camera.tenant_id, camera.camera_id))
        except UnknownCamera as exc:
            raise ApiError(404, "camera is not being analysed", "not_found", vars(camera)) from exc

    @app.get("/cameras/status", dependencies=protected)
    def cameras_status(cameras: Cameras, tenant_id: Identifier | None = None) -> dict[str, Any]:
        return {"cameras": [CameraStatusOut.of_analysis(a) for a in cameras.statuses(tenant_id)]}

    @app.get("/health")
    def health() -> JSONResponse:
        checks = {"rabbitmq": rabbitmq_check(settings.rabbitmq_url)}
        healthy = all(v == "ok" for v in checks.values())
        return JSONResponse(
            {"status": "ok" if healthy else "degraded", "checks": checks},
            status_code=200 if healthy else 503,
        )

    @app.get("/metrics")
    def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app

"""AI detection service (FastAPI, port 8002): frame ingestion per camera, health and metrics.

Every endpoint but /health and /metrics needs ``Authorization: Bearer $DETECTION_API_TOKEN``.
"""

import hmac
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from ai_detection.infrastructure.frame_extractor import (
    ExtractorPool,
    ExtractorStatus,
    FrameExtractor,
    UnknownCamera,
    ffmpeg_command,
)
from ai_detection.infrastructure.queue import FramePublisher, PikaFrameChannel
from ai_detection.settings import DetectionSettings
from vms_common.backoff import Backoff
from vms_common.contracts import Identifier
from vms_common.health import rabbitmq_check
from vms_common.logging import configure_logging


class CameraRef(BaseModel):
    tenant_id: Identifier
    camera_id: Identifier


class CameraStatusOut(BaseModel):
    tenant_id: str
    camera_id: str
    state: str
    since: datetime
    frames: int
    corrupt: int
    restarts: int
    last_error: str | None

    @classmethod
    def of(cls, status: ExtractorStatus) -> "CameraStatusOut":
        return cls.model_validate(vars(status), from_attributes=False)


class ApiError(Exception):
    def __init__(self, status: int, message: str, code: str, extra: dict[str, Any] | None = None):
        self.status, self.message, self.code, self.extra = status, message, code, extra or {}


def _error(
    status: int, message: str, code: str, extra: dict[str, Any] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"message": message, "code": code, "extra": extra or {}}, status_code=status
    )


def create_app(settings: DetectionSettings | None = None) -> FastAPI:
    settings = settings or DetectionSettings()  # type: ignore[call-arg]

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging("ai_detection", settings.log_level)
        publisher = FramePublisher(
            PikaFrameChannel(settings.rabbitmq_url, settings.max_queue_depth),
            max_depth=settings.max_queue_depth,
            depth_cache_s=settings.queue_depth_cache_s,
        )

        def extractor(tenant_id: str, camera_id: str) -> FrameExtractor:
            command = ffmpeg_command(
                ffmpeg=settings.ffmpeg,
                url=settings.camera_url(tenant_id, camera_id),
                fps=settings.frame_fps,
                keyframes_only=settings.keyframes_only,
                width=settings.frame_width,
            )
            return FrameExtractor(
                tenant_id=tenant_id,
                camera_id=camera_id,
                command=command,
                sink=publisher,
                backoff=Backoff(settings.reconnect_initial_s, settings.reconnect_max_s),
            )

        app.state.extractors = ExtractorPool(extractor)
        yield
        app.state.extractors.stop_all()
        publisher.close()

    app = FastAPI(title="VMS AI detection", version="0.1.0", lifespan=lifespan)

    def authorised(authorization: Annotated[str | None, Header()] = None) -> None:
        expected = f"Bearer {settings.api_token.get_secret_value()}"
        if not authorization or not hmac.compare_digest(authorization.encode(), expected.encode()):
            raise ApiError(401, "missing or invalid bearer token", "not_authenticated")

    def extractors(request: Request) -> ExtractorPool:
        result: ExtractorPool = request.app.state.extractors
        return result

    Extractors = Annotated[ExtractorPool, Depends(extractors)]
    protected = [Depends(authorised)]

    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return _error(exc.status, exc.message, exc.code, exc.extra)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": ".".join(map(str, e["loc"])), "message": e["msg"]} for e in exc.errors()
        ]
        return _error(400, "invalid request", "invalid_request", {"errors": errors})

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        return _error(exc.status_code, str(exc.detail), "http_error")

    @app.post("/cameras/start", dependencies=protected, status_code=202)
    def cameras_start(camera: CameraRef, pool: Extractors) -> CameraStatusOut:
        return CameraStatusOut.of(pool.start(camera.tenant_id, camera.camera_id))

    @app.post("/cameras/stop", dependencies=protected)
    def cameras_stop(camera: CameraRef, pool: Extractors) -> CameraStatusOut:
        try:
            return CameraStatusOut.of(pool.stop(camera.tenant_id, camera.camera_id))
        except UnknownCamera as exc:
            raise ApiError(404, "camera is not being analysed", "not_found", vars(camera)) from exc

    @app.get("/cameras/status", dependencies=protected)
    def cameras_status(pool: Extractors, tenant_id: Identifier | None = None) -> dict[str, Any]:
        return {"cameras": [CameraStatusOut.of(s) for s in pool.statuses(tenant_id)]}

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

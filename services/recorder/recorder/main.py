"""Recorder service (FastAPI, port 8003): start, stop and watch camera recordings.

Every endpoint but /health and /metrics needs ``Authorization: Bearer $RECORDER_API_TOKEN``.
"""

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel

from recorder.announcer import OutboxAnnouncer
from recorder.manager import RecordingManager, UnknownCamera
from recorder.policies import PolicyStore
from recorder.policy_api import policy_routes
from recorder.scheduler import Housekeeping
from recorder.settings import RecorderSettings
from recorder.supervision import CameraStatus
from vms_common.contracts import Identifier
from vms_common.health import rabbitmq_check, writable_directory_check
from vms_common.http_api import ApiError, bearer_token, install_error_handlers
from vms_common.logging import configure_logging
from vms_common.publisher import Publisher


class CameraRef(BaseModel):
    tenant_id: Identifier
    camera_id: Identifier


class CameraStatusOut(BaseModel):
    tenant_id: str
    camera_id: str
    state: str
    since: datetime
    restarts: int
    segments: int
    last_segment_end: datetime | None
    last_segment_path: str | None
    last_error: str | None

    @classmethod
    def of(cls, status: CameraStatus) -> "CameraStatusOut":
        return cls.model_validate(vars(status), from_attributes=False)


def create_app(settings: RecorderSettings | None = None) -> FastAPI:
    settings = settings or RecorderSettings()  # type: ignore[call-arg]

    policies = PolicyStore(settings.recordings_root, settings.retention_days_default)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging("recorder", settings.log_level)
        settings.recordings_root.mkdir(parents=True, exist_ok=True)
        publisher = Publisher(settings.rabbitmq_url, settings.rabbitmq_definitions, "recordings")
        announcer = OutboxAnnouncer(publisher, settings.recordings_root / ".outbox")
        announcer.start()
        app.state.manager = RecordingManager(settings, announcer)
        app.state.manager.recover()  # what a crash left behind, before any camera starts
        housekeeping = Housekeeping.build(settings, policies, announcer)
        housekeeping.start()
        yield
        housekeeping.stop()
        app.state.manager.stop_all()
        announcer.flush()
        announcer.close()
        publisher.close()

    app = FastAPI(title="VMS recorder", version="0.1.0", lifespan=lifespan)

    def manager(request: Request) -> RecordingManager:
        result: RecordingManager = request.app.state.manager
        return result

    Manager = Annotated[RecordingManager, Depends(manager)]
    protected = [Depends(bearer_token(settings.api_token.get_secret_value()))]
    install_error_handlers(app)

    app.include_router(policy_routes(policies), dependencies=protected)

    @app.post("/record/start", dependencies=protected, status_code=202)
    def record_start(camera: CameraRef, recordings: Manager) -> CameraStatusOut:
        return CameraStatusOut.of(recordings.start(camera.tenant_id, camera.camera_id))

    @app.post("/record/stop", dependencies=protected)
    def record_stop(camera: CameraRef, recordings: Manager) -> CameraStatusOut:
        try:
            return CameraStatusOut.of(recordings.stop(camera.tenant_id, camera.camera_id))
        except UnknownCamera as exc:
            raise ApiError(404, "camera is not being recorded", "not_found", vars(camera)) from exc

    @app.get("/record/status", dependencies=protected)
    def record_status(recordings: Manager, tenant_id: Identifier | None = None) -> dict[str, Any]:
        return {"cameras": [CameraStatusOut.of(s) for s in recordings.statuses(tenant_id)]}

    @app.get("/health")
    def health() -> JSONResponse:
        checks = {
            "rabbitmq": rabbitmq_check(settings.rabbitmq_url),
            "storage": _check_storage(settings),
            "ffmpeg": "ok" if shutil.which(settings.ffmpeg) else "ffmpeg not found",
        }
        healthy = all(v == "ok" for v in checks.values())
        return JSONResponse(
            {"status": "ok" if healthy else "degraded", "checks": checks},
            status_code=200 if healthy else 503,
        )

    @app.get("/metrics")
    def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app


def _check_storage(settings: RecorderSettings) -> str:
    root = settings.recordings_root
    if not root.is_dir():
        return "recordings root missing"
    writable = writable_directory_check(root)
    if writable != "ok":
        return f"recordings root {writable}"
    usage = shutil.disk_usage(root)
    return "ok" if usage.free / usage.total > 0.02 else "disk almost full"

"""Each camera's settings, pushed to the services that act on them, without a restart:

- the relay (MediaMTX): a path `{tenant_id}/camera/{camera_id}` pulling the camera's RTSP
  address, with its credentials, while the camera is enabled and has an address;
- the recorder: its retention policy, and recording on or off;
- the detection service: analysis on or off, with the camera's provider and budget.

PostgreSQL holds the truth. Every push sends the whole desired state, so a push that failed
is made good by the next one: after the next change, by the retry task, or by
`manage.py cameras_sync` at start-up. Each service is pushed on its own: one that is away
does not stop the others.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import transaction

from apps.cameras.models import Camera, DetectionProvider
from apps.cameras.policies import RecorderPolicies, camera_policy_push
from apps.core.exceptions import Unavailable
from domain.cameras.rtsp_url import rtsp_url_parse
from infrastructure.camera_credentials import CredentialsUnreadable, password_unseal
from infrastructure.camera_services import (
    ServiceUnavailable,
    detection_client_from_settings,
    relay_client_from_settings,
)
from infrastructure.recorder_client import RecorderUnavailable, recorder_client_from_settings
from vms_common.contracts import relay_path
from vms_common.logging import get_logger

logger = get_logger(__name__)

DONE, PENDING, FAILED, SKIPPED = "done", "pending", "failed", "skipped"


class Relay(Protocol):
    def path_set(self, *, path: str, source_url: str) -> None: ...
    def path_remove(self, *, path: str) -> None: ...


class Recorder(RecorderPolicies, Protocol):
    def record_start(self, *, tenant_id: str, camera_id: str) -> None: ...
    def record_stop(self, *, tenant_id: str, camera_id: str) -> None: ...


class Detection(Protocol):
    def analysis_start(
        self, *, tenant_id: str, camera_id: str, options: dict[str, Any]
    ) -> None: ...
    def analysis_stop(self, *, tenant_id: str, camera_id: str) -> None: ...


@dataclass(frozen=True)
class CameraServices:
    recorder: Recorder
    detection: Detection
    relay: Relay | None = None  # None: no relay API configured

    @classmethod
    def from_settings(cls) -> "CameraServices":
        return cls(
            recorder=recorder_client_from_settings(),
            detection=detection_client_from_settings(),
            relay=relay_client_from_settings(),
        )


@dataclass(frozen=True)
class SyncReport:
    """Per service: done, skipped (nothing to tell it), pending (away: retried later) or
    failed (it refused; see the log)."""

    relay: str
    recorder: str
    detection: str

    @property
    def pending(self) -> bool:
        return PENDING in (self.relay, self.recorder, self.detection)

    def as_dict(self) -> dict[str, str]:
        return {"relay": self.relay, "recorder": self.recorder, "detection": self.detection}


def detection_options(camera: Camera) -> dict[str, Any]:
    """The body of the detection service's `POST /cameras/start`, less the camera's ids."""
    provider: dict[str, Any] = {"type": camera.detection_provider}
    if camera.detection_provider == DetectionProvider.REKOGNITION:
        provider["min_confidence"] = camera.detection_min_confidence
    budget = camera.detection_daily_budget_usd
    return {"provider": provider, "daily_budget_usd": None if budget is None else float(budget)}


def camera_sync(camera: Camera, services: CameraServices | None = None) -> SyncReport:
    """Push the camera's settings to every service; never raises for a service's failure."""
    services = services or CameraServices.from_settings()
    tenant_id, camera_id = str(camera.tenant_id), str(camera.id)
    ids = {"tenant_id": tenant_id, "camera_id": camera_id}
    relay = services.relay

    def relay_step() -> str:
        if relay is None:
            return SKIPPED
        path = relay_path(tenant_id, camera_id)
        if not (camera.enabled and camera.source_url):
            relay.path_remove(path=path)
            return DONE
        relay.path_set(path=path, source_url=camera_source_secret_url(camera))
        return DONE

    def recorder_step() -> str:
        camera_policy_push(camera=camera, recorder=services.recorder)
        if camera.enabled and camera.recording_enabled:
            services.recorder.record_start(**ids)
        else:
            services.recorder.record_stop(**ids)
        return DONE

    def detection_step() -> str:
        if camera.enabled and camera.detection_enabled:
            services.detection.analysis_start(**ids, options=detection_options(camera))
        else:
            services.detection.analysis_stop(**ids)
        return DONE

    return SyncReport(
        relay=_step("relay", relay_step, ids),
        recorder=_step("recorder", recorder_step, ids),
        detection=_step("detection", detection_step, ids),
    )


def camera_teardown(
    *, tenant_id: str, camera_id: str, services: CameraServices | None = None
) -> SyncReport:
    """A deleted camera: no relay path, no recording, no analysis."""
    services = services or CameraServices.from_settings()
    ids = {"tenant_id": tenant_id, "camera_id": camera_id}
    relay = services.relay

    def relay_step() -> str:
        if relay is None:
            return SKIPPED
        relay.path_remove(path=relay_path(tenant_id, camera_id))
        return DONE

    def recorder_step() -> str:
        services.recorder.record_stop(**ids)
        return DONE

    def detection_step() -> str:
        services.detection.analysis_stop(**ids)
        return DONE

    return SyncReport(
        relay=_step("relay", relay_step, ids),
        recorder=_step("recorder", recorder_step, ids),
        detection=_step("detection", detection_step, ids),
    )


def camera_source_secret_url(camera: Camera) -> str:
    """The RTSP address with the camera's credentials: for the relay only, never logged."""

    url = rtsp_url_parse(camera.source_url)
    if camera.source_username or camera.source_password_sealed:
        url = url.with_credentials(
            camera.source_username, password_unseal(camera.source_password_sealed)
        )
    return url.secret_url()


def _step(service: str, push: Callable[[], str], ids: dict[str, str]) -> str:
    try:
        return push()
    except (ServiceUnavailable, RecorderUnavailable) as exc:
        logger.warning(
            "camera settings not pushed, will retry", service=service, error=exc.message, **ids
        )
        return PENDING
    except (Unavailable, CredentialsUnreadable) as exc:
        logger.error(
            "camera settings refused",
            service=service,
            error=getattr(exc, "message", str(exc)),
            **ids,
        )
        return FAILED


def camera_sync_or_retry(camera: Camera, services: CameraServices | None = None) -> SyncReport:
    """Push now; what a service could not take now is pushed again by a Celery task."""
    report = camera_sync(camera, services)
    if report.pending:
        from apps.cameras.tasks import camera_sync_task

        _enqueue(lambda: camera_sync_task.delay(str(camera.id)), camera_id=str(camera.id))
    return report


def camera_teardown_or_retry(
    *, tenant_id: str, camera_id: str, services: CameraServices | None = None
) -> SyncReport:
    report = camera_teardown(tenant_id=tenant_id, camera_id=camera_id, services=services)
    if report.pending:
        from apps.cameras.tasks import camera_teardown_task

        _enqueue(lambda: camera_teardown_task.delay(tenant_id, camera_id), camera_id=camera_id)
    return report


def _enqueue(schedule: Callable[[], Any], *, camera_id: str) -> None:
    def enqueue() -> None:
        try:
            schedule()
        except Exception as exc:  # the broker is away too: `manage.py cameras_sync` makes it good
            logger.error("could not schedule a camera push", camera_id=camera_id, error=str(exc))

    transaction.on_commit(enqueue)

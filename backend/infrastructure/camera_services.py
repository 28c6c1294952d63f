"""HTTP clients of the services a camera's settings must reach: the detection service and
the MediaMTX relay's Control API (v3). Transport failures, timeouts and 5xx answers are
ServiceUnavailable (worth a retry); other refusals are ServiceRejected."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.conf import settings

from apps.core.exceptions import Unavailable
from infrastructure.http_json import HttpFailure, json_request


class ServiceRejected(Unavailable):
    """The service refused the request (bad token, bad body): a retry will not help."""

    default_code = "service_rejected"


class ServiceUnavailable(ServiceRejected):
    """The service could not be reached, timed out or failed: try again later."""

    default_code = "service_unavailable"


def _call(
    service: str,
    method: str,
    url: str,
    body: Any = None,
    *,
    token: str | None = None,
    timeout_s: float,
    missing_ok: bool = False,
) -> None:
    try:
        json_request(method, url, body, token=token, timeout_s=timeout_s)
    except HttpFailure as failure:
        if missing_ok and failure.status == 404:
            return
        extra = failure.extra | {"service": service}
        if failure.transient:
            raise ServiceUnavailable(f"the {service} is {failure.message}", extra=extra) from None
        raise ServiceRejected(
            f"the {service} refused the request ({failure.message})", extra=extra
        ) from None


@dataclass(frozen=True)
class HttpDetectionClient:
    """The detection service's camera API, with `Authorization: Bearer {token}`."""

    base_url: str
    token: str
    timeout_s: float = 5.0

    def analysis_start(self, *, tenant_id: str, camera_id: str, options: dict[str, Any]) -> None:
        """`POST /cameras/start`: a camera already analysed takes the new options."""
        body = {"tenant_id": tenant_id, "camera_id": camera_id, **options}
        self._post("/cameras/start", body)

    def analysis_stop(self, *, tenant_id: str, camera_id: str) -> None:
        """`POST /cameras/stop`; a camera that is not analysed is already stopped."""
        self._post("/cameras/stop", {"tenant_id": tenant_id, "camera_id": camera_id}, True)

    def _post(self, path: str, body: dict[str, Any], missing_ok: bool = False) -> None:
        _call(
            "detection service",
            "POST",
            self.base_url.rstrip("/") + path,
            body,
            token=self.token,
            timeout_s=self.timeout_s,
            missing_ok=missing_ok,
        )


@dataclass(frozen=True)
class HttpRelayClient:
    """MediaMTX's Control API: one configured path per camera, pulling from its source.

    The API listens on the internal network only; mediamtx.yml leaves it out of the HTTP
    authentication (`authHTTPExclude: api`)."""

    base_url: str
    timeout_s: float = 5.0

    def path_set(self, *, path: str, source_url: str) -> None:
        """`POST /v3/config/paths/replace/{path}`: create or overwrite the path's config."""
        body = {"source": source_url, "sourceOnDemand": False, "rtspTransport": "tcp"}
        self._call("POST", f"/v3/config/paths/replace/{quote(path)}", body)

    def path_remove(self, *, path: str) -> None:
        """`DELETE /v3/config/paths/delete/{path}`; a path that does not exist is gone."""
        self._call("DELETE", f"/v3/config/paths/delete/{quote(path)}", missing_ok=True)

    def _call(self, method: str, path: str, body: Any = None, *, missing_ok: bool = False) -> None:
        _call(
            "relay",
            method,
            self.base_url.rstrip("/") + path,
            body,
            timeout_s=self.timeout_s,
            missing_ok=missing_ok,
        )


def detection_client_from_settings() -> HttpDetectionClient:
    return HttpDetectionClient(
        base_url=settings.DETECTION_URL,
        token=settings.DETECTION_API_TOKEN,
        timeout_s=settings.SERVICE_TIMEOUT_S,
    )


def relay_client_from_settings() -> HttpRelayClient | None:
    """None when no relay API is configured (`MEDIAMTX_API_URL`): cameras are then relayed
    by whatever serves `RELAY_RTSP_BASE`, e.g. the camera simulator."""
    if not settings.MEDIAMTX_API_URL:
        return None
    return HttpRelayClient(base_url=settings.MEDIAMTX_API_URL, timeout_s=settings.SERVICE_TIMEOUT_S)

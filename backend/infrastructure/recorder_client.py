"""HTTP client of the recorder's API (stdlib urllib, bounded timeouts).

Transport failures, timeouts and 5xx answers become RecorderUnavailable (worth a retry);
other non-2xx answers become RecorderRejected (a configuration or contract problem that
a retry will not fix). Nothing is built or connected at import time.
"""

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.conf import settings

from apps.core.exceptions import Unavailable
from infrastructure.http_json import HttpFailure, json_request


class RecorderError(Unavailable):
    """The recorder did not take the request."""

    default_code = "recorder_error"


class RecorderUnavailable(RecorderError):
    """The recorder could not be reached, timed out or failed (transient)."""

    default_code = "recorder_unavailable"


class RecorderRejected(RecorderError):
    """The recorder answered with a 4xx (bad token, bad body): retrying will not help."""

    default_code = "recorder_rejected"


@dataclass(frozen=True)
class HttpRecorderClient:
    """Talks to `{base_url}` with `Authorization: Bearer {token}`."""

    base_url: str
    token: str
    timeout_s: float = 5.0

    def policy_put(self, *, tenant_id: str, camera_id: str, body: dict[str, Any]) -> None:
        """`PUT /cameras/{tenant_id}/{camera_id}/policy` with the camera's policy."""
        path = f"/cameras/{quote(tenant_id, safe='')}/{quote(camera_id, safe='')}/policy"
        self._request("PUT", path, body)

    def record_start(self, *, tenant_id: str, camera_id: str) -> None:
        """`POST /record/start`: recording a camera already recorded changes nothing."""
        self._request("POST", "/record/start", {"tenant_id": tenant_id, "camera_id": camera_id})

    def record_stop(self, *, tenant_id: str, camera_id: str) -> None:
        """`POST /record/stop`; a camera that is not being recorded is already stopped."""
        try:
            self._request("POST", "/record/stop", {"tenant_id": tenant_id, "camera_id": camera_id})
        except RecorderRejected as exc:
            if exc.extra.get("status") != 404:
                raise

    def _request(self, method: str, path: str, body: dict[str, Any]) -> bytes:
        try:
            return json_request(
                method,
                self.base_url.rstrip("/") + path,
                body,
                token=self.token,
                timeout_s=self.timeout_s,
            )
        except HttpFailure as failure:
            if failure.status == 0:
                raise RecorderRejected(
                    "RECORDER_URL must be an http(s) URL", extra={"url": self.base_url}
                ) from None
            if failure.status is None:
                raise RecorderUnavailable(
                    f"the recorder is {failure.message}", extra=failure.extra
                ) from None
            if failure.transient:
                raise RecorderUnavailable(
                    f"the recorder failed with HTTP {failure.status}", extra=failure.extra
                ) from None
            raise RecorderRejected(
                f"the recorder refused the request with HTTP {failure.status}",
                extra=failure.extra,
            ) from None


def recorder_client_from_settings() -> HttpRecorderClient:
    return HttpRecorderClient(
        base_url=settings.RECORDER_URL,
        token=settings.RECORDER_API_TOKEN,
        timeout_s=settings.RECORDER_TIMEOUT_S,
    )

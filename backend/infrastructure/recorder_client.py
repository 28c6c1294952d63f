"""HTTP client of the recorder's API (stdlib urllib, bounded timeouts).

Transport failures, timeouts and 5xx answers become RecorderUnavailable (worth a retry);
other non-2xx answers become RecorderRejected (a configuration or contract problem that
a retry will not fix). Nothing is built or connected at import time.
"""

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.conf import settings

from apps.core.exceptions import Unavailable

MAX_ERROR_BODY = 2000


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

    def _request(self, method: str, path: str, body: dict[str, Any]) -> bytes:
        url = self.base_url.rstrip("/") + path
        if not url.startswith(("http://", "https://")):
            raise RecorderRejected(
                "RECORDER_URL must be an http(s) URL", extra={"url": self.base_url}
            )
        request = urllib.request.Request(  # noqa: S310 (scheme checked above)
            url,
            data=json.dumps(body).encode(),
            method=method,
            headers={
                "Authorization": f"Bearer {self.token}",
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )
        extra: dict[str, Any] = {"method": method, "url": url}
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:  # noqa: S310
                return bytes(response.read())
        except urllib.error.HTTPError as exc:
            detail = exc.read(MAX_ERROR_BODY).decode("utf-8", "replace")
            extra |= {"status": exc.code, "body": detail}
            if exc.code >= 500:
                raise RecorderUnavailable(
                    f"the recorder failed with HTTP {exc.code}", extra=extra
                ) from None
            raise RecorderRejected(
                f"the recorder refused the request with HTTP {exc.code}", extra=extra
            ) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise RecorderUnavailable(
                f"the recorder is unreachable: {reason}", extra=extra
            ) from None


def recorder_client_from_settings() -> HttpRecorderClient:
    return HttpRecorderClient(
        base_url=settings.RECORDER_URL,
        token=settings.RECORDER_API_TOKEN,
        timeout_s=settings.RECORDER_TIMEOUT_S,
    )

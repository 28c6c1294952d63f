"""JSON over HTTP to our own services (stdlib urllib, bounded timeouts).

Every failure is an HttpFailure: `status` is None when the service could not be reached or
timed out, else the HTTP status of its answer. Callers turn it into their own errors."""

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

MAX_ERROR_BODY = 2000


@dataclass
class HttpFailure(Exception):
    message: str
    status: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def transient(self) -> bool:
        """Unreachable, timed out or a 5xx: worth another try later."""
        return self.status is None or self.status >= 500


def json_request(
    method: str,
    url: str,
    body: Any = None,
    *,
    token: str | None = None,
    timeout_s: float = 5.0,
) -> bytes:
    if not url.startswith(("http://", "https://")):
        raise HttpFailure("the service URL must be http(s)", 0, {"url": url})
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310
    extra: dict[str, Any] = {"method": method, "url": url}
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310
            return bytes(response.read())
    except urllib.error.HTTPError as exc:
        detail = exc.read(MAX_ERROR_BODY).decode("utf-8", "replace")
        raise HttpFailure(
            f"HTTP {exc.code}", exc.code, extra | {"status": exc.code, "body": detail}
        ) from None
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        raise HttpFailure(f"unreachable: {getattr(exc, 'reason', exc)}", None, extra) from None

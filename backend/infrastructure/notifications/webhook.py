"""Delivering a signed JSON body to a webhook (stdlib http.client, bounded timeouts).

The body is signed with HMAC-SHA256 under a shared secret, sent as
`X-VMS-Signature: sha256=<hex>` so the receiver can check it came from us. Connection
errors, timeouts and 5xx answers are retried after growing pauses; a 2xx is delivered; any
other answer (4xx, a redirect) is final: retrying would not change it.
"""

import hashlib
import hmac
import http.client
import ipaddress
import socket
import ssl
import time
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

SIGNATURE_HEADER = "X-VMS-Signature"
USER_AGENT = "vms-alerts/1"
MAX_ERROR_CHARS = 500


class WebhookTransportError(Exception):
    """The request did not get an answer: refused, reset, timed out."""


class HttpPost(Protocol):
    """POSTs `body` and returns the answer's status code, or raises WebhookTransportError."""

    def __call__(
        self, url: str, body: bytes, headers: Mapping[str, str], timeout_s: float
    ) -> int: ...


@dataclass(frozen=True)
class WebhookOutcome:
    delivered: bool
    attempts: int
    status_code: int | None = None
    error: str = ""


def webhook_signature(secret: str, body: bytes) -> str:
    """The value of `X-VMS-Signature` for `body`: ``sha256=<hex HMAC>``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_deliver(
    *,
    url: str,
    body: bytes,
    secret: str,
    headers: Mapping[str, str] | None = None,
    timeout_s: float = 5.0,
    attempts: int = 3,
    delays_s: Sequence[float] = (1.0, 2.0, 4.0),
    post: HttpPost | None = None,
    sleep: Callable[[float], None] = time.sleep,
    allow_private: bool = True,
) -> WebhookOutcome:
    """POST `body` to `url` up to `attempts` times, pausing `delays_s[n]` before retry n+1.

    Without `allow_private`, a URL whose host resolves to a loopback, private, link-local
    or otherwise non-public address is refused (no request is made), so that a webhook
    cannot reach the deployment's own services.
    """
    if not url.startswith(("http://", "https://")):
        return WebhookOutcome(False, 0, error="the webhook URL must be http:// or https://")
    if not secret:
        return WebhookOutcome(False, 0, error="no webhook secret is configured")
    if not allow_private:
        refusal = _private_host(url)
        if refusal:
            return WebhookOutcome(False, 0, error=refusal)
    sender = post or http_post
    request_headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        **dict(headers or {}),
        SIGNATURE_HEADER: webhook_signature(secret, body),
    }
    error = ""
    status: int | None = None
    for attempt in range(1, max(1, attempts) + 1):
        if attempt > 1:
            sleep(delays_s[min(attempt - 2, len(delays_s) - 1)] if delays_s else 0.0)
        try:
            status = sender(url, body, request_headers, timeout_s)
        except WebhookTransportError as exc:
            status, error = None, str(exc)[:MAX_ERROR_CHARS]
            continue
        if 200 <= status < 300:
            return WebhookOutcome(True, attempt, status)
        error = f"the webhook answered {status}"
        if status < 500:
            return WebhookOutcome(False, attempt, status, error)
    return WebhookOutcome(False, max(1, attempts), status, error)


def _private_host(url: str) -> str:
    """Why the URL's host may not be called (empty when it may)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = {
            str(info[4][0]) for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
        }
    except (OSError, ValueError) as exc:
        return f"the webhook host {host!r} cannot be resolved: {exc}"
    for address in addresses:
        if not ipaddress.ip_address(address.split("%", 1)[0]).is_global:
            return f"the webhook host {host!r} resolves to a non-public address ({address})"
    return ""


def http_post(url: str, body: bytes, headers: Mapping[str, str], timeout_s: float) -> int:
    """One POST with the standard library (header names sent as given); a redirect is not
    followed (its status is returned); every transport failure is a WebhookTransportError."""
    parts = urllib.parse.urlsplit(url)
    if not parts.hostname:
        raise WebhookTransportError(f"no host in {url!r}")
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(
            parts.hostname, parts.port, timeout=timeout_s, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout_s)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", target, body=body, headers=dict(headers))
        response = connection.getresponse()
        response.read(MAX_ERROR_CHARS)
        return int(response.status)
    except (http.client.HTTPException, OSError, ValueError) as exc:
        raise WebhookTransportError(f"{type(exc).__name__}: {exc}") from exc
    finally:
        connection.close()

"""MediaMTX's auth callback answered in front of Django, for its rate.

MediaMTX asks `POST /api/auth/validate-stream` for every reader it admits. Through Django's
ASGI handler each request runs the (synchronous) middleware and view in a thread of its own,
a few milliseconds of CPU per request, which caps the callback at a few hundred a second a
core. `with_stream_validation(app)` wraps the ASGI application: that one path (POST) is
answered here with the same service functions as the DRF view
(`apps.streams.views.StreamValidateApi`: caller check, parsing, validation, one non-blocking
Redis look-up), and every other request goes to `app` unchanged. Same answers: 200 with an
empty body, or 401 `{"message", "code", "extra"}` for anything else. Unlike Django it does not
check the Host header against `ALLOWED_HOSTS` (it builds no URL from it), so MediaMTX may call
it by any name, e.g. `http://backend:8000`.

To serve it, `config/asgi.py` wraps its application: `with_stream_validation(application)`;
`application_with_stream_validation` builds the same for `uvicorn --factory`.
"""

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from apps.core.exceptions import AuthenticationRequired
from vms_common.logging import get_logger

logger = get_logger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PATHS = frozenset({"/api/auth/validate-stream", "/api/auth/validate-stream/"})
MAX_BODY_BYTES = 256 * 1024


class BodyTooLarge(Exception):
    pass


async def _body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _headers(scope: Scope) -> dict[bytes, bytes]:
    return {name.lower(): value for name, value in scope.get("headers", ())}


async def _validate(scope: Scope, receive: Receive) -> None:
    # Imported here: this module is imported by the ASGI entry point before Django is set up.
    from apps.streams.services import (
        query_values,
        stream_access_avalidate,
        stream_auth_caller_check,
        stream_auth_request_parse,
    )

    headers = _headers(scope)
    client = scope.get("client") or ("", 0)
    query = query_values(scope.get("query_string", b"").decode("latin-1"))
    secret = (
        headers.get(b"x-stream-auth-secret", b"").decode("latin-1") or query.get("secret", [""])[0]
    )
    stream_auth_caller_check(remote_addr=str(client[0]), secret=secret)
    invalid = AuthenticationRequired("the body must be a JSON object", code="invalid_request")
    content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
    if content_type != b"application/json":
        raise invalid
    try:
        raw = await _body(receive)
        data = json.loads(raw) if raw else {}  # as DRF: an empty body is an empty object
    except (BodyTooLarge, ValueError, RecursionError):
        raise invalid from None
    auth = stream_auth_request_parse(data)
    try:
        await stream_access_avalidate(auth)
    except AuthenticationRequired as exc:
        logger.info(
            "stream access refused",
            code=exc.code,
            action=auth.action[:16],
            path=auth.path[:128],
            ip=auth.ip[:64],
            protocol=auth.protocol[:16],
        )
        raise


async def _answer(send: Send, status: int, body: bytes, content_type: bytes | None) -> None:
    headers = [(b"content-length", str(len(body)).encode())]
    if content_type:
        headers.append((b"content-type", content_type))
    if status == 401:
        headers.append((b"www-authenticate", b'Bearer realm="api"'))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def with_stream_validation(app: ASGIApp) -> ASGIApp:
    """`app` with `POST /api/auth/validate-stream` answered before it reaches Django."""

    async def application(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in PATHS or scope["method"] != "POST":
            await app(scope, receive, send)
            return
        try:
            await _validate(scope, receive)
        except AuthenticationRequired as exc:
            body = {"message": exc.message, "code": exc.code, "extra": exc.extra}
            await _answer(send, 401, json.dumps(body).encode(), b"application/json")
            return
        await _answer(send, 200, b"", None)

    return application


def application_with_stream_validation() -> ASGIApp:
    """`config.asgi.application` behind the fast path (`uvicorn --factory` takes this)."""
    from config.asgi import application

    return with_stream_validation(application)

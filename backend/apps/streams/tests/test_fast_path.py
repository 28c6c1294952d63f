"""The ASGI fast path of validate-stream gives the DRF view's answers, request for request.

Each case goes once through Django (the test client, i.e. `StreamValidateApi`) and once
through `with_stream_validation` as an ASGI application, on the real Redis of `REDIS_URL`
(and a closed port for "Redis down"). The application behind the fast path is a fake that
records what reaches it: only the fast path's own requests must not.
"""

import asyncio
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.cameras.models import Camera
from apps.cameras.services import camera_create
from apps.streams.asgi import MAX_BODY_BYTES, Message, Scope, with_stream_validation
from apps.usuarios.models import User
from infrastructure.auth import blacklist
from infrastructure.auth.jwt_service import stream_token_issue, stream_token_verify
from infrastructure.auth.tokens import token_pair_for_user

VALIDATE = "/api/auth/validate-stream"
CLOSED_REDIS = "redis://127.0.0.1:9/0"


class RecordingApp:
    """Stands in for Django behind the fast path; answers 299 so its answers stand out."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        self.paths.append(scope["path"])
        await send({"type": "http.response.start", "status": 299, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def call_asgi(
    app: Any,
    body: bytes,
    *,
    path: str = VALIDATE,
    method: str = "POST",
    content_type: bytes = b"application/json",
    headers: list[tuple[bytes, bytes]] | None = None,
    query_string: bytes = b"",
    chunk: int = 0,
) -> tuple[int, bytes]:
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "query_string": query_string,
        "headers": [(b"content-type", content_type), *(headers or [])],
        "client": ("127.0.0.1", 40000),
    }
    parts = [body[i : i + chunk] for i in range(0, len(body), chunk)] if chunk else [body]
    messages = [
        {"type": "http.request", "body": part, "more_body": index < len(parts) - 1}
        for index, part in enumerate(parts)
    ]
    sent: list[Message] = []

    async def receive() -> Message:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    status = int(sent[0]["status"])
    return status, b"".join(m.get("body", b"") for m in sent[1:])


def through_django(
    client: APIClient, body: bytes, content_type: str = "application/json"
) -> tuple[int, bytes]:
    response = client.post(VALIDATE, data=body, content_type=content_type)
    return response.status_code, response.content


def assert_same(django: tuple[int, bytes], fast: tuple[int, bytes]) -> None:
    assert fast[0] == django[0], (django, fast)
    if django[0] == 200:
        assert fast[1] == django[1] == b""
    else:
        assert json.loads(fast[1]) == json.loads(django[1])


@pytest.fixture
def cases(camera: Camera, user: User, tenant: Any) -> Callable[[], dict[str, bytes]]:
    def make() -> dict[str, bytes]:
        def issue(**overrides: Any) -> str:
            arguments: dict[str, Any] = {
                "user_id": user.pk,
                "tenant_id": camera.tenant_id,
                "camera_id": camera.id,
                "permissions": ["read"],
            }
            arguments.update(overrides)
            return stream_token_issue(**arguments).token

        path = f"{camera.tenant_id}/camera/{camera.id}"
        second = camera_create(tenant=tenant, name=f"Second {uuid.uuid4().hex[:6]}")
        revoked = issue()
        claims = stream_token_verify(revoked)
        blacklist.revoke(claims.jti, claims.expires_at)

        def body(**fields: Any) -> bytes:
            return json.dumps(
                {"action": "read", "path": path, "protocol": "hls", **fields}
            ).encode()

        return {
            "token": body(token=issue()),
            "password": body(user="x", password=issue()),
            "query": body(query=f"a=1&token={issue()}"),
            "playback": body(action="playback", token=issue()),
            "expired": body(token=issue(now=datetime.now(UTC) - timedelta(hours=2))),
            "revoked": body(token=revoked),
            "user access token": body(token=token_pair_for_user(user).access),
            "another camera": body(token=issue(), path=f"{camera.tenant_id}/camera/{second.id}"),
            "no permission": body(token=issue(permissions=[])),
            "no token": body(),
            "metrics": body(action="metrics", token=issue()),
            "publish, publisher": body(
                action="publish",
                user="vms-publisher",
                password="insecure-development-publisher-password-not-for-production",
            ),
            "publish, token": body(action="publish", token=issue()),
            "bad json": b"{nope",
            "empty": b"",
            "list": b"[1]",
            "wrong type": b'{"token": 5, "action": "read"}',
            "surrogate": b'{"token": "\\ud800", "action": "read"}',
            "nested": b"[" * 50000 + b"]" * 50000,
            "not utf-8": b'{"token": "\xff\xfe", "action": "read"}',
            "huge field": body(token="a" * 100_000),
            "query of many fields": body(query="&".join(["a=1"] * 200) + f"&token={issue()}"),
        }

    return make


def test_fast_path_answers_like_the_view(api_client, cases, settings):
    settings.STREAM_PUBLISHER_USER = "vms-publisher"
    settings.STREAM_PUBLISHER_PASSWORD = (
        "insecure-development-publisher-password-not-for-production"
    )
    inner = RecordingApp()
    app = with_stream_validation(inner)
    statuses = {}

    for name, body in cases().items():
        django = through_django(api_client, body)
        fast = call_asgi(app, body, chunk=7 if name == "token" else 0)
        assert_same(django, fast)
        statuses[name] = fast[0]

    assert inner.paths == []
    allowed = {name for name, status in statuses.items() if status == 200}
    assert allowed == {"token", "password", "query", "playback", "publish, publisher"}


def test_fast_path_fails_closed_when_redis_is_down(api_client, cases, settings):
    bodies = cases()
    settings.REDIS_URL = CLOSED_REDIS
    app = with_stream_validation(RecordingApp())

    django = through_django(api_client, bodies["token"])
    fast = call_asgi(app, bodies["token"])

    assert fast[0] == 401
    assert json.loads(fast[1])["code"] == "revocation_unavailable"
    assert_same(django, fast)


def test_fast_path_refuses_other_content_types_and_oversized_bodies(api_client, cases):
    body = cases()["token"]
    app = with_stream_validation(RecordingApp())

    form = call_asgi(app, body, content_type=b"application/x-www-form-urlencoded")
    oversized = call_asgi(app, b" " * (MAX_BODY_BYTES + 1) + body, chunk=65536)

    assert_same(through_django(api_client, body, "application/x-www-form-urlencoded"), form)
    assert oversized[0] == 401
    assert json.loads(oversized[1])["code"] == "invalid_request"


def test_fast_path_checks_the_caller_like_the_view(api_client, cases, settings):
    body = cases()["token"]
    app = with_stream_validation(RecordingApp())
    settings.STREAM_AUTH_SECRET = "mediamtx-shared-secret-for-this-test"

    missing = call_asgi(app, body)
    header = call_asgi(
        app, body, headers=[(b"x-stream-auth-secret", b"mediamtx-shared-secret-for-this-test")]
    )
    query = call_asgi(app, body, query_string=b"secret=mediamtx-shared-secret-for-this-test")
    crowded = call_asgi(app, body, query_string=b"a=1&" * 100 + b"secret=x")
    settings.STREAM_AUTH_SECRET = ""
    settings.STREAM_AUTH_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    outside = call_asgi(app, body)

    assert_same(through_django(api_client, body), outside)
    assert missing[0] == 401 and json.loads(missing[1])["code"] == "caller_not_allowed"
    assert crowded[0] == 401 and json.loads(crowded[1])["code"] == "caller_not_allowed"
    assert header[0] == 200
    assert query[0] == 200
    assert outside[0] == 401


def test_everything_else_goes_to_the_application_behind(cases):
    body = cases()["token"]
    inner = RecordingApp()
    app = with_stream_validation(inner)

    assert call_asgi(app, body, method="GET")[0] == 299
    assert call_asgi(app, body, path="/api/auth/validate-streams")[0] == 299
    assert call_asgi(app, body, path="/api/cameras/")[0] == 299

    assert inner.paths == [
        "/api/auth/validate-stream",
        "/api/auth/validate-streams",
        "/api/cameras/",
    ]

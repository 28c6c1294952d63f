"""validate-stream and the internal reader: the recorder and the detection service read every
camera from MediaMTX with `STREAM_READER_USER` and `STREAM_READER_PASSWORD`.

Through the DRF view and through the ASGI fast path (`apps.streams.asgi`), on the real
PostgreSQL and Redis.
"""

import asyncio
import json
import uuid
from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.cameras.models import Camera
from apps.streams.asgi import with_stream_validation

VALIDATE = "/api/auth/validate-stream"
READER = "vms-reader"
READER_PASSWORD = "reader-password-for-this-test-0123456789"
PUBLISHER_PASSWORD = "publisher-password-for-this-test-01234567"


@pytest.fixture(autouse=True)
def _reader(settings: Any) -> None:
    settings.STREAM_READER_USER = READER
    settings.STREAM_READER_PASSWORD = READER_PASSWORD
    settings.STREAM_PUBLISHER_USER = "vms-publisher"
    settings.STREAM_PUBLISHER_PASSWORD = PUBLISHER_PASSWORD


def body(**fields: Any) -> dict[str, Any]:
    request = {
        "user": "",
        "password": "",
        "token": "",
        "ip": "172.20.0.5",
        "action": "read",
        "path": "",
        "protocol": "rtsp",
        "id": str(uuid.uuid4()),
        "query": "",
    }
    request.update(fields)
    return request


async def _fast_path(request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    async def behind(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("validate-stream must be answered by the fast path")

    app = with_stream_validation(behind)
    data = json.dumps(request).encode()
    sent: list[dict[str, Any]] = []
    scope = {
        "type": "http",
        "method": "POST",
        "path": VALIDATE,
        "query_string": b"",
        "headers": [(b"content-type", b"application/json")],
        "client": ("172.20.0.5", 40000),
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": data, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    payload = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], json.loads(payload) if payload else {}


def answers(client: APIClient, **fields: Any) -> list[tuple[int, str | None]]:
    """(status, error code) from the view and from the fast path, which must agree."""
    request = body(**fields)
    response = client.post(VALIDATE, request, format="json")
    view = (response.status_code, response.json().get("code") if response.content else None)
    status, payload = asyncio.run(_fast_path(request))
    return [view, (status, payload.get("code"))]


def path_of(camera: Camera) -> str:
    return f"{camera.tenant_id}/camera/{camera.id}"


@pytest.mark.parametrize("action", ["read", "playback"])
def test_the_internal_reader_reads_any_camera(api_client, camera, action):
    for path in (path_of(camera), f"{uuid.uuid4()}/camera/{uuid.uuid4()}"):
        result = answers(
            api_client, action=action, user=READER, password=READER_PASSWORD, path=path
        )
        assert [status for status, _ in result] == [200, 200], result


def test_the_internal_reader_never_publishes(api_client, camera):
    result = answers(
        api_client, action="publish", user=READER, password=READER_PASSWORD, path=path_of(camera)
    )

    assert result == [(401, "publish_not_allowed")] * 2


@pytest.mark.parametrize(
    "password",
    ["", READER_PASSWORD[:-1], READER_PASSWORD + "x", READER_PASSWORD.upper(), PUBLISHER_PASSWORD],
)
def test_a_wrong_reader_password_is_refused(api_client, camera, password):
    result = answers(api_client, user=READER, password=password, path=path_of(camera))

    assert result == [(401, "reader_not_allowed")] * 2


@pytest.mark.parametrize(
    "path",
    ["", "somewhere/else", "a/camera/b", "CAMERA", "{t}/camera/{c}/extra", "{T}/camera/{c}"],
)
def test_the_internal_reader_reads_only_camera_paths(api_client, camera, path):
    path = path.format(t=camera.tenant_id, c=camera.id, T=str(camera.tenant_id).upper())

    result = answers(api_client, user=READER, password=READER_PASSWORD, path=path)

    assert result == [(401, "path_not_allowed")] * 2


def test_the_reader_password_under_another_user_is_refused(api_client, camera):
    for user in ("", "Vms-Reader", "vms-publisher", "vms-reader "):
        result = answers(api_client, user=user, password=READER_PASSWORD, path=path_of(camera))
        assert [status for status, _ in result] == [401, 401], (user, result)


def test_no_reader_password_set_means_no_internal_reader(api_client, camera, settings):
    settings.STREAM_READER_PASSWORD = ""

    result = answers(api_client, user=READER, password="", path=path_of(camera))

    assert [status for status, _ in result] == [401, 401], result


def test_the_publisher_credentials_do_not_read(api_client, camera):
    result = answers(
        api_client, user="vms-publisher", password=PUBLISHER_PASSWORD, path=path_of(camera)
    )

    assert [status for status, _ in result] == [401, 401], result

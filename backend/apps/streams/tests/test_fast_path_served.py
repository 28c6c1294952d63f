"""The validation fast path served by a real uvicorn, as `bench/stream_validation.py` runs it.

Starts `uvicorn --factory apps.streams.asgi:application_with_stream_validation` on a free
port with this process's environment (same `JWT_SECRET` and `REDIS_URL`), then asks it over
HTTP. No database is involved: the tokens carry their tenant and camera.
"""

import json
import os
import sys
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infrastructure.auth import blacklist
from infrastructure.auth.jwt_service import stream_path, stream_token_issue
from vms_common.testing import free_port, serving

BACKEND = Path(__file__).resolve().parents[3]


def _post(
    base: str, body: bytes | None, path: str = "/api/auth/validate-stream"
) -> tuple[int, bytes, bool]:
    """POST `body` as JSON, or GET when it is None: status, body, whether Django answered.

    Django's middleware stamps every answer with `X-Trace-Id`; the fast path does not.
    """
    request = urllib.request.Request(
        f"{base}{path}", data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read(), "X-Trace-Id" in response.headers
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), "X-Trace-Id" in exc.headers


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    uvicorn = Path(sys.executable).parent / "uvicorn"
    command = [
        str(uvicorn),
        "--factory",
        "apps.streams.asgi:application_with_stream_validation",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
    ]
    with serving(
        command,
        lambda: _post(base, b"{}"),
        what="uvicorn",
        timeout_s=60,
        cwd=BACKEND,
        env={**os.environ, "LOG_LEVEL": "WARNING"},
    ):
        yield base


def _body(**fields: Any) -> bytes:
    return json.dumps({"action": "read", "protocol": "hls", **fields}).encode()


def test_served_fast_path_allows_refuses_and_passes_the_rest_on(served: str) -> None:
    tenant_id, camera_id = uuid.uuid4(), uuid.uuid4()
    path = stream_path(str(tenant_id), str(camera_id))
    issued = stream_token_issue(
        user_id="1", tenant_id=tenant_id, camera_id=camera_id, permissions=["read"]
    )
    revoked = stream_token_issue(
        user_id="1", tenant_id=tenant_id, camera_id=camera_id, permissions=["read"]
    )
    blacklist.revoke(revoked.claims.jti, revoked.claims.expires_at)

    allowed = [_post(served, _body(query=f"token={issued.token}", path=path)) for _ in range(3)]
    refused = _post(served, _body(token=revoked.token, path=path))
    elsewhere = _post(served, _body(token=issued.token, path=f"{tenant_id}/camera/{tenant_id}"))
    malformed = _post(served, b"{" * 10)
    django = _post(served, None, path="/api/nowhere")

    assert allowed == [(200, b"", False)] * 3
    assert not any(answer[2] for answer in (refused, elsewhere, malformed))
    assert refused[0] == 401 and json.loads(refused[1])["code"] == "stream_token_revoked"
    assert elsewhere[0] == 401 and json.loads(elsewhere[1])["code"] == "path_not_allowed"
    assert malformed[0] == 401 and json.loads(malformed[1])["code"] == "invalid_request"
    # Anything else is Django's: its API 404 in the error format.
    assert django[0] == 404 and set(json.loads(django[1])) == {"message", "code", "extra"}
    assert django[2]

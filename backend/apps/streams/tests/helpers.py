"""What the stream-token tests share: the endpoints, the error shape, a validation request,
forged tokens."""

import base64
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import jwt
from django.conf import settings as django_settings
from rest_framework.test import APIClient

from apps.cameras.models import Camera
from apps.usuarios.models import User
from infrastructure.auth.jwt_service import AUDIENCE, signing_key
from infrastructure.auth.tokens import token_pair_for_user

ISSUE = "/api/auth/stream-token"
REVOKE = "/api/auth/revoke"
VALIDATE = "/api/auth/validate-stream"
CLOSED_REDIS = "redis://127.0.0.1:9/0"  # the discard port: nothing listens


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body: dict[str, Any] = response.json()
    assert set(body) == {"message", "code", "extra"}
    assert isinstance(body["message"], str) and body["message"]
    if code is not None:
        assert body["code"] == code, body
    return body


def path_of(camera: Camera) -> str:
    return f"{camera.tenant_id}/camera/{camera.id}"


def validate(client: APIClient, **fields: Any) -> Any:
    body = {
        "user": "",
        "password": "",
        "token": "",
        "ip": "192.0.2.10",
        "action": "read",
        "path": "",
        "protocol": "hls",
        "id": str(uuid.uuid4()),
        "query": "",
    }
    body.update(fields)
    return client.post(VALIDATE, body, format="json")


def b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def forgeries(camera: Camera, user: User, genuine: str) -> dict[str, str]:
    now = int(datetime.now(UTC).timestamp())
    claims = {
        "typ": "stream",
        "aud": AUDIENCE,
        "sub": str(user.pk),
        "jti": str(uuid.uuid4()),
        "tenant_id": str(camera.tenant_id),
        "camera_id": str(camera.id),
        "permissions": ["read"],
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
    }
    header, payload, signature = genuine.split(".")
    tampered_claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    tampered_claims["permissions"] = ["read", "publish"]
    tampered_claims["exp"] += 86400
    return {
        "alg none": f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims)}.",
        "alg none, genuine signature": f"{b64({'alg': 'none'})}.{payload}.{signature}",
        "wrong key": jwt.encode(claims, "a-completely-different-secret-key!!", algorithm="HS256"),
        "the user secret itself": jwt.encode(
            claims, str(django_settings.JWT_SECRET), algorithm="HS256"
        ),
        "HS512 with the right key": jwt.encode(claims, signing_key(), algorithm="HS512"),
        "tampered payload, original signature": f"{header}.{b64(tampered_claims)}.{signature}",
        "truncated signature": genuine[:-4],
        "user access token": token_pair_for_user(user).access,
        "user refresh token": token_pair_for_user(user).refresh,
        "wrong typ": jwt.encode({**claims, "typ": "access"}, signing_key(), algorithm="HS256"),
        "no audience": jwt.encode(
            {k: v for k, v in claims.items() if k != "aud"}, signing_key(), algorithm="HS256"
        ),
        "no jti": jwt.encode(
            {k: v for k, v in claims.items() if k != "jti"}, signing_key(), algorithm="HS256"
        ),
        "permissions not a list": jwt.encode(
            {**claims, "permissions": "read"}, signing_key(), algorithm="HS256"
        ),
        "camera id not a uuid": jwt.encode(
            {**claims, "camera_id": "../x"}, signing_key(), algorithm="HS256"
        ),
        "garbage": "not.a.token",
        "empty": "",
    }

"""Stream tokens, their revocation, and MediaMTX's validate-stream callback.

Against the real PostgreSQL and the real Redis of `REDIS_URL` (revoked `jti`s are random
uuids, so runs never collide); "Redis down" points the revocation list at a closed port.
"""

import base64
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
import redis
from django.apps import apps
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from rest_framework.test import APIClient

from apps.audit.models import AuditEntry
from apps.cameras.models import Camera
from apps.cameras.services import camera_create
from apps.usuarios.models import Role, Tenant, User
from infrastructure.auth import blacklist
from infrastructure.auth.jwt_service import (
    AUDIENCE,
    StreamTokenInvalid,
    signing_key,
    stream_token_issue,
    stream_token_verify,
)
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


@pytest.fixture
def issue_for(user: User) -> Callable[..., str]:
    def issue(camera: Camera, **overrides: Any) -> str:
        arguments: dict[str, Any] = {
            "user_id": user.pk,
            "tenant_id": camera.tenant_id,
            "camera_id": camera.id,
            "permissions": ["read"],
        }
        arguments.update(overrides)
        return stream_token_issue(**arguments).token

    return issue


@pytest.fixture
def other_camera(other_tenant: Tenant) -> Camera:
    return camera_create(tenant=other_tenant, name="Loading dock")


# --- POST /api/auth/stream-token ---------------------------------------------------------------
def test_stream_token_for_a_camera_of_the_tenant(auth_client: APIClient, camera: Camera, user):
    before = datetime.now(UTC).replace(microsecond=0)

    response = auth_client.post(ISSUE, {"camera_id": str(camera.id)}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"token", "expires_at", "url_path"}
    assert body["url_path"] == path_of(camera)
    claims = jwt.decode(body["token"], signing_key(), algorithms=["HS256"], audience=AUDIENCE)
    assert claims["typ"] == "stream"
    assert claims["tenant_id"] == str(camera.tenant_id)
    assert claims["camera_id"] == str(camera.id)
    assert claims["sub"] == str(user.pk)
    assert claims["permissions"] == ["read"]
    assert uuid.UUID(claims["jti"]).version == 4
    assert claims["exp"] - claims["iat"] == 3600
    assert claims["nbf"] == claims["iat"]
    expires_at = datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00"))
    assert body["expires_at"].endswith("Z")
    assert (
        before + timedelta(seconds=3600)
        <= expires_at
        <= datetime.now(UTC) + timedelta(seconds=3600)
    )
    assert validate(APIClient(), token=body["token"], path=body["url_path"]).status_code == 200


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OPERATOR, Role.ADMIN])
def test_every_role_may_get_a_read_token(client_for, make_user, tenant, camera, role):
    client = client_for(make_user(tenant, role=role))

    response = client.post(ISSUE, {"camera_id": str(camera.id)}, format="json")

    assert response.status_code == 200
    claims = stream_token_verify(response.json()["token"])
    assert claims.permissions == frozenset({"read"})


def test_stream_token_for_another_tenants_camera_is_404(auth_client, other_camera):
    response = auth_client.post(ISSUE, {"camera_id": str(other_camera.id)}, format="json")

    assert_error(response, 404, "camera_not_found")


def test_stream_token_for_an_unknown_camera_is_404(auth_client, camera):
    response = auth_client.post(ISSUE, {"camera_id": str(uuid.uuid4())}, format="json")

    assert_error(response, 404, "camera_not_found")


def test_stream_token_for_a_user_without_tenant_is_403(client_for, camera, db):
    loner = User.objects.create_user(username="loner", password="x" * 12)

    response = client_for(loner).post(ISSUE, {"camera_id": str(camera.id)}, format="json")

    assert_error(response, 403, "permission_denied")


@pytest.mark.parametrize("body", [{}, {"camera_id": "nope"}, {"camera_id": ["x"]}])
def test_stream_token_with_bad_input_is_400(auth_client, camera, body):
    assert_error(auth_client.post(ISSUE, body, format="json"), 400, "invalid")


def test_stream_token_needs_a_user(api_client, camera):
    response = api_client.post(ISSUE, {"camera_id": str(camera.id)}, format="json")

    assert_error(response, 401)


def test_a_stream_token_is_not_a_user_access_token(api_client, camera, issue_for):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_for(camera)}")

    assert_error(api_client.get("/api/cameras/"), 401)


# --- validation: the token ---------------------------------------------------------------------
def test_valid_token_on_its_camera_path_is_allowed(api_client, camera, issue_for):
    response = validate(api_client, token=issue_for(camera), path=path_of(camera))

    assert response.status_code == 200
    assert response.content == b""


def test_playback_needs_the_read_permission_too(api_client, camera, issue_for):
    allowed = validate(api_client, token=issue_for(camera), path=path_of(camera), action="playback")
    refused = validate(
        api_client, token=issue_for(camera, permissions=[]), path=path_of(camera), action="read"
    )

    assert allowed.status_code == 200
    assert_error(refused, 401, "permission_missing")


def test_jwt_expiry_rejection(api_client, camera, issue_for):
    expired = issue_for(camera, now=datetime.now(UTC) - timedelta(hours=1, seconds=5))
    not_yet = issue_for(camera, now=datetime.now(UTC) + timedelta(minutes=5))

    assert_error(
        validate(api_client, token=expired, path=path_of(camera)), 401, "stream_token_expired"
    )
    assert_error(
        validate(api_client, token=not_yet, path=path_of(camera)), 401, "stream_token_invalid"
    )
    with pytest.raises(StreamTokenInvalid):
        stream_token_verify(expired)


def _forgeries(camera: Camera, user: User, genuine: str) -> dict[str, str]:
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


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_invalid_token_rejection(api_client, camera, user, issue_for):
    genuine = issue_for(camera)
    assert validate(api_client, token=genuine, path=path_of(camera)).status_code == 200

    for name, forged in _forgeries(camera, user, genuine).items():
        response = validate(api_client, token=forged, path=path_of(camera))
        assert response.status_code == 401, name
        assert response.json()["code"] in (
            "stream_token_invalid",
            "stream_token_missing",
        ), name


def test_revoked_token_is_refused(api_client, camera, issue_for):
    token = issue_for(camera)
    claims = stream_token_verify(token)

    assert blacklist.revoke(claims.jti, claims.expires_at) is True

    assert blacklist.is_revoked(claims.jti, claims.user_id, claims.issued_at) is True
    assert_error(
        validate(api_client, token=token, path=path_of(camera)), 401, "stream_token_revoked"
    )
    assert validate(api_client, token=issue_for(camera), path=path_of(camera)).status_code == 200


def test_another_cameras_path_is_refused(api_client, tenant, camera, issue_for):
    second = camera_create(tenant=tenant, name="Back door")

    response = validate(api_client, token=issue_for(camera), path=path_of(second))

    assert_error(response, 401, "path_not_allowed")


def test_another_tenants_path_is_refused(api_client, camera, other_camera, issue_for):
    token = issue_for(camera)
    # The other tenant's camera, and this camera's id under the other tenant.
    for path in (
        path_of(other_camera),
        f"{other_camera.tenant_id}/camera/{camera.id}",
        f"{camera.tenant_id}/camera/{other_camera.id}",
    ):
        assert_error(validate(api_client, token=token, path=path), 401, "path_not_allowed")


@pytest.mark.parametrize(
    "path",
    ["", "{t}/camera/{c}/", "/{t}/camera/{c}", "{t}/camera/{c}/extra", "{t}/cam/{c}", "{c}"],
)
def test_path_must_be_exactly_the_cameras(api_client, camera, issue_for, path):
    given = path.format(t=camera.tenant_id, c=camera.id)

    assert_error(validate(api_client, token=issue_for(camera), path=given), 401)


# --- validation: where the token comes from ----------------------------------------------------
def test_token_in_the_token_field(api_client, camera, issue_for):
    response = validate(api_client, token=issue_for(camera), path=path_of(camera))

    assert response.status_code == 200


def test_token_as_the_password(api_client, camera, issue_for):
    response = validate(api_client, user="any", password=issue_for(camera), path=path_of(camera))

    assert response.status_code == 200


def test_token_inside_the_query(api_client, camera, issue_for):
    token = issue_for(camera)

    response = validate(api_client, query=f"lang=en&token={token}&x=%20y", path=path_of(camera))

    assert response.status_code == 200
    assert_error(validate(api_client, query="token=", path=path_of(camera)), 401)
    assert_error(validate(api_client, query=f"tok={token}", path=path_of(camera)), 401)


def test_no_token_at_all_is_refused(api_client, camera):
    assert_error(validate(api_client, path=path_of(camera)), 401, "stream_token_missing")


# --- validation: actions -----------------------------------------------------------------------
def test_publish_with_the_publisher_credentials(api_client, camera, settings):
    settings.STREAM_PUBLISHER_USER = "publisher"
    settings.STREAM_PUBLISHER_PASSWORD = "publisher-password-for-this-test"

    response = validate(
        api_client,
        action="publish",
        protocol="rtsp",
        user="publisher",
        password="publisher-password-for-this-test",
        path=path_of(camera),
    )

    assert response.status_code == 200


def test_publish_without_the_publisher_credentials(api_client, camera, issue_for, settings):
    settings.STREAM_PUBLISHER_USER = "publisher"
    settings.STREAM_PUBLISHER_PASSWORD = "publisher-password-for-this-test"
    tries = [
        {},
        {"user": "publisher"},
        {"user": "publisher", "password": "publisher-password-for-this-tesT"},
        {"user": "Publisher", "password": "publisher-password-for-this-test"},
        {"token": issue_for(camera)},
        {"token": issue_for(camera, permissions=["read", "publish"])},
        {"password": issue_for(camera)},
    ]
    for fields in tries:
        response = validate(api_client, action="publish", path=path_of(camera), **fields)
        assert_error(response, 401, "publish_not_allowed")
    outside = validate(
        api_client,
        action="publish",
        user="publisher",
        password="publisher-password-for-this-test",
        path="somewhere/else",
    )
    assert_error(outside, 401, "publish_not_allowed")


def test_publish_is_refused_when_no_publisher_password_is_set(api_client, camera, settings):
    settings.STREAM_PUBLISHER_USER = ""
    settings.STREAM_PUBLISHER_PASSWORD = ""

    response = validate(api_client, action="publish", path=path_of(camera))

    assert_error(response, 401, "publish_not_allowed")


@pytest.mark.parametrize("action", ["api", "metrics", "pprof", "", "READ", "delete"])
def test_other_actions_are_refused(api_client, camera, issue_for, action):
    response = validate(api_client, action=action, token=issue_for(camera), path=path_of(camera))

    assert_error(response, 401, "action_not_allowed")


# --- validation: Redis down, bad input, callers ------------------------------------------------
def test_redis_down_denies(api_client, camera, issue_for, settings):
    token = issue_for(camera)
    settings.REDIS_URL = CLOSED_REDIS

    response = validate(api_client, token=token, path=path_of(camera))

    assert_error(response, 401, "revocation_unavailable")
    with pytest.raises(blacklist.RevocationUnavailable):
        blacklist.is_revoked(str(uuid.uuid4()), "1", datetime.now(UTC))


@pytest.mark.parametrize(
    ("raw", "content_type"),
    [
        ("{not json", "application/json"),
        ("", "application/json"),
        ("[1, 2, 3]", "application/json"),
        ('"token"', "application/json"),
        ("null", "application/json"),
        ('{"token": 12, "action": "read"}', "application/json"),
        ('{"token": ["a"], "action": "read"}', "application/json"),
        ('{"action": {"read": true}}', "application/json"),
        ('{"token": "\\ud800", "action": "read", "path": "\\ud800"}', "application/json"),
        ('{"user": "\\ud800", "password": "\\udfff", "action": "publish"}', "application/json"),
        ('{"query": "token=%ff%fe&token", "action": "read"}', "application/json"),
        ('{"query": "' + "&".join(["a=1"] * 200) + '", "action": "read"}', "application/json"),
        ('{"token": "\u00e9.\u00e9.\u00e9", "action": "read"}', "application/json"),
        ("token=abc&action=read", "application/x-www-form-urlencoded"),
        ("\x00\x01\x02", "application/octet-stream"),
    ],
)
def test_malformed_requests_are_refused_never_500(api_client, db, raw, content_type):
    response = api_client.post(VALIDATE, data=raw, content_type=content_type)

    assert_error(response, 401)


def test_huge_fields_are_refused(api_client, camera, issue_for):
    huge = "a" * 100_000
    token = issue_for(camera)
    for fields in (
        {"token": huge},
        {"password": huge},
        {"query": "token=" + huge},
        {"token": token, "path": huge},
        {"token": token, "ip": huge},
        {"token": f"{huge}.{huge}.{huge}"[:8000]},
    ):
        body = {"action": "read", "path": path_of(camera), **fields}
        assert_error(api_client.post(VALIDATE, body, format="json"), 401)


def test_callers_outside_the_allowed_networks_are_refused(api_client, camera, issue_for, settings):
    token = issue_for(camera)
    settings.STREAM_AUTH_ALLOWED_NETWORKS = ["10.0.0.0/8", "fd00::/8"]

    refused = validate(api_client, token=token, path=path_of(camera))
    settings.STREAM_AUTH_ALLOWED_NETWORKS = ["10.0.0.0/8", "127.0.0.0/8"]
    allowed = validate(api_client, token=token, path=path_of(camera))

    assert_error(refused, 401, "caller_not_allowed")
    assert allowed.status_code == 200


def test_the_shared_secret_when_one_is_set(api_client, camera, issue_for, settings):
    token = issue_for(camera)
    settings.STREAM_AUTH_SECRET = "mediamtx-shared-secret-for-this-test"
    body = {"action": "read", "token": token, "path": path_of(camera)}

    missing = api_client.post(VALIDATE, body, format="json")
    wrong = api_client.post(VALIDATE, body, format="json", HTTP_X_STREAM_AUTH_SECRET="nope")
    header = api_client.post(
        VALIDATE, body, format="json", HTTP_X_STREAM_AUTH_SECRET=settings.STREAM_AUTH_SECRET
    )
    query = api_client.post(f"{VALIDATE}?secret={settings.STREAM_AUTH_SECRET}", body, format="json")

    assert_error(missing, 401, "caller_not_allowed")
    assert_error(wrong, 401, "caller_not_allowed")
    assert header.status_code == 200
    assert query.status_code == 200


# --- POST /api/auth/revoke ---------------------------------------------------------------------
def _redis() -> "redis.Redis[bytes]":
    return redis.Redis.from_url(str(django_settings.REDIS_URL))


def test_revoke_own_token(auth_client, camera, user):
    issued = auth_client.post(ISSUE, {"camera_id": str(camera.id)}, format="json").json()
    claims = stream_token_verify(issued["token"])

    response = auth_client.post(REVOKE, {"token": issued["token"]}, format="json")

    assert response.status_code == 204
    assert response.content == b""
    ttl = _redis().ttl(f"{blacklist.KEY_PREFIX}{claims.jti}")
    assert 3590 <= ttl <= 3600
    assert_error(
        validate(APIClient(), token=issued["token"], path=issued["url_path"]),
        401,
        "stream_token_revoked",
    )
    entry = AuditEntry.objects.get(action="stream_token.revoked", target_id=claims.jti)
    assert entry.tenant_id == user.tenant_id
    assert entry.user_id == user.pk
    assert entry.details["camera_id"] == str(camera.id)
    assert entry.details["already_expired"] is False
    # Revoking twice changes nothing.
    assert auth_client.post(REVOKE, {"token": issued["token"]}, format="json").status_code == 204


def test_revoke_another_tenants_token_is_404(client_for, other_user, other_camera, auth_client):
    theirs = client_for(other_user).post(ISSUE, {"camera_id": str(other_camera.id)}, format="json")
    token = theirs.json()["token"]

    assert_error(auth_client.post(REVOKE, {"token": token}, format="json"), 404)
    assert validate(APIClient(), token=token, path=path_of(other_camera)).status_code == 200


def test_only_an_admin_may_revoke_a_colleagues_token(client_for, make_user, tenant, camera):
    owner = client_for(make_user(tenant, role=Role.VIEWER))
    token = owner.post(ISSUE, {"camera_id": str(camera.id)}, format="json").json()["token"]
    operator = client_for(make_user(tenant, role=Role.OPERATOR))
    admin_user = make_user(tenant, role=Role.ADMIN)

    refused = operator.post(REVOKE, {"token": token}, format="json")
    still_valid = validate(APIClient(), token=token, path=path_of(camera))
    done = client_for(admin_user).post(REVOKE, {"token": token}, format="json")

    assert_error(refused, 403, "permission_denied")
    assert still_valid.status_code == 200
    assert done.status_code == 204
    assert_error(validate(APIClient(), token=token, path=path_of(camera)), 401)
    assert AuditEntry.objects.get(action="stream_token.revoked").user_id == admin_user.pk


def test_revoke_an_expired_token_stores_nothing(auth_client, camera, issue_for):
    token = issue_for(camera, now=datetime.now(UTC) - timedelta(hours=2))
    claims = stream_token_verify(token, verify_exp=False)

    response = auth_client.post(REVOKE, {"token": token}, format="json")

    assert response.status_code == 204
    assert _redis().exists(f"{blacklist.KEY_PREFIX}{claims.jti}") == 0
    entry = AuditEntry.objects.get(action="stream_token.revoked")
    assert entry.details["already_expired"] is True


@pytest.mark.parametrize("body", [{}, {"token": ""}, {"token": "garbage"}, {"token": 5}])
def test_revoke_bad_input_is_400(auth_client, db, body):
    assert_error(auth_client.post(REVOKE, body, format="json"), 400)


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_revoke_a_forged_token_is_400(auth_client, camera, user):
    forged = _forgeries(
        camera,
        user,
        stream_token_issue(
            user_id=user.pk, tenant_id=camera.tenant_id, camera_id=camera.id, permissions=["read"]
        ).token,
    )["wrong key"]

    assert_error(auth_client.post(REVOKE, {"token": forged}, format="json"), 400)


def test_revoke_needs_a_user(api_client, camera, issue_for):
    assert_error(api_client.post(REVOKE, {"token": issue_for(camera)}, format="json"), 401)


def test_revoke_with_redis_down_is_503_and_not_audited(auth_client, camera, issue_for, settings):
    token = issue_for(camera)
    settings.REDIS_URL = CLOSED_REDIS

    response = auth_client.post(REVOKE, {"token": token}, format="json")

    assert_error(response, 503, "revocation_unavailable")
    assert not AuditEntry.objects.filter(action="stream_token.revoked").exists()


@pytest.mark.parametrize(
    "change", [{"is_active": False}, {"password": "a fresh long passphrase 42"}]
)
def test_a_user_deactivated_or_given_a_new_password_loses_their_stream_links(
    api_client, camera, user, make_user, tenant, issue_for, change
):
    from apps.usuarios.services import user_update

    token = issue_for(camera)
    colleague_token = stream_token_issue(
        user_id=make_user(tenant).pk,
        tenant_id=camera.tenant_id,
        camera_id=camera.id,
        permissions=["read"],
    ).token
    admin = make_user(tenant, role=Role.ADMIN)

    user_update(user=user, by=admin, **change)

    assert_error(
        validate(api_client, token=token, path=path_of(camera)), 401, "stream_token_revoked"
    )
    assert validate(api_client, token=colleague_token, path=path_of(camera)).status_code == 200
    ttl = _redis().ttl(f"{blacklist.USER_KEY_PREFIX}{user.pk}")
    assert 0 < ttl <= django_settings.STREAM_TOKEN_TTL_S


def test_blacklist_ttl_follows_the_tokens_remaining_life(db):
    jti = str(uuid.uuid4())
    now = datetime.now(UTC)

    assert blacklist.revoke(jti, now + timedelta(seconds=90), now=now) is True
    assert blacklist.revoke(str(uuid.uuid4()), now - timedelta(seconds=1), now=now) is False

    assert 85 <= _redis().ttl(f"{blacklist.KEY_PREFIX}{jti}") <= 90
    assert blacklist.is_revoked(jti, "1", now) is True
    assert blacklist.is_revoked(str(uuid.uuid4()), "1", now) is False


def test_a_malformed_network_setting_stops_startup(settings):
    settings.STREAM_AUTH_ALLOWED_NETWORKS = ["10.0.0.0/8", "not-a-network"]

    with pytest.raises(ImproperlyConfigured):
        apps.get_app_config("streams").ready()

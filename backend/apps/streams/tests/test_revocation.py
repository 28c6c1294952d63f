"""`POST /api/auth/revoke` and the revocation list in the real Redis of `REDIS_URL` (revoked
`jti`s are random uuids, so runs never collide)."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import redis
from django.conf import settings as django_settings
from rest_framework.test import APIClient

from apps.audit.models import AuditEntry
from apps.streams.tests.helpers import (
    CLOSED_REDIS,
    ISSUE,
    REVOKE,
    assert_error,
    forgeries,
    path_of,
    validate,
)
from apps.usuarios.models import Role
from infrastructure.auth import blacklist
from infrastructure.auth.jwt_service import (
    stream_token_issue,
    stream_token_verify,
)


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
    forged = forgeries(
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

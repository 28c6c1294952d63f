"""`POST /api/auth/stream-token`: a token per camera of the user's tenant."""

import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from rest_framework.test import APIClient

from apps.cameras.models import Camera
from apps.streams.tests.helpers import ISSUE, assert_error, path_of, validate
from apps.usuarios.models import Role, User
from infrastructure.auth.jwt_service import (
    AUDIENCE,
    signing_key,
    stream_token_verify,
)


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

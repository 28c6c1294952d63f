"""MediaMTX's validate-stream callback: the token, where it comes from, the action, and bad
input. Against the real PostgreSQL and Redis; "Redis down" points at a closed port."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from apps.cameras.services import camera_create
from apps.streams.tests.helpers import (
    CLOSED_REDIS,
    VALIDATE,
    assert_error,
    forgeries,
    path_of,
    validate,
)
from infrastructure.auth import blacklist
from infrastructure.auth.jwt_service import (
    StreamTokenInvalid,
    stream_token_verify,
)


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


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_invalid_token_rejection(api_client, camera, user, issue_for):
    genuine = issue_for(camera)
    assert validate(api_client, token=genuine, path=path_of(camera)).status_code == 200

    for name, forged in forgeries(camera, user, genuine).items():
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


def test_a_malformed_network_setting_stops_startup(settings):
    settings.STREAM_AUTH_ALLOWED_NETWORKS = ["10.0.0.0/8", "not-a-network"]

    with pytest.raises(ImproperlyConfigured):
        apps.get_app_config("streams").ready()

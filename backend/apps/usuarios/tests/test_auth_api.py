from datetime import timedelta

import jwt
import pytest
from conftest import PASSWORD
from django.conf import settings
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

LOGIN = "/api/auth/login"
REFRESH = "/api/auth/refresh"
PROTECTED = "/api/cameras/"


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"message", "code", "extra"}
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["extra"], dict)
    if code is not None:
        assert body["code"] == code
    return body


def test_login_returns_tokens_carrying_tenant_and_role(api_client, user):
    response = api_client.post(LOGIN, {"username": "alice", "password": PASSWORD}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access", "refresh"}
    claims = jwt.decode(body["access"], settings.JWT_SECRET, algorithms=["HS256"])
    assert claims["tenant_id"] == str(user.tenant_id)
    assert claims["role"] == "viewer"
    assert claims["user_id"] == str(user.pk)
    lifetime = claims["exp"] - claims["iat"]
    assert lifetime == 15 * 60


def test_login_with_a_wrong_password_is_401_in_the_error_format(api_client, user):
    response = api_client.post(LOGIN, {"username": "alice", "password": "nope"}, format="json")

    body = assert_error(response, 401, "invalid_credentials")
    assert body["extra"] == {}


def test_login_of_an_unknown_user_is_401(api_client, db):
    response = api_client.post(LOGIN, {"username": "ghost", "password": "x"}, format="json")

    assert_error(response, 401, "invalid_credentials")


def test_login_of_a_deactivated_user_is_401(api_client, user):
    user.is_active = False
    user.save()

    response = api_client.post(LOGIN, {"username": "alice", "password": PASSWORD}, format="json")

    assert_error(response, 401, "invalid_credentials")


@pytest.mark.parametrize("missing", ["username", "password"])
def test_login_without_a_field_is_400_naming_it(api_client, db, missing):
    data = {"username": "alice", "password": PASSWORD}
    del data[missing]

    response = api_client.post(LOGIN, data, format="json")

    body = assert_error(response, 400, "invalid")
    assert body["message"].startswith(f"{missing}:")
    assert missing in body["extra"]["fields"]


def test_login_with_malformed_json_is_400(api_client, db):
    response = api_client.post(LOGIN, "{not json", content_type="application/json")

    assert_error(response, 400, "parse_error")


def test_refresh_gives_a_new_access_token(api_client, user):
    refresh = str(RefreshToken.for_user(user))

    response = api_client.post(REFRESH, {"refresh": refresh}, format="json")

    assert response.status_code == 200
    access = response.json()["access"]
    claims = jwt.decode(access, settings.JWT_SECRET, algorithms=["HS256"])
    assert claims["token_type"] == "access"
    assert claims["tenant_id"] == str(user.tenant_id)
    assert api_client.get(PROTECTED, HTTP_AUTHORIZATION=f"Bearer {access}").status_code == 200


def test_refresh_with_an_access_token_or_garbage_is_401(api_client, user):
    access = str(AccessToken.for_user(user))
    for token in (access, "garbage"):
        response = api_client.post(REFRESH, {"refresh": token}, format="json")
        assert_error(response, 401, "token_not_valid")


def test_refresh_for_a_deactivated_user_is_401(api_client, user):
    refresh = str(RefreshToken.for_user(user))
    user.is_active = False
    user.save()

    response = api_client.post(REFRESH, {"refresh": refresh}, format="json")

    assert_error(response, 401, "token_not_valid")


def test_a_request_without_a_token_is_401(api_client, db):
    body = assert_error(api_client.get(PROTECTED), 401, "not_authenticated")
    assert body["message"]


def test_a_garbage_token_is_401(api_client, db):
    response = api_client.get(PROTECTED, HTTP_AUTHORIZATION="Bearer not-a-jwt")

    assert_error(response, 401, "token_not_valid")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_token_signed_with_another_key_is_401(api_client, user):
    forged = jwt.encode(
        {"token_type": "access", "user_id": str(user.pk), "jti": "x", "exp": 4102444800},
        "another-secret-that-is-long-enough-for-hs256",
        algorithm="HS256",
    )

    response = api_client.get(PROTECTED, HTTP_AUTHORIZATION=f"Bearer {forged}")

    assert_error(response, 401, "token_not_valid")


def test_an_expired_token_is_401(api_client, user):
    token = AccessToken.for_user(user)
    token.set_exp(from_time=timezone.now() - timedelta(hours=1), lifetime=timedelta(minutes=15))

    response = api_client.get(PROTECTED, HTTP_AUTHORIZATION=f"Bearer {token}")

    assert_error(response, 401, "token_not_valid")

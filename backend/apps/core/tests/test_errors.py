import pytest
from django.test import Client, RequestFactory
from rest_framework import exceptions
from rest_framework.views import APIView

from apps.core.exception_handler import api_exception_handler
from apps.core.exceptions import Conflict, InvalidInput, ResourceNotFound
from apps.core.views import server_error


def handle(exc: Exception):
    return api_exception_handler(exc, {"view": APIView(), "request": None})


@pytest.mark.parametrize("path", ["/api/nope", "/api/cameras/x/y/z", "/api/", "/api"])
def test_unknown_api_urls_are_json_404(client, path):
    response = client.get(path, follow=True)

    assert response.status_code == 404
    assert response.json() == {"message": "Not found.", "code": "not_found", "extra": {}}


def test_a_wrong_method_is_json_405(auth_client, db):
    response = auth_client.delete("/api/cameras/")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_application_errors_keep_their_message_code_and_extra():
    response = handle(
        Conflict("a camera named 'Lobby' exists", code="camera_exists", extra={"n": 1})
    )

    assert response.status_code == 409
    assert response.data == {
        "message": "a camera named 'Lobby' exists",
        "code": "camera_exists",
        "extra": {"n": 1},
    }


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (InvalidInput("bad"), 400, "invalid"),
        (ResourceNotFound("gone"), 404, "not_found"),
        (exceptions.PermissionDenied(), 403, "permission_denied"),
        (exceptions.NotFound(), 404, "not_found"),
        (exceptions.Throttled(wait=12), 429, "throttled"),
        (exceptions.ParseError(), 400, "parse_error"),
        (exceptions.MethodNotAllowed("PUT"), 405, "method_not_allowed"),
    ],
)
def test_every_error_gets_the_same_shape(exc, status, code):
    response = handle(exc)

    assert response.status_code == status
    assert set(response.data) == {"message", "code", "extra"}
    assert response.data["code"] == code
    assert response.data["message"]


def test_throttled_says_how_long_to_wait():
    response = handle(exceptions.Throttled(wait=12))

    assert response.data["code"] == "throttled"
    assert response.data["extra"] == {"retry_after_s": 12}
    assert response["Retry-After"] == "12"


def test_validation_errors_name_the_first_field_and_list_all():
    response = handle(exceptions.ValidationError({"start": ["Required."], "end": ["Bad."]}))

    assert response.status_code == 400
    assert response.data["message"] == "start: Required."
    assert set(response.data["extra"]["fields"]) == {"start", "end"}


def test_unexpected_errors_are_left_to_the_500_handler():
    assert handle(RuntimeError("boom")) is None


def test_the_500_handler_answers_json_without_a_traceback():
    response = server_error(RequestFactory().get("/api/cameras/"))

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert b"Traceback" not in response.content
    assert b'"code": "server_error"' in response.content


@pytest.mark.parametrize("method", ["get", "post", "patch", "delete"])
def test_an_unknown_api_url_is_json_404_whatever_the_method(db, method):
    client = Client(enforce_csrf_checks=True)  # as a browser's request, CSRF checked

    response = getattr(client, method)("/api/no-such-thing", content_type="application/json")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"

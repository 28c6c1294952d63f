"""One DRF exception handler: every API error becomes `{"message", "code", "extra"}`."""

import math
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from apps.core.exceptions import (
    AccessDenied,
    ApplicationError,
    AuthenticationRequired,
    Conflict,
    InvalidInput,
    ResourceNotFound,
    Unavailable,
)

STATUS_BY_ERROR: dict[type[ApplicationError], int] = {
    InvalidInput: status.HTTP_400_BAD_REQUEST,
    AuthenticationRequired: status.HTTP_401_UNAUTHORIZED,
    AccessDenied: status.HTTP_403_FORBIDDEN,
    ResourceNotFound: status.HTTP_404_NOT_FOUND,
    Conflict: status.HTTP_409_CONFLICT,
    Unavailable: status.HTTP_503_SERVICE_UNAVAILABLE,
}


def error_body(message: str, code: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"message": message, "code": code, "extra": extra or {}}


def status_for(error: ApplicationError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return status.HTTP_400_BAD_REQUEST


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Map ApplicationError, DRF's/Django's exceptions and OverflowError to the error format.

    Anything else is left to Django, whose 500 handler answers in the same format
    without a traceback.
    """
    if isinstance(exc, ApplicationError):
        set_rollback()
        headers = {}
        if isinstance(exc, AuthenticationRequired):
            headers["WWW-Authenticate"] = 'Bearer realm="api"'
        return Response(
            error_body(exc.message, exc.code, exc.extra), status=status_for(exc), headers=headers
        )

    if isinstance(exc, OverflowError):
        # A number or a time past what Python or PostgreSQL can hold (year 1, 10**30 seconds).
        set_rollback()
        return Response(
            error_body("a value is out of the range this API handles", "out_of_range"),
            status=status.HTTP_400_BAD_REQUEST,
        )

    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))

    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    response.data = _api_exception_body(exc)
    return response


def _api_exception_body(exc: exceptions.APIException) -> dict[str, Any]:
    if isinstance(exc, exceptions.ValidationError):
        return error_body(_first_message(exc.detail), "invalid", {"fields": exc.detail})

    detail = exc.detail
    extra: dict[str, Any] = {}
    if isinstance(detail, dict):
        # simplejwt's InvalidToken carries {"detail", "code", "messages"}.
        message = str(detail.get("detail", exc.default_detail))
        code = str(detail.get("code", exc.default_code))
        extra = {key: value for key, value in detail.items() if key not in ("detail", "code")}
    elif isinstance(detail, list):
        message = _first_message(detail)
        code = str(exc.default_code)
    else:
        message = str(detail)
        code = str(getattr(detail, "code", None) or exc.default_code)
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        # The same whole seconds as DRF's Retry-After header.
        extra["retry_after_s"] = math.ceil(exc.wait)
    return error_body(message, code, extra)


def _first_message(detail: Any, prefix: str = "") -> str:
    """The first error as one sentence that names its field: 'start: Enter a valid date.'"""
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "" if key == "non_field_errors" else str(key)
            path = f"{prefix}.{name}" if prefix and name else (name or prefix)
            return _first_message(value, path)
        return "Invalid input."
    if isinstance(detail, list):
        return _first_message(detail[0], prefix) if detail else "Invalid input."
    return f"{prefix}: {detail}" if prefix else str(detail)

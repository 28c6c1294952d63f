"""Audits every change requested through the API, and every login attempt.

Every POST, PUT, PATCH and DELETE under `/api/` gets an `AuditEntry` once its response is
known, whatever the outcome (4xx and 5xx included): who (the user DRF authenticated from
the token, which DRF also sets on Django's request), their tenant, `api.<method>`, the
path and view, the status, the client IP (`infrastructure.throttling.client_ip`) and the
request's trace id. `POST /api/auth/login` gets `auth.login` or `auth.login_failed` with
the username tried instead; nothing else of a body, no query string and no token is kept.
MediaMTX's `validate-stream` (a read, at a high rate) is not audited; WebSockets never
reach this middleware.

These HTTP-level entries come on top of the entries services write themselves (e.g.
`export.requested`), which name the business action. Placed after Django's
`AuthenticationMiddleware` and `apps.core.middleware.TraceIdMiddleware`.
"""

import json
import re
from collections.abc import Callable
from typing import Any

import structlog
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError, transaction
from django.http import HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from rest_framework.exceptions import APIException
from rest_framework.settings import api_settings

from apps.audit.services import audit_api_request_record, audit_login_record
from infrastructure.throttling import MAX_USERNAME_CHARS, client_ip
from vms_common.logging import get_logger

logger = get_logger(__name__)

AUDITED_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
NOT_AUDITED = re.compile(r"^/api/auth/validate-stream/?$")
LOGIN = re.compile(r"^/api/auth/login/?$")


class AuditMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        if (
            request.method not in AUDITED_METHODS
            or not path.startswith("/api/")
            or NOT_AUDITED.match(path)
        ):
            return self.get_response(request)
        is_login = bool(LOGIN.match(path))
        # Read before the view consumes the body; only the username is kept.
        username = _username_tried(request) if is_login else ""
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        fields: dict[str, Any] = {
            "path": path,
            "view_name": match.view_name if match is not None else "",
            "status": response.status_code,
            "ip": client_ip(request),
            "trace_id": str(structlog.contextvars.get_contextvars().get("trace_id", "")),
        }
        try:
            # In a savepoint of its own: a failed write leaves an outer transaction usable.
            with transaction.atomic():
                self._record(request, is_login, username, response.status_code, fields)
        except DatabaseError as exc:
            # The change has happened (or been refused) already; its answer still goes out.
            logger.error("audit_write_failed", path=path, error=str(exc))
        return response

    @staticmethod
    def _record(
        request: HttpRequest, is_login: bool, username: str, status: int, fields: dict[str, Any]
    ) -> None:
        if is_login and request.method == "POST":
            audit_login_record(username=username, succeeded=200 <= status < 300, **fields)
        else:
            audit_api_request_record(
                user=_acting_user(request), method=str(request.method), **fields
            )


def _username_tried(request: HttpRequest) -> str:
    try:
        body = json.loads(request.body)
    except (RequestDataTooBig, RawPostDataException, ValueError, RecursionError):
        return ""
    username = body.get("username") if isinstance(body, dict) else None
    return username[:MAX_USERNAME_CHARS] if isinstance(username, str) else ""


def _acting_user(request: HttpRequest) -> Any | None:
    """The user DRF authenticated; for views outside DRF, the token's user, if valid."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    if not request.headers.get("Authorization"):
        return None
    for authentication_class in api_settings.DEFAULT_AUTHENTICATION_CLASSES:
        try:
            found = authentication_class().authenticate(request)
        except APIException:
            return None
        if found is not None:
            return found[0]
    return None

"""What the VMS's FastAPI services answer alike: errors as `{"message", "code", "extra"}`
(never FastAPI's own shapes) and the bearer token their API asks for.

Imports FastAPI: only the services that serve HTTP import this module (extra `vms-common[http]`).
"""

import hmac
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException


class ApiError(Exception):
    def __init__(self, status: int, message: str, code: str, extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.status, self.message, self.code, self.extra = status, message, code, extra or {}


def error_response(
    status: int, message: str, code: str, extra: dict[str, Any] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"message": message, "code": code, "extra": extra or {}}, status_code=status
    )


def install_error_handlers(app: FastAPI) -> None:
    """ApiError as itself, a request that does not validate as 400 `invalid_request` with
    each field's message, any other HTTP error (404 of an unknown path...) in the same shape."""

    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.message, exc.code, exc.extra)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": ".".join(map(str, e["loc"])), "message": e["msg"]} for e in exc.errors()
        ]
        return error_response(400, "invalid request", "invalid_request", {"errors": errors})

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        return error_response(exc.status_code, str(exc.detail), "http_error")


def bearer_token(token: str) -> Callable[..., None]:
    """A FastAPI dependency refusing (401) a request without `Authorization: Bearer <token>`;
    compared in constant time."""
    expected = f"Bearer {token}".encode()

    def authorised(authorization: Annotated[str | None, Header()] = None) -> None:
        if not authorization or not hmac.compare_digest(authorization.encode(), expected):
            raise ApiError(401, "missing or invalid bearer token", "not_authenticated")

    return authorised

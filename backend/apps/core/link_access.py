"""Who asks for a file that a player may open without headers: a token or a signed link."""

from collections.abc import Callable
from typing import Any

from rest_framework import exceptions
from rest_framework.request import Request

from apps.usuarios.permissions import permission_require, required_permission


def reader_by_token_or_link(
    view: Any, request: Request, read_link: Callable[[str, str], Any]
) -> Any:
    """The user of the bearer token, else the one the request's signed link was made for,
    provided their role still has the permission the view requires.

    `read_link(signature, expires)` checks the link's `sig` and `exp` and returns its
    user (401 when bad or expired); a request with neither a token nor `sig` is 401.
    """
    if request.user and request.user.is_authenticated:
        reader = request.user
    else:
        signature = request.query_params.get("sig")
        if not signature:
            raise exceptions.NotAuthenticated()
        reader = read_link(signature, request.query_params.get("exp", ""))
    permission = required_permission(view, request.method or "")
    if permission is None:
        raise exceptions.PermissionDenied()
    permission_require(reader, permission)
    return reader

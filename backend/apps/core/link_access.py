"""Who asks for a file that a player may open without headers: a token or a signed link."""

from collections.abc import Callable
from typing import Any

from rest_framework import exceptions
from rest_framework.request import Request


def reader_by_token_or_link(request: Request, read_link: Callable[[str, str], Any]) -> Any:
    """The user of the bearer token, else the one the request's signed link was made for.

    `read_link(signature, expires)` checks the link's `sig` and `exp` and returns its
    user (401 when bad or expired); a request with neither a token nor `sig` is 401.
    """
    if request.user and request.user.is_authenticated:
        return request.user
    signature = request.query_params.get("sig")
    if not signature:
        raise exceptions.NotAuthenticated()
    return read_link(signature, request.query_params.get("exp", ""))

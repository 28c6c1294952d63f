"""The one error hierarchy of the backend.

Services and selectors raise these; the API edge turns each into a JSON body
`{"message", "code", "extra"}` with the status that fits its class. The classes are plain
Python so that the worker can raise and catch them too.
"""

from collections.abc import Mapping
from typing import Any


class ApplicationError(Exception):
    """An error the caller can act on: bad input, a missing resource, a refused action."""

    default_code = "application_error"

    def __init__(
        self, message: str, *, code: str | None = None, extra: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.extra: dict[str, Any] = dict(extra or {})


class InvalidInput(ApplicationError):
    """The request or message is malformed or breaks a rule (400)."""

    default_code = "invalid"


class AuthenticationRequired(ApplicationError):
    """Credentials are missing, wrong or expired (401)."""

    default_code = "not_authenticated"


class AccessDenied(ApplicationError):
    """The user is known but may not do this (403)."""

    default_code = "permission_denied"


class ResourceNotFound(ApplicationError):
    """Nothing by that id exists for this tenant (404). Other tenants' rows are never found."""

    default_code = "not_found"


class Conflict(ApplicationError):
    """The action clashes with the current state, e.g. a duplicate name (409)."""

    default_code = "conflict"


class Unavailable(ApplicationError):
    """A dependency or part of the deployment is missing (503)."""

    default_code = "unavailable"

"""Who may do what: roles grant permissions, every API view names the permission each of its
methods needs, and one DRF permission class enforces it.

- `view_stream`: see the tenant's cameras, live and recorded video, detections and alerts.
- `control_camera`: act on what is recorded, e.g. export a clip (which puts an evidence hold).
- `manage_config`: change cameras, users, alert rules and evidence holds; read the audit log.

A view without `required_permissions` for the request's method is refused to everyone: a new
endpoint is closed until it says who may use it.
"""

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from apps.core.exceptions import AccessDenied
from apps.usuarios.models import Role


class Permission(StrEnum):
    VIEW_STREAM = "view_stream"
    CONTROL_CAMERA = "control_camera"
    MANAGE_CONFIG = "manage_config"


PERMISSIONS_BY_ROLE: Mapping[str, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.VIEW_STREAM}),
    Role.OPERATOR: frozenset({Permission.VIEW_STREAM, Permission.CONTROL_CAMERA}),
    Role.ADMIN: frozenset(Permission),
}

RequiredPermissions = Mapping[str, Permission]


def role_permissions(role: str) -> frozenset[Permission]:
    return PERMISSIONS_BY_ROLE.get(role, frozenset())


def user_permissions(user: Any) -> frozenset[Permission]:
    """An active user of a tenant has their role's permissions; anyone else has none."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return frozenset()
    if not getattr(user, "tenant_id", None):
        return frozenset()
    return role_permissions(getattr(user, "role", ""))


def permission_require(user: Any, permission: Permission) -> None:
    """Raise AccessDenied (403) unless the user has the permission."""
    if permission not in user_permissions(user):
        raise AccessDenied(
            f"your role may not do this: it needs the {permission.value} permission",
            code="permission_denied",
            extra={"permission": permission.value},
        )


def required_permission(view: Any, method: str) -> Permission | None:
    """The permission the view's `required_permissions` names for the method (HEAD as GET)."""
    required: RequiredPermissions = getattr(view, "required_permissions", {})
    if method == "HEAD":
        method = "GET"
    return required.get(method)


class RolePermission(BasePermission):
    """The default permission class: an authenticated user whose role grants what the view's
    `required_permissions` names for the method. No credentials: 401; no permission: 403."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False  # DRF answers 401 with the authenticator's challenge
        if request.method == "OPTIONS" or not hasattr(view, (request.method or "").lower()):
            return True  # OPTIONS describes the endpoint; a method it lacks is a 405
        permission = required_permission(view, request.method or "")
        if permission is None:
            raise AccessDenied("this endpoint is not open to any role", code="permission_denied")
        permission_require(request.user, permission)
        return True

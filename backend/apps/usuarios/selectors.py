"""Reads of the users of a tenant and of the roles they can have."""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from apps.core.exceptions import ResourceNotFound
from apps.usuarios.models import Role, User
from apps.usuarios.permissions import Permission, role_permissions, user_permissions

MAX_USER_ID = 2**63 - 1


@dataclass(frozen=True)
class RoleDescription:
    name: str
    label: str
    permissions: list[str]


def _in_order(permissions: frozenset[Permission]) -> list[str]:
    return [p.value for p in Permission if p in permissions]


def roles_list() -> list[RoleDescription]:
    """Every role, from the one that may do least to the one that may do most."""
    return [
        RoleDescription(
            name=role.value, label=role.label, permissions=_in_order(role_permissions(role))
        )
        for role in Role
    ]


def permissions_of(user: Any) -> list[str]:
    """What the user may do now, in a stable order (none when inactive or without a tenant)."""
    return _in_order(user_permissions(user))


def users_for_user(user: Any) -> QuerySet[User]:
    """The users of the user's tenant by username, deactivated ones included."""
    if not getattr(user, "tenant_id", None):
        return User.objects.none()
    return User.objects.filter(tenant_id=user.tenant_id).order_by("username", "id")


def user_get_for_user(user: Any, user_id: int | str) -> User:
    """One user of the user's tenant; unknown users and other tenants' are not found."""
    raw = str(user_id)
    key = int(raw) if raw.isascii() and raw.isdigit() else 0
    found = users_for_user(user).filter(pk=key).first() if 0 < key <= MAX_USER_ID else None
    if found is None:
        raise ResourceNotFound("user not found", code="user_not_found")
    return found


def active_admins_count(*, tenant_id: Any, excluding: Any = None) -> int:
    """How many active admins the tenant has, leaving out the user `excluding` (a pk)."""
    admins = User.objects.filter(tenant_id=tenant_id, role=Role.ADMIN, is_active=True)
    if excluding is not None:
        admins = admins.exclude(pk=excluding)
    return admins.count()

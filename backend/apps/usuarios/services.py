"""Writes: tenants, users, and the tokens a login hands out."""

from django.contrib.auth import authenticate
from django.db import transaction

from apps.core.exceptions import AuthenticationRequired, Conflict
from apps.usuarios.models import Role, Tenant, User
from infrastructure.auth.tokens import (
    TokenPair,
    access_token_for_user,
    refresh_token_user_id,
    token_pair_for_user,
)


def tenant_create(*, name: str) -> Tenant:
    if Tenant.objects.filter(name=name).exists():
        raise Conflict(f"a tenant named {name!r} already exists", code="tenant_exists")
    return Tenant.objects.create(name=name)


def tenant_get_or_create(*, name: str) -> Tenant:
    tenant, _ = Tenant.objects.get_or_create(name=name)
    return tenant


@transaction.atomic
def user_create(
    *,
    tenant: Tenant,
    username: str,
    password: str,
    role: str = Role.VIEWER,
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    if User.objects.filter(username=username).exists():
        raise Conflict(f"the username {username!r} is taken", code="username_taken")
    user = User(
        tenant=tenant,
        username=username,
        role=Role(role),
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


def user_password_set(*, user: User, password: str) -> User:
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


def auth_login(*, username: str, password: str) -> TokenPair:
    """Check the credentials and hand out an access and a refresh token."""
    user = authenticate(username=username, password=password)
    if user is None or not user.is_active:
        raise AuthenticationRequired(
            "No active account found with the given credentials.", code="invalid_credentials"
        )
    return token_pair_for_user(user)


def auth_refresh(*, refresh: str) -> str:
    """A new access token for a still valid refresh token of a still active user.

    The claims come from the user as they are now, so a changed role or tenant shows up
    at the next refresh.
    """
    user_id = refresh_token_user_id(refresh)
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise AuthenticationRequired("User not found or inactive.", code="token_not_valid")
    return access_token_for_user(user)

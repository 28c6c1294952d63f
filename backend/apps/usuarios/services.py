"""Writes: tenants, users, and the tokens a login hands out."""

from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.audit.services import audit_record
from apps.core.exceptions import (
    AccessDenied,
    AuthenticationRequired,
    Conflict,
    InvalidInput,
    Unavailable,
)
from apps.usuarios.models import Role, Tenant, User
from apps.usuarios.selectors import active_admins_count
from infrastructure.auth import blacklist
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
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    if User.objects.filter(username=username).exists():
        raise _username_taken(username)
    user = User(
        tenant=tenant,
        username=username,
        role=Role(role),
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    user.set_password(password)
    user.full_clean()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # the same username, added at the same moment
        raise _username_taken(username) from exc
    return user


def _username_taken(username: str) -> Conflict:
    return Conflict(
        f"the username {username!r} is taken", code="username_taken", extra={"username": username}
    )


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
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
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


def _password_check(password: str, user: User) -> None:
    """Django's AUTH_PASSWORD_VALIDATORS, against the user's own name and email too."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        messages = list(exc.messages)
        raise InvalidInput(
            f"password: {messages[0]}", extra={"fields": {"password": messages}}
        ) from None


def _role_check(role: str) -> Role:
    if role not in Role.values:
        raise InvalidInput(
            f"role: {role!r} is not a role ({', '.join(Role.values)})",
            extra={"fields": {"role": [f"{role!r} is not a role"]}},
        )
    return Role(role)


def _site_account_check(*, user: User, by: Any) -> None:
    """Accounts that reach Django's admin site are changed by a superuser only: a tenant's
    admin must not take one over by resetting its password."""
    if (user.is_staff or user.is_superuser) and not getattr(by, "is_superuser", False):
        raise AccessDenied(
            "this account also administers the site: only a superuser may change it",
            code="site_account",
        )


def user_add(
    *,
    by: Any,
    username: str,
    password: str,
    role: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
) -> User:
    """A tenant's admin adds a user to their tenant; audited as `user.created`."""
    tenant = by.tenant
    if tenant is None:
        raise AccessDenied("only a tenant's admins add users", code="permission_denied")
    _role_check(role)
    _password_check(
        password,
        User(username=username, email=email, first_name=first_name, last_name=last_name),
    )
    with transaction.atomic():
        user = user_create(
            tenant=tenant,
            username=username,
            password=password,
            role=role,
            email=email,
            first_name=first_name,
            last_name=last_name,
        )
        audit_record(
            tenant=tenant,
            user=by,
            action="user.created",
            target_type="user",
            target_id=user.pk,
            details={"username": user.username, "role": user.role},
        )
    return user


PROFILE_FIELDS = ("email", "first_name", "last_name")


def user_update(
    *,
    user: User,
    by: Any,
    role: str | None = None,
    is_active: bool | None = None,
    password: str | None = None,
    email: str | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
) -> User:
    """Change a user of the tenant; None leaves a value as it is.

    The tenant keeps at least one active admin (409 `last_admin`) and an admin does not
    deactivate themselves (409 `own_account`). Each change is audited:
    `user.role_changed` (from, to), `user.deactivated`, `user.reactivated`,
    `user.password_reset` (never the password) and `user.updated` (the profile fields).
    """
    _site_account_check(user=user, by=by)
    if role is not None:
        _role_check(role)
    if is_active is False and user.pk == getattr(by, "pk", None):
        raise Conflict("you cannot deactivate your own account", code="own_account")
    if password is not None:
        _password_check(password, _with_profile(user, email, first_name, last_name))

    with transaction.atomic():
        # One change of a tenant's users at a time: two admins demoting each other at once
        # must not leave the tenant without one.
        Tenant.objects.select_for_update().filter(pk=user.tenant_id).first()
        current = User.objects.select_for_update().get(pk=user.pk)
        new_role = Role(role) if role is not None else Role(current.role)
        new_active = current.is_active if is_active is None else is_active
        was_admin = current.is_active and current.role == Role.ADMIN
        stays_admin = new_active and new_role == Role.ADMIN
        if (
            was_admin
            and not stays_admin
            and active_admins_count(tenant_id=current.tenant_id, excluding=current.pk) == 0
        ):
            raise Conflict(
                "the tenant's last active admin cannot be demoted or deactivated",
                code="last_admin",
                extra={"user_id": current.pk},
            )

        changes = _changes(current, new_role, new_active, email, first_name, last_name)
        for name, (_, after) in changes.items():
            setattr(current, name, after)
        if password is not None:
            current.set_password(password)
        current.full_clean(exclude=["password"])
        current.save()
        _audit_changes(current, by, changes, password_reset=password is not None)
        if password is not None or ("is_active" in changes and not new_active):
            _stream_tokens_revoke(current)
    return current


def _stream_tokens_revoke(user: User) -> None:
    """A user deactivated or given a new password loses the stream links they hold too;
    without Redis the change is not made (503) rather than made with live links."""
    try:
        blacklist.revoke_user(user.pk)
    except blacklist.RevocationUnavailable:
        raise Unavailable(
            "the revocation list cannot be reached", code="revocation_unavailable"
        ) from None


def user_deactivate(*, user: User, by: Any) -> User:
    """Deactivate, never delete: the row stays for the audit trail. Its tokens stop
    working at the next request (authentication and refresh refuse inactive users)."""
    return user_update(user=user, by=by, is_active=False)


def _with_profile(user: User, email: Any, first_name: Any, last_name: Any) -> User:
    """An unsaved copy of the user with the profile as it will be (for the password check)."""
    return User(
        username=user.username,
        email=user.email if email is None else email,
        first_name=user.first_name if first_name is None else first_name,
        last_name=user.last_name if last_name is None else last_name,
    )


def _changes(
    user: User, role: Role, is_active: bool, email: Any, first_name: Any, last_name: Any
) -> dict[str, tuple[Any, Any]]:
    wanted = {
        "role": role.value,
        "is_active": is_active,
        "email": email,
        "first_name": first_name,
        "last_name": last_name,
    }
    return {
        name: (getattr(user, name), value)
        for name, value in wanted.items()
        if value is not None and getattr(user, name) != value
    }


def _audit_changes(
    user: User, by: Any, changes: dict[str, tuple[Any, Any]], *, password_reset: bool
) -> None:
    def record(action: str, details: dict[str, Any] | None = None) -> None:
        audit_record(
            tenant=user.tenant,
            user=by,
            action=action,
            target_type="user",
            target_id=user.pk,
            details={"username": user.username, **(details or {})},
        )

    if "role" in changes:
        before, after = changes["role"]
        record("user.role_changed", {"from": before, "to": after})
    if "is_active" in changes:
        record("user.reactivated" if changes["is_active"][1] else "user.deactivated")
    if password_reset:
        record("user.password_reset")
    profile = {
        name: {"from": before, "to": after}
        for name, (before, after) in changes.items()
        if name in PROFILE_FIELDS
    }
    if profile:
        record("user.updated", {"fields": profile})

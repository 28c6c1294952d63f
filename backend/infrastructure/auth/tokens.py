"""JSON Web Tokens (djangorestframework-simplejwt) carrying the user's tenant and role."""

from dataclasses import dataclass
from typing import Any, TypeVar

from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken, Token

from apps.core.exceptions import AuthenticationRequired

T = TypeVar("T", bound=Token)


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str


def _with_claims(token: T, user: Any) -> T:
    token["tenant_id"] = str(user.tenant_id) if user.tenant_id else None
    token["role"] = user.role
    return token


def token_pair_for_user(user: Any) -> TokenPair:
    """A refresh token and its access token, both carrying `tenant_id` and `role`."""
    refresh = _with_claims(RefreshToken.for_user(user), user)
    return TokenPair(access=str(refresh.access_token), refresh=str(refresh))


def access_token_for_user(user: Any) -> str:
    return str(_with_claims(AccessToken.for_user(user), user))


def refresh_token_user_id(raw: str) -> Any:
    """The user id inside a valid, unexpired refresh token."""
    try:
        token = RefreshToken(raw)  # type: ignore[arg-type]
    except TokenError as exc:
        raise AuthenticationRequired(
            "Token is invalid or expired.", code="token_not_valid"
        ) from exc
    return token.get(api_settings.USER_ID_CLAIM)

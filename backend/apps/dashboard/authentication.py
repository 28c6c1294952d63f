"""The WebSocket's user: the same JWT access token, checked the same way, as the REST API's."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication

from apps.cameras.selectors import camera_get_for_user
from apps.core.exceptions import ResourceNotFound
from apps.usuarios.permissions import Permission, user_permissions


class SocketRefused(Exception):
    """The socket is closed with `close_code` right after it was accepted."""

    def __init__(self, close_code: int, reason: str) -> None:
        super().__init__(reason)
        self.close_code = close_code
        self.reason = reason


NOT_AUTHENTICATED = 4401
FORBIDDEN = 4403
NOT_FOUND = 4404


@dataclass(frozen=True)
class Subscription:
    """Who listens, to what, until when their token expires."""

    user_id: Any
    tenant_id: str
    camera_id: str | None
    expires_at: datetime | None


def subscription_for(raw_token: str, camera_id: str | None) -> Subscription:
    """Check the token (signature, expiry, type, active user) and the camera's tenant.

    Raises SocketRefused: 4401 for a missing, malformed, expired or revoked token and for
    a user without a tenant; 4403 for a role without `view_stream`; 4404 for a camera that
    is not the user's tenant's.
    """
    if not raw_token:
        raise SocketRefused(NOT_AUTHENTICATED, "no token")
    authentication = JWTAuthentication()
    try:
        token = authentication.get_validated_token(raw_token)  # type: ignore[arg-type]
        user = authentication.get_user(token)
    except AuthenticationFailed as exc:
        raise SocketRefused(NOT_AUTHENTICATED, "token not valid") from exc
    if not getattr(user, "tenant_id", None):
        raise SocketRefused(NOT_AUTHENTICATED, "user without a tenant")
    if Permission.VIEW_STREAM not in user_permissions(user):
        raise SocketRefused(FORBIDDEN, "role without the view_stream permission")
    camera = None
    if camera_id:
        try:
            camera = camera_get_for_user(user, camera_id)
        except ResourceNotFound as exc:
            raise SocketRefused(NOT_FOUND, "camera not found") from exc
    exp = token.get("exp")
    return Subscription(
        user_id=user.pk,
        tenant_id=str(user.tenant_id),
        camera_id=str(camera.id) if camera else None,
        expires_at=datetime.fromtimestamp(exp, tz=UTC) if exp else None,
    )

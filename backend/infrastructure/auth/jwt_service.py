"""Stream tokens: short-lived JWTs that let one user watch one camera through MediaMTX.

A stream token is HS256-signed with a key derived from `JWT_SECRET` (an HMAC of a fixed
label), so it can never pass as a user access token and a user access token never passes
as a stream token; `typ` and `aud` say the same thing in the claims. Claims: `sub` (the
user), `tenant_id`, `camera_id`, `permissions`, `jti` (uuid4), `iat`, `nbf`, `exp`
(`STREAM_TOKEN_TTL_S`, one hour by default). `JWT_SECRET` itself comes from the settings,
which refuse a missing or short one in production.

Only HS256 is accepted: a header naming any other algorithm (`none` included) is refused
before the signature is looked at.
"""

import hashlib
import hmac
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import jwt
from django.conf import settings

ALGORITHM = "HS256"
TOKEN_TYPE = "stream"  # noqa: S105 (the `typ` claim, not a secret)
AUDIENCE = "vms-stream"
KEY_LABEL = b"vms stream token signing key v1"
READ = "read"
PUBLISH = "publish"

MAX_TOKEN_LENGTH = 4096
REQUIRED_CLAIMS = ("exp", "iat", "nbf", "jti", "aud", "sub", "typ")


class StreamTokenInvalid(Exception):
    """The token is malformed, badly signed, of another kind, expired or not yet valid."""

    def __init__(self, message: str, *, code: str = "stream_token_invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class StreamClaims:
    jti: str
    user_id: str
    tenant_id: str
    camera_id: str
    permissions: frozenset[str]
    issued_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class IssuedStreamToken:
    token: str
    claims: StreamClaims

    @property
    def url_path(self) -> str:
        return stream_path(self.claims.tenant_id, self.claims.camera_id)


def stream_path(tenant_id: str, camera_id: str) -> str:
    """The MediaMTX path of a camera: `{tenant_id}/camera/{camera_id}`."""
    return f"{tenant_id}/camera/{camera_id}"


@lru_cache(maxsize=4)
def _derive_key(secret: str) -> bytes:
    return hmac.new(secret.encode(), KEY_LABEL, hashlib.sha256).digest()


def signing_key() -> bytes:
    """The stream tokens' key: HMAC-SHA256 of a fixed label under `JWT_SECRET`."""
    return _derive_key(str(settings.JWT_SECRET))


def stream_token_issue(
    *,
    user_id: Any,
    tenant_id: Any,
    camera_id: Any,
    permissions: Iterable[str],
    now: datetime | None = None,
    ttl_s: int | None = None,
) -> IssuedStreamToken:
    """Sign a stream token for one camera; `now` and `ttl_s` default to the clock and setting."""
    issued_at = (now or datetime.now(UTC)).replace(microsecond=0)
    lifetime = int(settings.STREAM_TOKEN_TTL_S if ttl_s is None else ttl_s)
    expires_at = issued_at + timedelta(seconds=lifetime)
    claims = StreamClaims(
        jti=str(uuid.uuid4()),
        user_id=str(user_id),
        tenant_id=str(tenant_id),
        camera_id=str(camera_id),
        permissions=frozenset(permissions),
        issued_at=issued_at,
        expires_at=expires_at,
    )
    payload = {
        "typ": TOKEN_TYPE,
        "aud": AUDIENCE,
        "sub": claims.user_id,
        "jti": claims.jti,
        "tenant_id": claims.tenant_id,
        "camera_id": claims.camera_id,
        "permissions": sorted(claims.permissions),
        "iat": int(issued_at.timestamp()),
        "nbf": int(issued_at.timestamp()),
        "exp": int(expires_at.timestamp()),
    }
    token = jwt.encode(payload, signing_key(), algorithm=ALGORITHM, headers={"typ": "JWT"})
    return IssuedStreamToken(token=token, claims=claims)


def stream_token_verify(token: str, *, verify_exp: bool = True) -> StreamClaims:
    """The claims of a well-signed, current stream token; StreamTokenInvalid otherwise.

    `verify_exp=False` accepts an expired token (for revoking it), never a badly signed one.
    Revocation is not checked here: see `infrastructure.auth.blacklist`.
    """
    if not isinstance(token, str) or not token:
        raise StreamTokenInvalid("no stream token", code="stream_token_missing")
    if len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        raise StreamTokenInvalid("the stream token is malformed")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise StreamTokenInvalid("the stream token is malformed") from None
    if header.get("alg") != ALGORITHM:
        raise StreamTokenInvalid("the stream token's algorithm is not accepted")
    try:
        payload = jwt.decode(
            token,
            signing_key(),
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            options={"require": list(REQUIRED_CLAIMS), "verify_exp": verify_exp},
        )
    except jwt.ExpiredSignatureError:
        raise StreamTokenInvalid(
            "the stream token has expired", code="stream_token_expired"
        ) from None
    except jwt.PyJWTError:
        raise StreamTokenInvalid("the stream token is not valid") from None
    return _claims(payload)


def _claims(payload: dict[str, Any]) -> StreamClaims:
    if payload.get("typ") != TOKEN_TYPE:
        raise StreamTokenInvalid("not a stream token")
    permissions = payload.get("permissions")
    if not isinstance(permissions, list) or not all(isinstance(p, str) for p in permissions):
        raise StreamTokenInvalid("the stream token's permissions are malformed")
    try:
        tenant_id = str(uuid.UUID(str(payload["tenant_id"])))
        camera_id = str(uuid.UUID(str(payload["camera_id"])))
        jti = str(uuid.UUID(str(payload["jti"])))
        issued_at = datetime.fromtimestamp(int(payload["iat"]), UTC)
        expires_at = datetime.fromtimestamp(int(payload["exp"]), UTC)
    except (KeyError, TypeError, ValueError, OverflowError):
        raise StreamTokenInvalid("the stream token's claims are malformed") from None
    return StreamClaims(
        jti=jti,
        user_id=str(payload["sub"]),
        tenant_id=tenant_id,
        camera_id=camera_id,
        permissions=frozenset(permissions),
        issued_at=issued_at,
        expires_at=expires_at,
    )

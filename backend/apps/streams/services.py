"""Stream tokens for users, their revocation, and MediaMTX's per-reader access decision."""

import hmac
import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs

from django.conf import settings

from apps.audit.services import audit_record
from apps.cameras.selectors import camera_get_for_user
from apps.core.exceptions import (
    AccessDenied,
    AuthenticationRequired,
    InvalidInput,
    ResourceNotFound,
    Unavailable,
)
from apps.usuarios.models import Role
from infrastructure.auth import blacklist
from infrastructure.auth.jwt_service import (
    PUBLISH,
    READ,
    IssuedStreamToken,
    StreamClaims,
    StreamTokenInvalid,
    stream_path,
    stream_token_issue,
    stream_token_verify,
)

# What a MediaMTX action needs; `api`, `metrics` and `pprof` are never allowed here.
PERMISSION_BY_ACTION = {"read": READ, "playback": READ, "publish": PUBLISH}
MAX_FIELD_LENGTH = 8192
MAX_QUERY_FIELDS = 64
REQUEST_FIELDS = ("user", "password", "token", "ip", "action", "path", "protocol", "id", "query")
UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
CAMERA_PATH = re.compile(rf"^({UUID_PATTERN})/camera/({UUID_PATTERN})$")


# --- stream tokens for users -------------------------------------------------------------------
def stream_token_for_user(*, user: Any, camera_id: Any) -> IssuedStreamToken:
    """A stream token for one of the user's tenant's cameras (404 for any other camera)."""
    camera = camera_get_for_user(user, camera_id)
    return stream_token_issue(
        user_id=user.pk, tenant_id=camera.tenant_id, camera_id=camera.id, permissions=(READ,)
    )


def stream_token_revoke(*, user: Any, token: str) -> None:
    """Revoke a stream token of the user's tenant until it expires.

    Anyone may revoke their own tokens, an admin any token of the tenant. Another tenant's
    token is not found. Revoking an expired or already revoked token changes nothing. Audited
    as `stream_token.revoked`.
    """
    try:
        claims = stream_token_verify(token, verify_exp=False)
    except StreamTokenInvalid as exc:
        raise InvalidInput(exc.message, code=exc.code) from None
    if not user.tenant_id or str(user.tenant_id) != claims.tenant_id:
        raise ResourceNotFound("stream token not found", code="stream_token_not_found")
    if claims.user_id != str(user.pk) and user.role != Role.ADMIN:
        raise AccessDenied(
            "only an admin may revoke another user's stream token", code="permission_denied"
        )
    try:
        stored = blacklist.revoke(claims.jti, claims.expires_at)
    except blacklist.RevocationUnavailable:
        raise Unavailable(
            "the revocation list cannot be reached", code="revocation_unavailable"
        ) from None
    audit_record(
        tenant=user.tenant,
        user=user,
        action="stream_token.revoked",
        target_type="stream_token",
        target_id=claims.jti,
        details={
            "camera_id": claims.camera_id,
            "token_user_id": claims.user_id,
            "expires_at": claims.expires_at,
            "already_expired": not stored,
        },
    )


# --- MediaMTX external HTTP authentication -----------------------------------------------------
@dataclass(frozen=True)
class StreamAuthRequest:
    """One MediaMTX authentication request (its JSON body; absent fields are empty)."""

    user: str = ""
    password: str = ""
    token: str = ""
    ip: str = ""
    action: str = ""
    path: str = ""
    protocol: str = ""
    id: str = ""
    query: str = ""


def stream_auth_request_parse(body: Any) -> StreamAuthRequest:
    """The request from MediaMTX's JSON body; anything malformed is refused (401)."""
    if not isinstance(body, dict):
        raise AuthenticationRequired("the body must be a JSON object", code="invalid_request")
    fields: dict[str, str] = {}
    for name in REQUEST_FIELDS:
        value = body.get(name)
        if value is None:
            continue
        if not isinstance(value, str) or len(value) > MAX_FIELD_LENGTH:
            raise AuthenticationRequired(
                f"{name} must be a string of at most {MAX_FIELD_LENGTH} characters",
                code="invalid_request",
            )
        fields[name] = value
    return StreamAuthRequest(**fields)


def _token_of(request: StreamAuthRequest) -> str:
    """The token from `token` (Bearer), else the password, else `token=` in the query."""
    if request.token:
        return request.token
    if request.password:
        return request.password
    if request.query:
        values = query_values(request.query).get("token")
        if values:
            return values[0]
    return ""


def query_values(query: str) -> dict[str, list[str]]:
    """A query string's values; one with more than MAX_QUERY_FIELDS fields counts as empty."""
    try:
        return parse_qs(query, max_num_fields=MAX_QUERY_FIELDS)
    except ValueError:
        return {}


def _same(given: str, expected: str) -> bool:
    """Constant-time equality of two strings (any text, lone surrogates included)."""
    return hmac.compare_digest(
        given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass")
    )


def _is_publisher(request: StreamAuthRequest) -> bool:
    user_ok = _same(request.user, str(settings.STREAM_PUBLISHER_USER))
    password_ok = _same(request.password, str(settings.STREAM_PUBLISHER_PASSWORD))
    return bool(settings.STREAM_PUBLISHER_PASSWORD) and user_ok and password_ok


def _claims_internal_reader(request: StreamAuthRequest) -> bool:
    """The request names the internal reader (the recorder, the detection service)."""
    expected = str(settings.STREAM_READER_USER)
    return (
        bool(expected) and bool(settings.STREAM_READER_PASSWORD) and _same(request.user, expected)
    )


def _internal_reader_check(request: StreamAuthRequest) -> None:
    """The internal reader may read and play back any camera path, with its password."""
    password_ok = _same(request.password, str(settings.STREAM_READER_PASSWORD))
    if not password_ok:
        raise AuthenticationRequired(
            "the internal reader's password is wrong", code="reader_not_allowed"
        )
    if not CAMERA_PATH.match(request.path):
        raise AuthenticationRequired(
            "the internal reader may read only camera paths", code="path_not_allowed"
        )


def stream_access_claims(request: StreamAuthRequest) -> StreamClaims | None:
    """Every check of `stream_access_validate` but the revocation list.

    None when the request is allowed as it stands (the publisher, the internal reader), else
    the token's claims, whose `jti` must still be looked up in the revocation list.
    """
    needed = PERMISSION_BY_ACTION.get(request.action)
    if needed is None:
        raise AuthenticationRequired("this action is not allowed", code="action_not_allowed")
    if needed == PUBLISH:
        if _is_publisher(request) and CAMERA_PATH.match(request.path):
            return None
        raise AuthenticationRequired(
            "only the internal publisher may publish", code="publish_not_allowed"
        )
    if _claims_internal_reader(request):
        _internal_reader_check(request)
        return None
    try:
        claims = stream_token_verify(_token_of(request))
    except StreamTokenInvalid as exc:
        raise AuthenticationRequired(exc.message, code=exc.code) from None
    if needed not in claims.permissions:
        raise AuthenticationRequired(
            "the stream token does not allow this action", code="permission_missing"
        )
    if request.path != stream_path(claims.tenant_id, claims.camera_id):
        raise AuthenticationRequired(
            "the stream token is for another camera", code="path_not_allowed"
        )
    return claims


def _refuse_if_revoked(revoked: bool | None) -> None:
    if revoked is None:
        raise AuthenticationRequired(
            "the revocation list cannot be reached", code="revocation_unavailable"
        )
    if revoked:
        raise AuthenticationRequired(
            "the stream token has been revoked", code="stream_token_revoked"
        )


def stream_access_validate(request: StreamAuthRequest) -> None:
    """Allow (return) or refuse (AuthenticationRequired) one reader or publisher.

    `publish` needs the internal publisher credentials and a camera path. `read` and
    `playback` need either the internal reader's credentials (`STREAM_READER_USER` and
    `STREAM_READER_PASSWORD`: the recorder and the detection service, any camera path) or a
    valid, unexpired, unrevoked stream token with the `read` permission whose tenant and
    camera are exactly the path `{tenant_id}/camera/{camera_id}`. No
    database query: the token's claims carry everything; one Redis round trip for the
    revocation check, which denies when Redis cannot be reached.
    """
    claims = stream_access_claims(request)
    if claims is None:
        return
    try:
        revoked: bool | None = blacklist.is_revoked(claims.jti, claims.user_id, claims.issued_at)
    except blacklist.RevocationUnavailable:
        revoked = None
    _refuse_if_revoked(revoked)


async def stream_access_avalidate(request: StreamAuthRequest) -> None:
    """`stream_access_validate` for an event loop: the same checks, Redis asked without blocking."""
    claims = stream_access_claims(request)
    if claims is None:
        return
    try:
        revoked: bool | None = await blacklist.ais_revoked(
            claims.jti, claims.user_id, claims.issued_at
        )
    except blacklist.RevocationUnavailable:
        revoked = None
    _refuse_if_revoked(revoked)


# --- who may call the validation endpoint ------------------------------------------------------
@lru_cache(maxsize=8)
def caller_networks(
    values: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """The networks of `STREAM_AUTH_ALLOWED_NETWORKS` (checked at startup: ValueError)."""
    return tuple(
        ipaddress.ip_network(value.strip(), strict=False) for value in values if value.strip()
    )


def stream_auth_caller_check(*, remote_addr: str, secret: str) -> None:
    """Refuse a caller outside `STREAM_AUTH_ALLOWED_NETWORKS` or without `STREAM_AUTH_SECRET`.

    Both are optional: an empty list allows every address, an empty secret asks for none.
    """
    allowed = tuple(settings.STREAM_AUTH_ALLOWED_NETWORKS)
    if caller_networks(allowed):
        try:
            address = ipaddress.ip_address(remote_addr)
        except ValueError:
            address = None
        if address is None or not any(address in net for net in caller_networks(allowed)):
            raise AuthenticationRequired(
                "this address may not validate streams", code="caller_not_allowed"
            )
    expected = str(settings.STREAM_AUTH_SECRET)
    if expected and not _same(secret, expected):
        raise AuthenticationRequired(
            "the stream auth secret is missing or wrong", code="caller_not_allowed"
        )

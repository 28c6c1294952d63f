"""Revoked stream tokens in Redis (`REDIS_URL`): one token by its `jti`, or all of a user's.

A revoked token's `jti` is stored as `SET vms:stream-revoked:{jti} 1 EX <seconds left>`, so
the entry disappears when the token would have expired anyway; nothing is stored for a token
that has already expired. A user deactivated or given a new password has every stream token
issued until then refused: `SET vms:stream-revoked-user:{user_id} <unix time> EX <token
lifetime>`. A validation asks both in one round trip. One client (with its connection pool) per Redis URL for the
process's threads, and one per event loop for `ais_revoked`; short timeouts.

Failing closed: when Redis cannot be reached, `is_revoked` raises `RevocationUnavailable`
(after logging it) and every validation that asks is denied; `revoke` raises it too, so a
revocation is never reported as done when it was not stored.
"""

import asyncio
import math
import threading
import weakref
from datetime import UTC, datetime

import redis
import redis.asyncio
from django.conf import settings

from vms_common.logging import get_logger

logger = get_logger(__name__)

KEY_PREFIX = "vms:stream-revoked:"
USER_KEY_PREFIX = "vms:stream-revoked-user:"
TIMEOUT_S = 0.5

_clients: dict[str, redis.Redis] = {}
_clients_lock = threading.Lock()
# redis.asyncio's connections belong to the event loop that opened them: one client per loop.
AsyncClients = dict[str, redis.asyncio.Redis]
_async_clients: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncClients]" = (
    weakref.WeakKeyDictionary()
)


class RevocationUnavailable(Exception):
    """Redis did not answer: whether a token is revoked cannot be known."""


def _client() -> redis.Redis:
    """The process's client of `REDIS_URL`; its connection pool is shared by all threads."""
    url = str(settings.REDIS_URL)
    client = _clients.get(url)
    if client is None:
        with _clients_lock:
            client = _clients.get(url)
            if client is None:
                client = redis.Redis.from_url(
                    url,
                    socket_connect_timeout=TIMEOUT_S,
                    socket_timeout=TIMEOUT_S,
                    health_check_interval=30,
                )
                _clients[url] = client
    return client


def _async_client() -> redis.asyncio.Redis:
    url = str(settings.REDIS_URL)
    per_url = _async_clients.setdefault(asyncio.get_running_loop(), {})
    client = per_url.get(url)
    if client is None:
        client = redis.asyncio.Redis.from_url(
            url,
            socket_connect_timeout=TIMEOUT_S,
            socket_timeout=TIMEOUT_S,
            health_check_interval=30,
        )
        per_url[url] = client
    return client


def _key(jti: str) -> str:
    return f"{KEY_PREFIX}{jti}"


def revoke(jti: str, expires_at: datetime, *, now: datetime | None = None) -> bool:
    """Mark a token revoked until it expires; False when it has expired already."""
    remaining = math.ceil((expires_at - (now or datetime.now(UTC))).total_seconds())
    if remaining <= 0:
        return False
    try:
        _client().set(_key(jti), 1, ex=remaining)
    except redis.RedisError as exc:
        logger.error("stream token revocation not stored: Redis unavailable", error=str(exc))
        raise RevocationUnavailable(str(exc)) from exc
    return True


def revoke_user(user_id: object, *, now: datetime | None = None) -> None:
    """Refuse every stream token the user was given until now, for as long as one may live."""
    moment = math.ceil((now or datetime.now(UTC)).timestamp())
    try:
        _client().set(f"{USER_KEY_PREFIX}{user_id}", moment, ex=settings.STREAM_TOKEN_TTL_S)
    except redis.RedisError as exc:
        logger.error("user's stream tokens not revoked: Redis unavailable", error=str(exc))
        raise RevocationUnavailable(str(exc)) from exc


def _keys(jti: str, user_id: str) -> tuple[str, str]:
    return _key(jti), f"{USER_KEY_PREFIX}{user_id}"


def _revoked(values: list[bytes | None], issued_at: datetime) -> bool:
    token_revoked, user_revoked_at = values
    if token_revoked is not None:
        return True
    return user_revoked_at is not None and issued_at.timestamp() <= int(user_revoked_at)


def is_revoked(jti: str, user_id: str, issued_at: datetime) -> bool:
    """Whether the token, or every token of its user issued by then, was revoked;
    RevocationUnavailable when Redis cannot say."""
    try:
        return _revoked(_client().mget(_keys(jti, user_id)), issued_at)
    except redis.RedisError as exc:
        logger.error("stream token revocation check failed: Redis unavailable", error=str(exc))
        raise RevocationUnavailable(str(exc)) from exc


async def ais_revoked(jti: str, user_id: str, issued_at: datetime) -> bool:
    """`is_revoked` for an event loop (the validation fast path); fails closed the same way."""
    try:
        return _revoked(await _async_client().mget(_keys(jti, user_id)), issued_at)
    except (TimeoutError, redis.RedisError, OSError) as exc:
        logger.error("stream token revocation check failed: Redis unavailable", error=str(exc))
        raise RevocationUnavailable(str(exc)) from exc

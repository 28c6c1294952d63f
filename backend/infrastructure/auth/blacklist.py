"""Revoked stream tokens, by `jti`, in Redis (`REDIS_URL`).

A revoked token's `jti` is stored as `SET vms:stream-revoked:{jti} 1 EX <seconds left>`, so
the entry disappears when the token would have expired anyway; nothing is stored for a token
that has already expired. One client (with its connection pool) per Redis URL for the
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


def is_revoked(jti: str) -> bool:
    """Whether the token was revoked; RevocationUnavailable when Redis cannot say."""
    try:
        return bool(_client().exists(_key(jti)))
    except redis.RedisError as exc:
        logger.error("stream token revocation check failed: Redis unavailable", error=str(exc))
        raise RevocationUnavailable(str(exc)) from exc


async def ais_revoked(jti: str) -> bool:
    """`is_revoked` for an event loop (the validation fast path); fails closed the same way."""
    try:
        return bool(await _async_client().exists(_key(jti)))
    except (TimeoutError, redis.RedisError, OSError) as exc:
        logger.error("stream token revocation check failed: Redis unavailable", error=str(exc))
        raise RevocationUnavailable(str(exc)) from exc

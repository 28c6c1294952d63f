"""Revoked stream tokens, by `jti`, in Redis (`REDIS_URL`).

A revoked token's `jti` is stored as `SET vms:stream-revoked:{jti} 1 EX <seconds left>`, so
the entry disappears when the token would have expired anyway; nothing is stored for a token
that has already expired. One connection pool per Redis URL for the whole process, with
short timeouts.

Failing closed: when Redis cannot be reached, `is_revoked` raises `RevocationUnavailable`
(after logging it) and every validation that asks is denied; `revoke` raises it too, so a
revocation is never reported as done when it was not stored.
"""

import math
import threading
from datetime import UTC, datetime

import redis
from django.conf import settings

from vms_common.logging import get_logger

logger = get_logger(__name__)

KEY_PREFIX = "vms:stream-revoked:"
TIMEOUT_S = 0.5

_pools: dict[str, redis.ConnectionPool] = {}
_pools_lock = threading.Lock()


class RevocationUnavailable(Exception):
    """Redis did not answer: whether a token is revoked cannot be known."""


def _client() -> redis.Redis:
    url = str(settings.REDIS_URL)
    pool = _pools.get(url)
    if pool is None:
        with _pools_lock:
            pool = _pools.get(url)
            if pool is None:
                pool = redis.ConnectionPool.from_url(
                    url,
                    socket_connect_timeout=TIMEOUT_S,
                    socket_timeout=TIMEOUT_S,
                    health_check_interval=30,
                )
                _pools[url] = pool
    return redis.Redis(connection_pool=pool)


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

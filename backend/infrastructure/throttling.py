"""API rate limits kept in Redis (the `default` cache, `RedisCache` at `REDIS_URL`).

Three scopes, each a fixed window that starts with the first request of a caller:
- `user`: per authenticated user id, `API_THROTTLE_USER` (e.g. `600/min`);
- `anon`: per client IP for callers without a user, `API_THROTTLE_ANON`;
- `login`: `POST /api/auth/login` per client IP and username tried, `API_THROTTLE_LOGIN`;
- `media`: recordings and export files fetched by signed link without a user, per client
  IP, `API_THROTTLE_MEDIA` (a video player asks for many ranges).

A window is one Redis key, counted with `INCR` and given its lifetime with `EXPIRE ... NX`
in one transaction, so concurrent requests of a caller never lose a count and a key never
outlives its window; its remaining lifetime is the `Retry-After` of a 429. Health and
MediaMTX's validate-stream are never throttled. When Redis cannot be reached the request
is let through and the failure logged: Redis's health is reported by `/api/health`.

The client IP is `REMOTE_ADDR`, or, when `API_TRUSTED_PROXY_HOPS` (DRF's `NUM_PROXIES`)
is above 0, the address that many hops from the right of `X-Forwarded-For`: the one the
outermost trusted proxy saw.
"""

import hashlib
import ipaddress
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from redis.exceptions import RedisError
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from vms_common.logging import get_logger

logger = get_logger(__name__)

# URL names whose views are never throttled.
UNTHROTTLED_VIEWS = frozenset({"health", "auth-validate-stream"})
LOGIN_VIEW = "auth-login"
# Recordings and export files fetched by signed link (`?sig=`): a player asks for many ranges
# a minute, so callers without a user have a scope of their own there.
MEDIA_VIEWS = frozenset(
    {"segment-file", "segment-file-plain", "playback-playlist", "export-clip", "export-manifest"}
)
RATE_SETTINGS = {
    "user": "API_THROTTLE_USER",
    "anon": "API_THROTTLE_ANON",
    "login": "API_THROTTLE_LOGIN",
    "media": "API_THROTTLE_MEDIA",
}
MAX_USERNAME_CHARS = 150


def client_ip(request: HttpRequest | Request) -> str | None:
    """The caller's address as the throttles see it, or None when it is not an IP."""
    ident = BaseThrottle().get_ident(request)
    try:
        return str(ipaddress.ip_address((ident or "").strip()))
    except ValueError:
        return None


def _url_name(request: HttpRequest | Request) -> str | None:
    match = getattr(request, "resolver_match", None)
    return match.url_name if match is not None else None


class RedisWindowThrottle(SimpleRateThrottle):
    """A fixed window per caller in Redis; subclasses name the caller (`get_cache_key`)."""

    cache_alias = "default"
    retry_after_s = 0

    def get_rate(self) -> str | None:
        # Read at each request (DRF makes a throttle per request), so settings overrides apply.
        return getattr(settings, RATE_SETTINGS[str(self.scope)], None) or None

    def allow_request(self, request: Any, view: Any) -> bool:
        if self.rate is None or _url_name(request) in UNTHROTTLED_VIEWS:
            return True
        ident = self.get_cache_key(request, view)
        if ident is None:
            return True
        try:
            count, ttl = self._count(ident)
        except RedisError as exc:
            logger.error("throttle_unavailable", scope=self.scope, error=str(exc))
            return True
        self.retry_after_s = ttl if ttl > 0 else self.duration
        if count > self.num_requests:
            logger.info("throttled", scope=self.scope, retry_after_s=self.retry_after_s)
            return False
        return True

    def _count(self, ident: str) -> tuple[int, int]:
        cache = caches[self.cache_alias]
        if not isinstance(cache, RedisCache):
            raise ImproperlyConfigured("API throttling needs the default cache to be RedisCache")
        key = cache.make_and_validate_key(ident)
        client = cache._cache.get_client(key, write=True)
        with client.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, self.duration, nx=True)
            pipe.ttl(key)
            count, _, ttl = pipe.execute()
        return int(count), int(ttl)

    def wait(self) -> float | None:
        return float(self.retry_after_s or self.duration)


class UserThrottle(RedisWindowThrottle):
    """Per authenticated user."""

    scope = "user"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return f"throttle:user:{user.pk}"


class AnonThrottle(RedisWindowThrottle):
    """Per client IP, for requests without a user (login, refresh, refused tokens)."""

    scope = "anon"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or _url_name(request) in MEDIA_VIEWS:
            return None
        return f"throttle:anon:{client_ip(request) or 'unknown'}"


class MediaThrottle(RedisWindowThrottle):
    """Per client IP, for signed-link requests of recordings and export files."""

    scope = "media"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or _url_name(request) not in MEDIA_VIEWS:
            return None
        return f"throttle:media:{client_ip(request) or 'unknown'}"


class LoginThrottle(RedisWindowThrottle):
    """`POST /api/auth/login` per client IP and username tried (stored hashed)."""

    scope = "login"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if _url_name(request) != LOGIN_VIEW or request.method != "POST":
            return None
        data = request.data
        username = data.get("username") if isinstance(data, dict) else None
        username = username[:MAX_USERNAME_CHARS] if isinstance(username, str) else ""
        caller = f"{client_ip(request) or 'unknown'}\n{username}"
        digest = hashlib.sha256(caller.encode("utf-8", "replace")).hexdigest()
        return f"throttle:login:{digest}"

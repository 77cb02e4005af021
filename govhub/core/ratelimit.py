"""Per-address rate limits for every public form that creates work, counted in Django's cache.

With ``GOVHUB_REDIS_URL`` set the cache is Redis, so every worker and every machine counts
together. The embedded mode's local-memory cache counts **per process**: with N web workers an
address gets up to N times a limit (documented in docs/security.md). The address is
``govhub.core.middleware.client_ip``, so a forged X-Forwarded-For does not reset a count.
"""

from __future__ import annotations

import time

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.utils.connection import ConnectionProxy

from govhub.core.errors import DomainError

# (scope, limit, window seconds): one table, so operators and docs/security.md see them all.
LIMITS: dict[str, tuple[int, int]] = {
    "submit": (5, 600),  # letters through the portal form and the API
    "api-submit": (60, 600),  # letters recorded through POST /api/letters/ (staff tokens)
    "lookup": (10, 600),  # letter lookups by code and phone
    "report-error": (5, 600),  # 我为政府网站找错
    "participation-comment": (10, 600),
    "participation-post": (5, 600),  # 议事板 posts
    "participation-sms": (5, 600),  # survey SMS code requests
    "participation-vote": (20, 600),
    "services-query": (20, 60),
    "services-rate": (20, 600),
    "services-book": (10, 600),
    "services-find-booking": (20, 600),
    # failed second-factor attempts (app code, recovery code, security key) after the password:
    # per account, and per address for one address trying many accounts (core.twofactor)
    "second-factor": (10, 900),
    "second-factor-address": (30, 900),
}

MESSAGE = "您的操作太频繁了，请稍后再试。如有紧急情况请拨打 12345 热线。"


class RateLimited(DomainError):
    """Too many requests from one address: a Chinese page or a structured 429."""

    def __init__(self, message: str = MESSAGE) -> None:
        super().__init__("rate_limited", message, status=429)


def hit(scope: str, key: str, limit: int, window: int) -> bool:
    """Count one request; True when it is over ``limit`` within the last ``window`` seconds.

    A sliding-window estimate: this window's count plus the previous window's, weighted by how
    much of it still lies within the last ``window`` seconds. A plain fixed window let an
    address send ``limit`` just before a window's end and ``limit`` again just after it."""
    return _estimate(scope, key, window, count=True) > limit


def reached(scope: str, key: str) -> bool:
    """Whether ``key`` has used up ``scope``'s limit already, counting nothing (for limits on
    failures: asked before an attempt, counted with :func:`hit` only when it fails)."""
    limit, window = LIMITS[scope]
    return _estimate(scope, key, window, count=False) >= limit


def _estimate(scope: str, key: str, window: int, *, count: bool) -> float:
    now = time.time()
    slot = int(now) // window
    name = f"rl:{scope}:{key}:{slot}"
    previous_name = f"rl:{scope}:{key}:{slot - 1}"
    weight = 1 - (now - slot * window) / window
    backend = caches["default"] if isinstance(cache, ConnectionProxy) else cache
    if count and isinstance(backend, RedisCache):
        current, previous = _count_on_redis(backend, name, previous_name, 2 * window + 5)
        return current + previous * weight
    if not count:
        current = cache.get(name) or 0
    elif cache.add(name, 1, 2 * window + 5):
        current = 1
    else:
        try:
            current = cache.incr(name)
        except ValueError:  # expired between add and incr
            cache.add(name, 1, 2 * window + 5)
            current = 1
    previous = cache.get(previous_name) or 0
    return current + previous * weight


def _count_on_redis(backend, name: str, previous_name: str, ttl: int) -> tuple[int, int]:
    """Count and read the previous window in one round trip (every form post that creates
    work pays for it: three round trips through the cache's API before). The same keys and
    values as the cache's API (integers are stored as they are)."""
    from django.conf import settings

    from govhub.core.redisconn import client as redis_client

    location = settings.CACHES["default"]["LOCATION"]
    if isinstance(location, str):
        location = location.replace(";", ",").split(",")
    client = redis_client(location[0])  # the first server is the one Django writes to
    key = backend.make_and_validate_key(name)
    previous_key = backend.make_and_validate_key(previous_name)
    pipe = client.pipeline(transaction=False)
    pipe.incr(key)
    pipe.expire(key, ttl)
    pipe.get(previous_key)
    current, _ttl_set, previous = pipe.execute()
    return int(current), int(previous or 0)


def over(request, scope: str) -> bool:
    """Count one request of ``scope`` from the request's client; True when over its limit."""
    from govhub.core.middleware import client_ip

    limit, window = LIMITS[scope]
    return hit(scope, client_ip(request), limit, window)


def check(request, scope: str, message: str = MESSAGE) -> None:
    """Raise :class:`RateLimited` (429) when the request's client is over ``scope``'s limit."""
    if over(request, scope):
        raise RateLimited(message)

"""Fixed-window rate limits on Django's cache (Redis in production, shared by all workers)."""

from __future__ import annotations

import time

from django.core.cache import cache


def hit(scope: str, key: str, limit: int, window: int) -> bool:
    """Count one request; True when it is over ``limit`` within the current ``window`` seconds."""
    slot = int(time.time()) // window
    name = f"letters:rl:{scope}:{key}:{slot}"
    if cache.add(name, 1, window + 5):
        return limit < 1
    try:
        return cache.incr(name) > limit
    except ValueError:  # expired between add and incr
        cache.add(name, 1, window + 5)
        return False


SUBMIT_LIMIT = (5, 600)  # five letters per address per ten minutes
LOOKUP_LIMIT = (10, 600)  # ten lookups per address per ten minutes

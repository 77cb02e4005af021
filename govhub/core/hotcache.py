"""Values every request reads and an administrator changes a few times a year (the intake
policy, the working-day overrides, the portal's header and footer), kept for a moment in the
process on top of the shared cache.

Why: at a peak each letter read three of them from Redis — three round trips and three
unpicklings of model instances, more than a tenth of the letter's CPU. A process keeps its copy
for ``LOCAL_SECONDS``: a change made through one worker drops the shared entry and this
process's copy at once, and reaches the other workers within that time. The values are shared
between requests of a process: read them, never change them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import cache

LOCAL_SECONDS = 2.0

_local: dict[str, tuple[float, Any]] = {}
_lock = threading.Lock()


def get(key: str, compute: Callable[[], Any], ttl: int) -> Any:
    """The value of ``key``: this process's copy if fresh, else the shared cache's, else
    ``compute()`` (stored in both)."""
    now = time.monotonic()
    found = _local.get(key)
    if found is not None and now - found[0] < LOCAL_SECONDS:
        return found[1]
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, ttl)
    with _lock:
        _local[key] = (now, value)
    return value


def peek(key: str) -> Any:
    """The value of ``key`` (this process's copy if fresh, else the shared cache's), or None;
    for values built up a part at a time, where a miss must not store an empty one."""
    now = time.monotonic()
    found = _local.get(key)
    if found is not None and now - found[0] < LOCAL_SECONDS:
        return found[1]
    value = cache.get(key)
    if value is not None:
        with _lock:
            _local[key] = (now, value)
    return value


def put(key: str, value: Any, ttl: int) -> None:
    """Store ``value`` in the shared cache and this process's copy."""
    cache.set(key, value, ttl)
    with _lock:
        _local[key] = (time.monotonic(), value)


def drop(key: str) -> None:
    """Forget ``key`` here and in the shared cache (other processes within ``LOCAL_SECONDS``)."""
    with _lock:
        _local.pop(key, None)
    cache.delete(key)


def clear_local() -> None:
    """Forget every process copy (tests that change the shared cache underneath)."""
    with _lock:
        _local.clear()

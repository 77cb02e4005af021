"""One Redis client per process and address.

Why: django-rq's ``get_connection`` builds a new client — and so a new TCP connection — at each
call, and Django's cache keeps its own client private. The work feed and the rate limiter each
pay a Redis round trip on every letter accepted at a peak; they share one pooled client here."""

from __future__ import annotations

import threading

import redis

_clients: dict[str, redis.Redis] = {}
_lock = threading.Lock()


def client(url: str) -> redis.Redis:
    """The process's client for ``url`` (its connection pool is thread-safe)."""
    found = _clients.get(url)
    if found is None:
        with _lock:
            found = _clients.get(url)
            if found is None:
                found = _clients[url] = redis.Redis.from_url(url)
    return found

"""One writer at a time on the embedded SQLite database, waited for in the kernel.

SQLite lets one connection write at a time; another that finds the lock taken sleeps in its
busy handler, 1 ms, then 2, 5, 10 … before it looks again, however soon the lock was freed. The
WeChat callback writes once or twice per message in well under a millisecond, so with two
workers those sleeps left a fifth of both cores idle under load. Taking an exclusive ``flock``
on a file beside the database first makes the next writer wake the moment the lock is released.
It only orders the callback's writes among themselves; other writers still meet SQLite's own
lock and busy timeout, as before. PostgreSQL has row locks and needs none of this."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections

_local = threading.local()  # a descriptor per thread: flock excludes descriptors, not threads


def _lock_fd() -> int | None:
    conn = connections[DEFAULT_DB_ALIAS]
    if conn.vendor != "sqlite":
        return None
    name = str(conn.settings_dict["NAME"])
    if name.startswith("file:") or name == ":memory:":
        return None  # an in-memory test database: one process, SQLite's lock is enough
    name = os.path.abspath(name)  # SQLite opens a relative name from the working directory
    fds = getattr(_local, "fds", None)
    if fds is None:
        fds = _local.fds = {}
    fd = fds.get(name)
    if fd is None:
        fd = fds[name] = os.open(name + "-writer.lock", os.O_RDWR | os.O_CREAT, 0o600)
    return fd


@contextmanager
def sqlite_writer() -> Iterator[None]:
    """Hold the database's writer lock (SQLite only; a no-op elsewhere) for the block. A block
    inside another on the same thread keeps the outer one's lock (and does not release it)."""
    if getattr(_local, "depth", 0):
        _local.depth += 1
        try:
            yield
        finally:
            _local.depth -= 1
        return
    fd = _lock_fd()
    if fd is None:
        yield
        return
    fcntl.flock(fd, fcntl.LOCK_EX)
    _local.depth = 1
    try:
        yield
    finally:
        _local.depth = 0
        fcntl.flock(fd, fcntl.LOCK_UN)

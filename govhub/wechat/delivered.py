"""The record of delivered pushes, by which WeChat's retries are recognised.

WeChat retries a push five seconds after a reply that did not arrive. A push with effects (an
inbox entry, a conversation, a letter) records its row in the transaction of those effects. A
question the answers engine answered has none: its row only serves a retry, which comes at the
earliest five seconds later. So its row waits in memory and a thread of the worker writes what
waits every half second (``delay()``) in one multi-row insert: no write, and no turn at SQLite's
single writer lock, per answered message (measured: about 0.1 ms of CPU per message). A retry
that reaches the same worker first finds the row in memory. A worker killed before it writes
loses those rows: the retry is then answered afresh, with the same answer, and nothing else
happens twice. ``GOVHUB_WECHAT_DELIVERY_DELAY=0`` (the test setting) writes each row at once.
"""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import os
import threading

from django.conf import settings
from django.db import connection
from django.utils import timezone

from govhub.core.upsert import insert_on_conflict
from govhub.core.writelock import sqlite_writer
from govhub.wechat.models import (
    CONVERSATION_TTL,
    KEEP_DELIVERED,
    Conversation,
    DeliveredMessage,
    conversations_lapsed_before,
)

log = logging.getLogger(__name__)

MAX_PENDING = 50_000  # rows kept while the database refuses them (then the oldest go)
RETRY_AFTER = 5.0  # seconds between attempts while the database refuses them

_lock = threading.Lock()
_flushing = threading.Lock()  # one batch at a time (the thread, the exit handler, tests)
_wake = threading.Event()
_stop = threading.Event()  # ends the writer thread (``stop_writer``)
_pending: dict[tuple[int, str], DeliveredMessage] = {}
_writer: list = [None, 0]  # the thread, and the process it belongs to (gunicorn forks)


def delay() -> float:
    return float(getattr(settings, "WECHAT_DELIVERY_DELAY", 0.5))


def earlier(account_id: int, key: str, openid: str) -> tuple[str | None, bool]:
    """(the reply an earlier delivery of this push got, or None; whether the sender is in a
    guided conversation that has not lapsed), read in one statement without the writer lock."""
    with _lock:
        row = _pending.get((account_id, key))
    if row is not None:
        return row.reply_xml, False
    since = connection.ops.adapt_datetimefield_value(conversations_lapsed_before())
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT (SELECT reply_xml FROM {DeliveredMessage._meta.db_table}"  # nosec B608 - table names from model metadata; values are %s parameters
            " WHERE account_id = %s AND dedupe_key = %s),"
            f" EXISTS (SELECT 1 FROM {Conversation._meta.db_table}"
            " WHERE account_id = %s AND openid = %s AND updated_at >= %s)",
            [account_id, key, account_id, openid[:64], since],
        )
        reply, in_conversation = cur.fetchone()
    return reply, bool(in_conversation)


def _values(account_id: int, key: str, openid: str, msg_type: str, reply: str) -> dict:
    return {
        "account_id": account_id,
        "dedupe_key": key,
        "openid": openid[:64],
        "msg_type": msg_type,
        "reply_xml": reply,
        "done": True,
        "received_at": timezone.now(),
    }


def record(account_id: int, key: str, openid: str, msg_type: str, reply: str) -> int | None:
    """Record a delivery with its reply at once: the row's id, or None when the push was
    recorded already (a retry). For pushes with effects, inside their transaction."""
    values = _values(account_id, key, openid, msg_type, reply)
    return insert_on_conflict(DeliveredMessage, values, ("account", "dedupe_key"))


def record_later(account_id: int, key: str, openid: str, msg_type: str, reply: str) -> None:
    """Record an answered question's delivery within ``delay()`` seconds (at once with 0)."""
    wait = delay()
    if wait <= 0:
        with sqlite_writer():
            record(account_id, key, openid, msg_type, reply)
        return
    row = DeliveredMessage(**_values(account_id, key, openid, msg_type, reply))
    with _lock:
        _pending.setdefault((account_id, key), row)
        if len(_pending) > MAX_PENDING:
            _pending.pop(next(iter(_pending)))
        if _writer[0] is None or _writer[1] != os.getpid() or not _writer[0].is_alive():
            _writer[0] = threading.Thread(
                target=_write_forever, name="wechat-delivered", daemon=True
            )
            _writer[1] = os.getpid()
            _writer[0].start()
    _wake.set()


def flush() -> int:
    """Write the rows waiting in memory now (the thread calls it; so do the exit and tests)."""
    with _flushing:
        with _lock:
            rows = list(_pending.values())
        if not rows:
            return 0
        with sqlite_writer():
            DeliveredMessage.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        with _lock:
            for row in rows:
                if _pending.get((row.account_id, row.dedupe_key)) is row:
                    del _pending[(row.account_id, row.dedupe_key)]
        return len(rows)


def _write_forever() -> None:
    while not _stop.is_set():
        _wake.wait()
        if _stop.wait(delay()):
            break
        _wake.clear()
        try:
            flush()
        except Exception:  # noqa: BLE001 - the rows stay in memory for the next turn
            log.exception("could not record %d delivered WeChat messages", len(_pending))
            _wake.set()
            _stop.wait(RETRY_AFTER)  # a database that is down: one log line per pause
        finally:
            connection.close()  # this thread's own; a connection per turn costs little
    _release_connection()


def _release_connection() -> None:
    """Close this thread's connection for good. Django ignores ``close()`` on an in-memory
    database (the test suite's SQLite), where this thread's connection is not the last one:
    left open across tests, a turn that failed half-way would keep its table locked."""
    connection.close()
    raw = connection.connection
    if raw is not None:
        try:
            raw.rollback()
            raw.close()
        finally:
            connection.connection = None


def stop_writer(timeout: float = 5.0) -> None:
    """End the writer thread, dropping its connection (tests: a thread started by one test
    must not sleep through the next test's setting or write with a connection it outlived).
    What still waits in memory stays there; the next ``record_later`` starts a new thread."""
    thread = _writer[0]
    if thread is None:
        return
    _stop.set()
    _wake.set()
    thread.join(timeout)
    with _lock:
        _writer[0] = None
    _stop.clear()
    _wake.clear()


@atexit.register
def _flush_at_exit() -> None:
    if not _pending:
        return
    try:
        flush()
    except Exception:  # noqa: BLE001 - the process is ending; a retry is then answered afresh
        log.warning("could not record %d delivered WeChat messages at exit", len(_pending))


def purge(now: dt.datetime | None = None) -> dict[str, int]:
    """Delete dedup records older than ``KEEP_DELIVERED`` and lapsed guided conversations (run
    daily by ``wechat.purge``): both tables would otherwise grow with every message."""
    now = now or timezone.now()
    old = DeliveredMessage.objects.filter(received_at__lt=now - KEEP_DELIVERED).delete()[0]
    lapsed = Conversation.objects.filter(updated_at__lt=now - CONVERSATION_TTL).delete()[0]
    return {"delivered": old, "conversations": lapsed}

"""The audit log (审计日志): every state change, append-only, chained by a keyed MAC.

Each record's MAC (HMAC-SHA-256 under a key kept outside the database, ``GOVHUB_AUDIT_KEYS``,
rotated like the personal-data keys: newest first, older ones kept to verify) covers its fields
and the previous record's; the head row keeps the last link so that deleting the newest records
is detected as well. A database administrator who edits a record and recomputes the chain has
no key: the MACs do not match. Records written before the key existed carry plain SHA-256
(``key_id`` empty); once a keyed record exists, an unkeyed one after it is a forgery. The head is
also anchored now and then outside the database (:func:`anchor`, an append-only file): a chain
rewritten by someone holding the key still differs from what was anchored.
Personal data never enters a summary: keys that name personal fields are dropped and free text
is redacted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from govhub.core import context
from govhub.core.models import AuditHead, AuditRecord
from govhub.core.pii import redact_text

GENESIS = "0" * 64
PII_KEYS = {"name", "phone", "id_number", "address", "email", "mobile", "contact", "password"}


def _clean(value):
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items() if str(k).lower() not in PII_KEYS}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, str):
        return redact_text(value)[:500]
    if value is None or isinstance(value, bool | int | float):
        return value
    return redact_text(str(value))[:500]


def _object_ref(obj) -> tuple[str, str]:
    if obj is None:
        return "", ""
    if isinstance(obj, tuple):
        return str(obj[0]), str(obj[1])
    meta = getattr(obj, "_meta", None)
    kind = meta.label_lower if meta else type(obj).__name__.lower()
    return kind, str(getattr(obj, "pk", "") or "")


@cache
def _keys(spec: str) -> dict[str, bytes]:
    keys = {}
    for item in spec.split(","):
        key_id, _, b64 = item.strip().partition(":")
        if key_id and b64:
            keys[key_id] = base64.b64decode(b64)
    if not keys:
        raise ValueError("GOVHUB_AUDIT_KEYS is empty")
    return keys


def audit_keys() -> dict[str, bytes]:
    """The audit keys by id; the first is the one new records are signed with."""
    return _keys(settings.AUDIT_KEYS)


def current_key_id() -> str:
    return next(iter(audit_keys()))


def _payload(rec: AuditRecord) -> bytes:
    at = rec.at.astimezone(UTC).isoformat(timespec="microseconds")
    return json.dumps(
        [
            rec.seq,
            at,
            rec.actor_id,
            rec.actor,
            rec.role,
            rec.action,
            rec.object_type,
            rec.object_id,
            rec.ip,
            rec.summary,
            rec.prev_hash,
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    ).encode("utf-8")


def compute_hash(rec: AuditRecord) -> str:
    """The record's MAC under its key (or, for records from before keys, its SHA-256)."""
    if not rec.key_id:
        return hashlib.sha256(_payload(rec)).hexdigest()
    key = audit_keys().get(rec.key_id)
    if key is None:
        raise KeyError(rec.key_id)
    return hmac.new(key, _payload(rec), hashlib.sha256).hexdigest()


def _actor_fields(actor) -> tuple[int | None, str]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None, str(actor) if isinstance(actor, str) else (
            "system" if actor is None else "anonymous"
        )
    return actor.pk, actor.get_username()


# records collected by :func:`deferred`, appended when its block ends (None: append at once)
_pending: ContextVar[list[AuditRecord] | None] = ContextVar("audit_pending", default=None)


def record(
    *, actor, action: str, obj=None, summary: dict | None = None, role: str = ""
) -> AuditRecord:
    """Append one record (stored when returned, unless inside :func:`deferred`). Call inside
    the transaction of the change it describes."""
    actor_id, actor_label = _actor_fields(actor)
    object_type, object_id = _object_ref(obj)
    rec = AuditRecord(
        at=timezone.now(),
        actor_id=actor_id,
        actor=actor_label[:150],
        role=role,
        action=action,
        object_type=object_type,
        object_id=object_id[:64],
        ip=context.current().ip[:64],
        # round-tripped as JSON so the MAC sees what the database will give back
        summary=json.loads(json.dumps(_clean(summary or {}), ensure_ascii=False)),
    )
    pending = _pending.get()
    if pending is not None:
        pending.append(rec)
    else:
        _append([rec])
    return rec


def _append(records: list[AuditRecord]) -> None:
    """Link ``records`` to the chain's head and store them; the head stays locked until the
    surrounding transaction commits.

    Three statements in plain SQL (lock and read the head, insert every record in one
    statement, move the head): this runs for every audited change — every letter accepted at a
    peak — and the ORM's query building cost more than the statements themselves."""
    if not records:
        return
    # no savepoint of its own (it would cost two statements on every audited change): an
    # error here fails the surrounding transaction, which is what must happen anyway
    with transaction.atomic(savepoint=False):
        conn = transaction.get_connection()
        qn = conn.ops.quote_name
        head_table, table = qn(AuditHead._meta.db_table), qn(AuditRecord._meta.db_table)
        lock = " FOR UPDATE" if conn.features.has_select_for_update else ""
        with conn.cursor() as cur:
            cur.execute(f"SELECT seq, hash FROM {head_table} WHERE id = 1{lock}")
            row = cur.fetchone()
            if row is None:  # the chain's first record
                AuditHead.objects.get_or_create(id=1)
                cur.execute(f"SELECT seq, hash FROM {head_table} WHERE id = 1{lock}")
                row = cur.fetchone()
            seq, prev = row
            key_id = current_key_id()
            for rec in records:
                seq += 1
                rec.seq, rec.prev_hash, rec.key_id = seq, prev, key_id
                rec.hash = prev = compute_hash(rec)
            _insert(conn, cur, table, records)
            cur.execute(f"UPDATE {head_table} SET seq = %s, hash = %s WHERE id = 1", [seq, prev])


def _insert(conn, cur, table: str, records: list[AuditRecord]) -> None:
    """One INSERT of every record; each gets its primary key back as the ORM would give it."""
    qn = conn.ops.quote_name
    fields = [f for f in AuditRecord._meta.concrete_fields if not f.primary_key]
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = f"INSERT INTO {table} ({', '.join(qn(f.column) for f in fields)}) VALUES " + ", ".join(
        [row] * len(records)
    )
    params = [f.get_db_prep_save(getattr(rec, f.attname), conn) for rec in records for f in fields]
    returning = conn.features.can_return_rows_from_bulk_insert
    if returning:
        sql += f" RETURNING {qn(AuditRecord._meta.pk.column)}"
    cur.execute(sql, params)
    if returning:
        ids = [r[0] for r in cur.fetchall()]
    else:  # pragma: no cover - every supported database returns them
        ids = list(
            AuditRecord.objects.filter(seq__in=[r.seq for r in records])
            .order_by("seq")
            .values_list("pk", flat=True)
        )
    for rec, pk in zip(records, ids, strict=True):
        rec.pk = pk
        rec._state.adding, rec._state.db = False, conn.alias


@contextmanager
def deferred() -> Iterator[None]:
    """Collect the block's records and append them as it ends (inside its transaction).

    The chain's head is one locked row: a long transaction that appended early would hold it
    while it routes, checks duplicates and queues messages, and every other writer would wait.
    Appending last holds it only for the inserts and the commit. Nested blocks append with the
    outermost; records of a block that raises are dropped with its transaction."""
    if _pending.get() is not None:
        yield
        return
    token = _pending.set([])
    try:
        yield
        records = _pending.get() or []
    finally:
        _pending.reset(token)
    _append(records)


@dataclass
class Problem:
    seq: int
    message: str

    def __str__(self) -> str:
        return f"#{self.seq}: {self.message}"


def verify(batch: int = 5000) -> list[Problem]:
    """Walk the chain; name every record that was edited, deleted or inserted out of order."""
    problems: list[Problem] = []
    keyed = False
    expected_seq, prev = 1, GENESIS
    last_seq = 0
    qs = AuditRecord.objects.order_by("seq")
    for rec in qs.iterator(chunk_size=batch):
        if rec.seq > expected_seq:
            missing = range(expected_seq, rec.seq)
            problems.append(
                Problem(expected_seq, f"记录 #{missing[0]}–#{missing[-1]} 已被删除 (deleted)")
                if len(missing) > 1
                else Problem(expected_seq, f"记录 #{expected_seq} 已被删除 (deleted)")
            )
            prev = rec.prev_hash  # resynchronise so one deletion is reported once
        if rec.prev_hash != prev:
            problems.append(Problem(rec.seq, "与前一条记录的链接断开 (chain link broken)"))
        if rec.key_id:
            keyed = True
        elif keyed:
            problems.append(
                Problem(rec.seq, "启用密钥后出现无密钥记录，系伪造 (unkeyed record after keying)")
            )
        try:
            if not hmac.compare_digest(compute_hash(rec), rec.hash):
                problems.append(Problem(rec.seq, "内容被篡改 (record edited)"))
        except KeyError:
            problems.append(Problem(rec.seq, f"签名密钥 {rec.key_id} 不在密钥列表中 (unknown key)"))
        prev, expected_seq, last_seq = rec.hash, rec.seq + 1, rec.seq
    head = AuditHead.objects.filter(id=1).first()
    if head and head.seq > last_seq:
        problems.append(
            Problem(
                last_seq + 1,
                f"最新的记录 #{last_seq + 1}–#{head.seq} 已被删除 (deleted at the end)",
            )
        )
    elif head and head.seq == last_seq and last_seq and head.hash != prev:
        problems.append(Problem(last_seq, "链尾哈希不符 (head hash mismatch)"))
    problems.extend(_check_anchors())
    return problems


# --- anchoring outside the database ------------------------------------------------------


def anchor_file() -> Path:
    return Path(settings.AUDIT_ANCHOR_FILE)


def _anchor_mac(seq: int, digest: str, at: str) -> str:
    key = audit_keys()[current_key_id()]
    return hmac.new(key, f"{seq}|{digest}|{at}".encode(), hashlib.sha256).hexdigest()


def anchor() -> dict | None:
    """Append the chain's head (sequence number and MAC) to the anchor file, an append-only
    record outside the database (in production a path on another host or a write-once mount).
    Returns what was written, or None for an empty chain."""
    head = AuditHead.objects.filter(id=1).first()
    if head is None or head.seq == 0:
        return None
    at = timezone.now().astimezone(UTC).isoformat(timespec="seconds")
    line = {"seq": head.seq, "hash": head.hash, "at": at}
    line["mac"] = _anchor_mac(head.seq, head.hash, at)
    path = anchor_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(line, sort_keys=True) + "\n")
    return line


def anchors() -> list[dict]:
    path = anchor_file()
    if not path.exists():
        return []
    out = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if raw.strip():
            try:
                out.append(json.loads(raw))
            except ValueError:
                out.append({"bad": raw[:80]})
    return out


def _check_anchors() -> list[Problem]:
    problems = []
    for item in anchors():
        if "bad" in item:
            problems.append(Problem(0, "锚点文件有无法读取的行 (unreadable anchor line)"))
            continue
        seq, digest, at = int(item["seq"]), item["hash"], item["at"]
        try:
            mac_ok = hmac.compare_digest(_anchor_mac(seq, digest, at), item.get("mac", ""))
        except KeyError:
            mac_ok = False
        if not mac_ok:
            problems.append(Problem(seq, f"{at} 的锚点签名不符 (anchor line forged)"))
            continue
        rec = AuditRecord.objects.filter(seq=seq).only("hash").first()
        if rec is None:
            problems.append(Problem(seq, f"{at} 锚定的记录已不存在 (anchored record gone)"))
        elif rec.hash != digest:
            problems.append(
                Problem(seq, f"与 {at} 写出的锚点不符，链被重算过 (differs from the anchor)")
            )
    return problems


def mirror_wagtail_log_entry(sender, instance, created: bool, **kwargs) -> None:
    """Copy a Wagtail log entry (page published, image edited …) into the audit chain."""
    if not created:
        return
    object_type = instance.content_type.model if instance.content_type_id else "wagtail"
    record(
        actor=instance.user,
        action=f"wagtail:{instance.action}",
        obj=(f"wagtail.{object_type}", str(instance.object_id)),
        summary={"title": instance.label[:200]},
    )

"""The audit log (审计日志): every state change, append-only, chained by SHA-256.

Each record's hash covers its fields and the previous record's hash; the head row keeps the
last link so that deleting the newest records is detected as well. Personal data never enters
a summary: keys that name personal fields are dropped and free text is redacted.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC

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


def compute_hash(rec: AuditRecord) -> str:
    at = rec.at.astimezone(UTC).isoformat(timespec="microseconds")
    payload = json.dumps(
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
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _actor_fields(actor) -> tuple[int | None, str]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None, str(actor) if isinstance(actor, str) else (
            "system" if actor is None else "anonymous"
        )
    return actor.pk, actor.get_username()


def record(
    *, actor, action: str, obj=None, summary: dict | None = None, role: str = ""
) -> AuditRecord:
    """Append one record. Call inside the transaction of the change it describes."""
    actor_id, actor_label = _actor_fields(actor)
    object_type, object_id = _object_ref(obj)
    with transaction.atomic():
        AuditHead.objects.get_or_create(id=1)
        head = AuditHead.objects.select_for_update().get(id=1)
        rec = AuditRecord(
            seq=head.seq + 1,
            at=timezone.now(),
            actor_id=actor_id,
            actor=actor_label[:150],
            role=role,
            action=action,
            object_type=object_type,
            object_id=object_id[:64],
            ip=context.current().ip[:64],
            summary=_clean(summary or {}),
            prev_hash=head.hash,
        )
        # Round-trip the summary as JSON so the hash sees what the database will give back.
        rec.summary = json.loads(json.dumps(rec.summary, ensure_ascii=False))
        rec.hash = compute_hash(rec)
        rec.save(force_insert=True)
        AuditHead.objects.filter(id=1).update(seq=rec.seq, hash=rec.hash)
    return rec


@dataclass
class Problem:
    seq: int
    message: str

    def __str__(self) -> str:
        return f"#{self.seq}: {self.message}"


def verify(batch: int = 5000) -> list[Problem]:
    """Walk the chain; name every record that was edited, deleted or inserted out of order."""
    problems: list[Problem] = []
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
        if compute_hash(rec) != rec.hash:
            problems.append(Problem(rec.seq, "内容被篡改 (record edited)"))
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

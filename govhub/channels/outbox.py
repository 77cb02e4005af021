"""The one outbox (发件箱): every message the county sends, durable rows sent after commit.

Other apps call one small API, inside their own transaction::

    from govhub.channels import outbox
    outbox.enqueue(kind="letter_notice", platform="sms", recipient=phone,
                   payload={"text": …}, key=f"letter-event:{event.pk}:sms", source=event)

The row is written in the caller's transaction (so a rolled-back change sends nothing) and a
worker is woken once the transaction commits (nothing is sent inside an open transaction). The
same ``key`` twice is one message. Why rows of our own rather than one background job per
message: the row *is* the state staff see, it survives any worker crash, and claiming it is one
conditional UPDATE that works the same on SQLite and PostgreSQL.

A worker claims a due row by moving it to ``sending`` with a lease (and counting the attempt);
a row whose lease ran out belongs to a worker that died, and is claimed again with
``needs_lookup`` set — like every retry after an ambiguous failure (timeout, 5xx), the next
attempt first asks the platform whether the message already exists (where the platform can be
asked: WeChat and Weibo posts by the mark the message leaves, Weibo comments by their text,
Douyin videos by their video id) before sending. What a sender learns half-way (WeChat draft
id, Douyin video id) is saved at once in ``progress`` so a retry continues instead of starting
over. Failures back off exponentially up to a ceiling; after ``MAX_ATTEMPTS`` or a permanent
failure the message gives up and whoever registered for its kind is told
(``on_gave_up``).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from govhub.channels.base import ChannelError, Sent
from govhub.channels.models import (
    ChannelAccount,
    MessageKind,
    MessageState,
    OutboundEvent,
    OutboundMessage,
)
from govhub.core import audit

S = MessageState
log = logging.getLogger(__name__)

LEASE_SECONDS = float(os.environ.get("GOVHUB_OUTBOX_LEASE", "300"))
BACKOFF_BASE = float(os.environ.get("GOVHUB_OUTBOX_BACKOFF_BASE", "5"))
BACKOFF_CEILING = float(os.environ.get("GOVHUB_OUTBOX_BACKOFF_CEILING", "3600"))
MAX_ATTEMPTS = int(os.environ.get("GOVHUB_OUTBOX_MAX_ATTEMPTS", "8"))

RETRYABLE = [S.GAVE_UP, S.RETRYING, S.UNCONFIGURED]
AUDITED_KINDS = {MessageKind.PUBLICATION}  # a citizen notice is on its letter's record already

_gave_up_listeners: dict[str, list[Callable[[int], None]]] = {}


def on_gave_up(kind: str, listener: Callable[[int], None]) -> None:
    """Call ``listener(message_id)`` after commit when a message of ``kind`` gives up (the
    publishing app e-mails the piece's editor)."""
    _gave_up_listeners.setdefault(str(kind), []).append(listener)


def backoff(attempt: int) -> float:
    """Seconds before retry after ``attempt`` failures: base·2^(n−1), capped at the ceiling."""
    return min(BACKOFF_CEILING, BACKOFF_BASE * 2 ** max(0, attempt - 1))


# --- enqueue -----------------------------------------------------------------------------


def configured(account: ChannelAccount | None, platform: str, kind: str) -> bool:
    """Whether the account has what its platform needs to send this kind of message at all."""
    from govhub.channels.senders import sender_for_platform

    return sender_for_platform(platform, kind).configured(account)


def enqueue(
    *,
    kind: str,
    key: str,
    account: ChannelAccount | None = None,
    platform: str = "",
    recipient: str = "",
    payload: dict | None = None,
    source=None,
    department=None,
    not_before: dt.datetime | None = None,
) -> OutboundMessage:
    """Record one outbound message in the caller's transaction; it is sent after commit.

    ``kind`` is a ``MessageKind``; ``account`` the sending channel account (its platform is
    the message's), or ``platform`` alone for channels without an account (e-mail, SMS);
    ``recipient`` the person (openid, phone, address, Weibo uid — stored encrypted); ``payload``
    what to say (see docs/outbox.md for the keys each platform reads); ``key`` the caller's
    idempotency key; ``source`` the object the message is about (a publication, a letter event,
    an inbox reply). Returns the message (the existing one when ``key`` was used before)."""
    if kind not in MessageKind.values:
        raise ValueError(f"unknown message kind {kind!r}")
    platform = platform or (account.platform if account is not None else "")
    if not platform:
        raise ValueError("enqueue needs an account or a platform")
    existing = OutboundMessage.objects.filter(key=key).first()
    if existing is not None:
        return existing
    now = timezone.now()
    ready = configured(account, platform, kind)
    msg = OutboundMessage(
        key=key[:200],
        kind=kind,
        platform=platform,
        account=account,
        department=department or _department_of(source),
        recipient=recipient or "",
        state=S.QUEUED if ready else S.UNCONFIGURED,
        next_attempt_at=not_before or now,
    )
    msg.payload = payload or {}
    if source is not None:
        msg.source_type = ContentType.objects.get_for_model(source)
        msg.source_id = source.pk
    try:
        with transaction.atomic():
            msg.save()
    except IntegrityError:  # the same key, enqueued at the same moment by another process
        return OutboundMessage.objects.get(key=key[:200])
    event(
        msg.pk,
        "queued" if ready else "unconfigured",
        "已进入发件箱" if ready else "渠道未配置，未发送（配置后可点“重试”）",
    )
    if ready:
        wake_after_commit()
    return msg


def _department_of(source):
    dept_id = getattr(source, "department_id", None)
    return source.department if dept_id else None


def wake_after_commit() -> None:
    """Queue one sending run for when the current transaction commits: once per atomic block
    (the flag lives on the innermost block, so a savepoint rolled back takes its wake-up and its
    flag with it and nothing is lost)."""
    block = connection.atomic_blocks[-1] if connection.in_atomic_block else None
    if block is not None:
        if getattr(block, "_outbox_wake", False):
            return
        block._outbox_wake = True
    transaction.on_commit(_wake)


def _wake() -> None:
    from govhub.channels.jobs import send_due_messages

    try:
        send_due_messages.enqueue()
    except Exception:  # noqa: BLE001 - the periodic tick sends it within a minute anyway
        log.exception("could not queue the outbox run; the minute tick will send")


# --- claiming and sending ------------------------------------------------------------------


def in_open_transaction() -> bool:
    """True inside a transaction of the application (a test case's own wrapping transaction,
    which stands for "no transaction", does not count)."""
    return any(not getattr(a, "_from_testcase", False) for a in connection.atomic_blocks)


def _due(now: dt.datetime) -> Q:
    waiting = Q(state__in=[S.QUEUED, S.RETRYING]) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    return waiting | Q(state=S.SENDING, lease_until__lt=now)


def claim(message_id: int, now: dt.datetime | None = None) -> int | None:
    """Take one due message for this worker; returns the claim number that owns it, or None."""
    now = now or timezone.now()
    lease = now + dt.timedelta(seconds=LEASE_SECONDS)
    qs = OutboundMessage.objects.filter(pk=message_id)
    # a row left in "sending" by a dead worker: we cannot know whether its call reached the platform
    if qs.filter(state=S.SENDING, lease_until__lt=now).update(
        lease_until=lease,
        attempts=F("attempts") + 1,
        claim_seq=F("claim_seq") + 1,
        needs_lookup=True,
        updated_at=now,
    ):
        event(message_id, "taken_over", "上次发送中断（发送进程未按时完成），重新领取；先核对平台")
        return qs.values_list("claim_seq", flat=True).get()
    waiting = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    if qs.filter(waiting, state__in=[S.QUEUED, S.RETRYING]).update(
        state=S.SENDING,
        lease_until=lease,
        attempts=F("attempts") + 1,
        claim_seq=F("claim_seq") + 1,
        updated_at=now,
    ):
        return qs.values_list("claim_seq", flat=True).get()
    return None


def due_ids(limit: int, now: dt.datetime | None = None, kinds=None) -> list[int]:
    now = now or timezone.now()
    qs = OutboundMessage.objects.filter(_due(now))
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return list(qs.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])


def _claim_and_send(pk: int) -> bool:
    token = claim(pk)
    if token is None:
        return False  # another worker took it
    send_claimed(pk, token)
    return True


def _claim_and_send_in_thread(pk: int) -> bool:
    try:
        return _claim_and_send(pk)
    finally:
        connection.close()  # each pool thread has its own connection; don't leak it


def run_outbox(limit: int = 100, threads: int = 1, kinds=None) -> int:
    """Claim and send up to ``limit`` due messages; returns how many were processed.

    With ``threads`` > 1 the platform calls (seconds each) overlap; claims stay atomic, so
    threads, processes and machines may all share one outbox."""
    ids = due_ids(limit * 2, kinds=kinds)
    if threads <= 1:
        done = 0
        for pk in ids:
            if done >= limit:
                break
            done += _claim_and_send(pk)
        return done
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="outbox") as pool:
        return sum(pool.map(_claim_and_send_in_thread, ids[:limit]))


def event(message_id: int, kind: str, text: str) -> None:
    OutboundEvent.objects.create(outbound_id=message_id, kind=kind, message=text[:500])


def send_claimed(message_id: int, claim_no: int) -> str:
    """Send one claimed message (never inside a transaction: platform calls take seconds)."""
    from govhub.channels.senders import sender_for

    if in_open_transaction():
        raise RuntimeError("the outbox sends only outside a transaction")
    m = OutboundMessage.objects.select_related("account").get(pk=message_id)
    attempt = m.attempts

    def progress(**fields) -> None:
        m.progress = {**(m.progress or {}), **fields}
        OutboundMessage.objects.filter(pk=m.pk, claim_seq=claim_no).update(progress=m.progress)

    if m.account is not None and not m.account.enabled:
        return _failed(
            m,
            claim_no,
            attempt,
            ChannelError(f"渠道账号“{m.account.name}”已停用", permanent=True, code="disabled"),
        )
    sender = sender_for(m)
    try:
        sent: Sent | None = None
        if m.needs_lookup or attempt > 1:
            sent = sender.find_existing(m, progress)
            if sent is not None:
                event(m.pk, "found", "核对发现平台上已有此条（上次发送结果不明），不再重复发送")
        if sent is None:
            sent = sender.send(m, progress)
    except ChannelError as exc:
        return _failed(m, claim_no, attempt, exc)
    except Exception as exc:  # noqa: BLE001 - an unexpected failure is retried like a timeout
        log.exception("outbound message %s failed unexpectedly", m.pk)
        return _failed(
            m, claim_no, attempt, ChannelError(f"内部错误：{type(exc).__name__}", ambiguous=True)
        )
    return _mark_sent(m, claim_no, attempt, sent)


def _mark_sent(m: OutboundMessage, claim_no: int, attempt: int, sent: Sent) -> str:
    now = timezone.now()
    state = S.MANUAL if sent.manual else S.SENT
    with transaction.atomic():
        changed = OutboundMessage.objects.filter(
            pk=m.pk, state=S.SENDING, claim_seq=claim_no
        ).update(
            state=state,
            remote_id=sent.remote_id[:128],
            remote_url=sent.url[:500],
            detail=sent.detail[:300],
            sent_at=None if sent.manual else now,
            lease_until=None,
            next_attempt_at=None,
            needs_lookup=False,
            last_error="",
            updated_at=now,
        )
        if not changed:
            return "lost_lease"
        if sent.manual:
            event(m.pk, "manual", sent.detail or "待人工发表")
        else:
            what = sent.detail or "已发送"
            event(m.pk, "sent", f"{what}（平台编号 {sent.remote_id}）" if sent.remote_id else what)
        if m.kind in AUDITED_KINDS:
            audit.record(
                actor=None,
                action="delivery_sent",
                obj=m,
                summary={
                    "platform": m.platform,
                    "account": m.account.slug if m.account else "",
                    "remote_id": sent.remote_id,
                    "attempt": attempt,
                },
            )
    return "manual" if sent.manual else "sent"


def _failed(m: OutboundMessage, claim_no: int, attempt: int, err: ChannelError) -> str:
    now = timezone.now()
    give_up = err.permanent or attempt >= MAX_ATTEMPTS
    mine = OutboundMessage.objects.filter(pk=m.pk, state=S.SENDING, claim_seq=claim_no)
    with transaction.atomic():
        if err.unconfigured:
            if not mine.update(
                state=S.UNCONFIGURED,
                lease_until=None,
                last_error=err.message[:500],
                updated_at=now,
            ):
                return "lost_lease"
            event(m.pk, "unconfigured", err.message)
            return "unconfigured"
        if give_up:
            if not mine.update(
                state=S.GAVE_UP,
                gave_up_at=now,
                lease_until=None,
                last_error=err.message[:500],
                needs_lookup=m.needs_lookup or err.ambiguous,
                updated_at=now,
            ):
                return "lost_lease"
            event(m.pk, "gave_up", f"已停止重试：{err.message}")
            audit.record(
                actor=None,
                action="delivery_gave_up",
                obj=m,
                summary={
                    "kind": m.kind,
                    "platform": m.platform,
                    "account": m.account.slug if m.account else "",
                    "attempts": attempt,
                    "reason": err.code or "error",
                },
            )
            for listener in _gave_up_listeners.get(m.kind, []):
                transaction.on_commit(lambda fn=listener: _safely(fn, m.pk))
            return "gave_up"
        delay = min(BACKOFF_CEILING, err.retry_after) if err.retry_after else backoff(attempt)
        extra = {"needs_lookup": True} if err.ambiguous else {}
        if not mine.update(
            state=S.RETRYING,
            next_attempt_at=now + dt.timedelta(seconds=delay),
            lease_until=None,
            last_error=err.message[:500],
            updated_at=now,
            **extra,
        ):
            return "lost_lease"
        event(m.pk, "retrying", f"第 {attempt} 次发送失败：{err.message}；{int(delay)} 秒后重试")
    return "retrying"


def _safely(fn: Callable[[int], None], message_id: int) -> None:
    try:
        fn(message_id)
    except Exception:  # noqa: BLE001 - a listener must never break the outbox
        log.exception("gave-up listener %s failed for message %s", fn, message_id)


# --- what staff may do with a message --------------------------------------------------------


class NotChanged(Exception):  # noqa: N818 - reads as "raise NotChanged"
    """The message was not in a state that allows the change (someone changed it meanwhile)."""


def requeue(message: OutboundMessage, note: str) -> OutboundMessage:
    """Send a failed, waiting or unconfigured message again, with its same key and mark.
    Call inside the caller's transaction (with its permission check and audit record)."""
    now = timezone.now()
    if not OutboundMessage.objects.filter(pk=message.pk, state__in=RETRYABLE).update(
        state=S.QUEUED, attempts=0, next_attempt_at=now, last_error="", updated_at=now
    ):
        raise NotChanged(message.pk)
    event(message.pk, "retry", note)
    wake_after_commit()
    message.refresh_from_db()
    return message


def mark_withdrawn(message: OutboundMessage, from_states, note: str) -> None:
    """Record that a message was withdrawn (the platform call, if any, is the caller's)."""
    now = timezone.now()
    if not OutboundMessage.objects.filter(pk=message.pk, state__in=list(from_states)).update(
        state=S.WITHDRAWN, withdrawn_at=now, updated_at=now
    ):
        raise NotChanged(message.pk)
    event(message.pk, "withdrawn", note)


def mark_published_by_hand(message: OutboundMessage, url: str, note: str) -> None:
    """A message waiting for a person (视频号, no publishing interface) was published by hand."""
    now = timezone.now()
    if not OutboundMessage.objects.filter(pk=message.pk, state=S.MANUAL).update(
        state=S.SENT, remote_url=url[:500], sent_at=now, updated_at=now, detail="人工发表"
    ):
        raise NotChanged(message.pk)
    event(message.pk, "sent", note)


# --- reading --------------------------------------------------------------------------------


def messages_about(obj) -> list[OutboundMessage]:
    """Every outbound message whose source is ``obj``, oldest first."""
    ct = ContentType.objects.get_for_model(obj)
    return list(
        OutboundMessage.objects.filter(source_type=ct, source_id=obj.pk)
        .select_related("account")
        .order_by("pk")
    )


def status_line(messages) -> str:
    """The delivery of a message over its channels as one Chinese line, e.g.
    “网站：已发送；短信：已发送；微信：发送失败（…）” — what the letter page's 送达 line shows."""
    return "；".join(m.summary for m in messages)

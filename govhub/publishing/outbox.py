"""The outbox (发件箱): durable Delivery rows sent exactly once.

Why rows of our own rather than one background job per delivery: the row *is* the state the
editor sees, it survives any worker crash, and claiming it is one conditional UPDATE that works
the same on SQLite and PostgreSQL. A worker claims a due row by moving it to ``sending`` with a
lease (and counting the attempt); a row whose lease ran out belongs to a worker that died, and is
claimed again with ``needs_lookup`` set — like every retry after an ambiguous failure (timeout,
5xx), the next attempt first asks the platform whether the post already exists (by the marker
the delivery leaves in its link back to the portal) before posting. Remote ids learnt half-way
(WeChat draft id, publish id) are saved at once so a retry continues instead of starting over.
Failures back off exponentially up to a ceiling; after ``MAX_ATTEMPTS`` or a permanent failure
the delivery gives up and the editor is alerted.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from concurrent.futures import ThreadPoolExecutor

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from govhub.channels.adapters import adapter_for
from govhub.channels.base import ChannelError, Sent
from govhub.core import audit
from govhub.publishing.models import Delivery, DeliveryEvent
from govhub.publishing.models import DeliveryState as S

log = logging.getLogger(__name__)

LEASE_SECONDS = float(os.environ.get("GOVHUB_OUTBOX_LEASE", "300"))
BACKOFF_BASE = float(os.environ.get("GOVHUB_OUTBOX_BACKOFF_BASE", "5"))
BACKOFF_CEILING = float(os.environ.get("GOVHUB_OUTBOX_BACKOFF_CEILING", "3600"))
MAX_ATTEMPTS = int(os.environ.get("GOVHUB_OUTBOX_MAX_ATTEMPTS", "8"))


def backoff(attempt: int) -> float:
    """Seconds before retry after ``attempt`` failures: base·2^(n−1), capped at the ceiling."""
    return min(BACKOFF_CEILING, BACKOFF_BASE * 2 ** max(0, attempt - 1))


def _due(now: dt.datetime) -> Q:
    waiting = Q(state__in=[S.QUEUED, S.RETRYING]) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    return waiting | Q(state=S.SENDING, lease_until__lt=now)


def claim(delivery_id: int, now: dt.datetime | None = None) -> int | None:
    """Take one due delivery for this worker; returns the claim number that owns it, or None."""
    now = now or timezone.now()
    lease = now + dt.timedelta(seconds=LEASE_SECONDS)
    # a row left in "sending" by a dead worker: we cannot know whether its call reached the platform
    if Delivery.objects.filter(pk=delivery_id, state=S.SENDING, lease_until__lt=now).update(
        lease_until=lease,
        attempts=F("attempts") + 1,
        claim_seq=F("claim_seq") + 1,
        needs_lookup=True,
        updated_at=now,
    ):
        return Delivery.objects.values_list("claim_seq", flat=True).get(pk=delivery_id)
    waiting = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    if Delivery.objects.filter(waiting, pk=delivery_id, state__in=[S.QUEUED, S.RETRYING]).update(
        state=S.SENDING,
        lease_until=lease,
        attempts=F("attempts") + 1,
        claim_seq=F("claim_seq") + 1,
        updated_at=now,
    ):
        return Delivery.objects.values_list("claim_seq", flat=True).get(pk=delivery_id)
    return None


def due_ids(limit: int, now: dt.datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return list(
        Delivery.objects.filter(_due(now))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


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


def run_outbox(limit: int = 100, threads: int = 1) -> int:
    """Claim and send up to ``limit`` due deliveries; returns how many were processed.

    With ``threads`` > 1 the platform calls (seconds each) overlap; claims stay atomic, so
    threads, processes and machines may all share one outbox."""
    ids = due_ids(limit * 2)
    if threads <= 1:
        done = 0
        for pk in ids:
            if done >= limit:
                break
            done += _claim_and_send(pk)
        return done
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="outbox") as pool:
        return sum(pool.map(_claim_and_send_in_thread, ids[:limit]))


def _event(delivery_id: int, kind: str, message: str) -> None:
    DeliveryEvent.objects.create(delivery_id=delivery_id, kind=kind, message=message[:500])


def send_claimed(delivery_id: int, claim: int) -> str:
    """Send one claimed delivery (never inside a transaction: platform calls take seconds)."""
    d = Delivery.objects.select_related("publication", "account", "publication__cover").get(
        pk=delivery_id
    )
    attempt = d.attempts
    adapter = adapter_for(d.account.platform)

    def progress(**fields) -> None:
        Delivery.objects.filter(pk=d.pk, claim_seq=claim).update(**fields)

    if not d.account.enabled:
        return _failed(
            d,
            claim,
            attempt,
            ChannelError(f"渠道账号“{d.account.name}”已停用", permanent=True, code="disabled"),
        )
    try:
        sent: Sent | None = None
        if d.needs_lookup or attempt > 1:
            sent = adapter.find_existing(d, progress)
            if sent is not None:
                _event(d.pk, "found", "核对发现平台上已有此条（上次发送结果不明），不再重复发送")
        if sent is None:
            sent = adapter.publish(d, progress)
    except ChannelError as exc:
        return _failed(d, claim, attempt, exc)
    except Exception as exc:  # noqa: BLE001 - an unexpected failure is retried like a timeout
        log.exception("delivery %s failed unexpectedly", d.pk)
        return _failed(
            d, claim, attempt, ChannelError(f"内部错误：{type(exc).__name__}", ambiguous=True)
        )
    return _mark_sent(d, claim, attempt, sent)


def _mark_sent(d: Delivery, claim: int, attempt: int, sent: Sent) -> str:
    now = timezone.now()
    with transaction.atomic():
        changed = Delivery.objects.filter(pk=d.pk, state=S.SENDING, claim_seq=claim).update(
            state=S.SENT,
            remote_id=sent.remote_id[:128],
            remote_url=sent.url[:500],
            sent_at=now,
            lease_until=None,
            next_attempt_at=None,
            needs_lookup=False,
            last_error="",
            updated_at=now,
        )
        if not changed:
            return "lost_lease"
        _event(d.pk, "sent", f"已发送（平台编号 {sent.remote_id}）")
        audit.record(
            actor=None,
            action="delivery_sent",
            obj=d,
            summary={
                "platform": d.account.platform,
                "account": d.account.slug,
                "remote_id": sent.remote_id,
                "attempt": attempt,
            },
        )
    return "sent"


def _failed(d: Delivery, claim: int, attempt: int, err: ChannelError) -> str:
    now = timezone.now()
    give_up = err.permanent or attempt >= MAX_ATTEMPTS
    with transaction.atomic():
        if give_up:
            changed = Delivery.objects.filter(pk=d.pk, state=S.SENDING, claim_seq=claim).update(
                state=S.GAVE_UP,
                gave_up_at=now,
                lease_until=None,
                last_error=err.message[:500],
                needs_lookup=d.needs_lookup or err.ambiguous,
                updated_at=now,
            )
            if not changed:
                return "lost_lease"
            _event(d.pk, "gave_up", f"已放弃：{err.message}")
            audit.record(
                actor=None,
                action="delivery_gave_up",
                obj=d,
                summary={
                    "platform": d.account.platform,
                    "account": d.account.slug,
                    "attempts": attempt,
                    "reason": err.code or "error",
                },
            )
            transaction.on_commit(lambda: alert_editor(d.pk))
            return "gave_up"
        delay = min(BACKOFF_CEILING, err.retry_after) if err.retry_after else backoff(attempt)
        extra = {"needs_lookup": True} if err.ambiguous else {}
        changed = Delivery.objects.filter(pk=d.pk, state=S.SENDING, claim_seq=claim).update(
            state=S.RETRYING,
            next_attempt_at=now + dt.timedelta(seconds=delay),
            lease_until=None,
            last_error=err.message[:500],
            updated_at=now,
            **extra,
        )
        if not changed:
            return "lost_lease"
        _event(d.pk, "retrying", f"第 {attempt} 次发送失败：{err.message}；{int(delay)} 秒后重试")
    return "retrying"


def alert_editor(delivery_id: int) -> None:
    """Tell the piece's editor a delivery gave up (e-mail when they have an address; the
    publishing list shows gave-up deliveries in red either way)."""
    from django.core.mail import send_mail

    d = Delivery.objects.select_related("publication__author", "account").get(pk=delivery_id)
    author = d.publication.author
    if author is None or not author.email:
        return
    try:
        send_mail(
            f"【发布失败】{d.publication.title} → {d.account.name}",
            f"稿件“{d.publication.title}”发送到“{d.account.name}”失败并已停止重试：{d.last_error}\n"
            "请在后台“内容发布”中查看原因，处理后可点“重试”。",
            None,
            [author.email],
            fail_silently=True,
        )
    except Exception:  # noqa: BLE001 - the alert must never break the outbox
        log.warning("could not e-mail the editor about delivery %s", delivery_id)

"""Messages into the unified inbox, from every channel. Idempotent on (channel, remote_id)."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils import timezone

from govhub.core.pii import redact_text
from govhub.core.upsert import insert_on_conflict
from govhub.inbox.models import Channel, InboxMessage

MAX_TEXT = 5000


def receive_message(
    *,
    channel: str,
    account=None,
    sender_ref: str,
    text: str,
    remote_id: str,
    received_at: dt.datetime | None = None,
    meta: dict | None = None,
) -> tuple[InboxMessage, bool]:
    """Put one inbound message into the inbox; returns (message, created).

    The same (channel, remote_id) twice returns the first message: adapters that fetch Weibo
    comments every few minutes and WeChat's retries may hand over a message more than once.
    Concurrent calls are settled by the unique constraint."""
    if channel not in Channel.values:
        raise ValueError(f"unknown inbox channel {channel!r}")
    if not remote_id:
        raise ValueError("remote_id is required")
    remote_id = str(remote_id)[:128]
    received_at = received_at or timezone.now()
    if timezone.is_naive(received_at):
        received_at = timezone.make_aware(received_at)
    msg = InboxMessage(
        channel=channel,
        account=account,
        # the portal chat has no account: its messages are for every handler
        department_id=getattr(account, "department_id", None),
        sender_ref=str(sender_ref)[:128],
        text=(text or "").strip()[:MAX_TEXT] or "（空消息）",
        remote_id=remote_id,
        received_at=received_at,
        meta=meta or {},
    )
    # One statement (no pre-SELECT, no savepoint inside the WeChat callback's transaction).
    # The row itself records the receipt: the audit log is for what staff do with it.
    columns = "channel account_id department_id sender_ref text remote_id received_at status meta"
    values = {name: getattr(msg, name) for name in columns.split()}
    values["text_redacted"] = redact_text(msg.text)  # the upsert skips the field's pre_save
    msg.text_redacted = values["text_redacted"]
    pk = insert_on_conflict(InboxMessage, values, ("channel", "remote_id"))
    if pk is None:
        return InboxMessage.objects.get(channel=channel, remote_id=remote_id), False
    msg.pk = pk
    msg._state.adding, msg._state.db = False, connection.alias
    return msg, True


def preview(msg: InboxMessage, length: int = 60) -> str:
    """A short, redacted preview for lists (phone and ID numbers masked)."""
    return (msg.text_redacted or redact_text(msg.text))[:length]

"""Weibo messages in: mentions of the government's account and private messages to it become
letters or inbox messages (the inbox sits above letters, so the routing lives here).

The Weibo adapter fetches them (``statuses/mentions``, ``direct_messages``). A citizen chooses
to write a letter by starting with 写信 or tagging #领导信箱# (or #县长信箱#, #区长信箱#,
#市长信箱#): that makes a letter (channel ``weibo``), answered with its tracking code and every
later step through the same conversation — a private-message reply for a private message, a
comment on the post for a mention. Anything else lands in the unified inbox
(``govhub.inbox.intake.receive_message``). Both are idempotent on the Weibo id, so fetching the
same message twice makes one letter or one inbox message.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from email.utils import parsedate_to_datetime

from django.core.cache import cache
from django.utils import timezone

from govhub.channels.base import ChannelError
from govhub.channels.weibo import WeiboAdapter
from govhub.inbox.intake import receive_message
from govhub.letters.intake import LetterInputError, subject_from, submit_letter

log = logging.getLogger(__name__)

TAG = re.compile(r"#(领导|县长|区长|市长)信箱#")
START = re.compile(r"^\s*(写信|我要写信)\s*[:：,，]?\s*")
MENTION = re.compile(r"@[\w\-\u4e00-\u9fff]{1,30}")


def wants_letter(text: str) -> bool:
    """The citizen asked for a letter: 写信 first (after any @mentions), or the mailbox tag."""
    text = MENTION.sub("", text or "")
    return bool(TAG.search(text) or START.match(text))


def letter_text(text: str) -> str:
    """The letter's content: the message without @mentions, the tag and the 写信 prefix."""
    text = MENTION.sub("", text or "")
    text = TAG.sub("", text)
    return START.sub("", text).strip()


def _when(created_at: str) -> dt.datetime | None:
    try:
        return parsedate_to_datetime(created_at)
    except (TypeError, ValueError):
        return None


def take_message(
    account,
    *,
    kind: str,
    remote_id: str,
    uid: str,
    text: str,
    status_id: str = "",
    received_at: dt.datetime | None = None,
) -> tuple[str, int]:
    """One Weibo message (``kind`` "dm" or "mention") into a letter or the inbox; returns
    ("letter", letter id) or ("inbox", inbox message id)."""
    if wants_letter(text):
        content = letter_text(text)
        subject = subject_from(content, "微博来信")
        try:
            letter = submit_letter(
                channel="weibo",
                subject=subject,
                content=content,
                weibo_uid=uid,
                idempotency_key=f"weibo-{account.pk}-{kind}-{remote_id}",
                received_at=received_at,
                channel_account=account,
                channel_ref={"kind": kind, "status_id": status_id, "remote_id": remote_id},
            )
            return "letter", letter.pk
        except LetterInputError:
            pass  # too short, bad words…: staff see it in the inbox and can answer there
    msg, _ = receive_message(
        channel="weibo_dm" if kind == "dm" else "weibo_mention",
        account=account,
        sender_ref=uid,
        text=text,
        remote_id=remote_id,
        received_at=received_at,
        meta={"status_id": status_id} if status_id else {},
    )
    return "inbox", msg.pk


def poll_account(account, adapter: WeiboAdapter | None = None) -> dict[str, int]:
    """Fetch new mentions and private messages of one account; counts by outcome. The last
    ids seen are kept in the cache: losing them costs a re-fetch, never a duplicate."""
    adapter = adapter or WeiboAdapter()
    counts = {"letter": 0, "inbox": 0}
    own = str(account.remote_id or "")
    for kind, fetch in (
        ("mention", adapter.fetch_mentions),
        ("dm", adapter.fetch_private_messages),
    ):
        key = f"letters:weibo:since:{account.pk}:{kind}"
        since = cache.get(key, "")
        items = fetch(account, since)
        newest = since
        for item in sorted(items, key=lambda i: int(i.get("id") or 0)):
            rid = str(item.get("idstr") or item.get("id") or "")
            user = item.get("user") or item.get("sender") or {}
            uid = str(item.get("sender_id") or user.get("idstr") or user.get("id") or "")
            if not rid or not uid or uid == own:
                continue
            outcome, _ = take_message(
                account,
                kind=kind,
                remote_id=rid,
                uid=uid,
                text=item.get("text", ""),
                status_id=rid if kind == "mention" else "",
                received_at=_when(item.get("created_at", "")) or timezone.now(),
            )
            counts[outcome] += 1
            newest = rid if not newest or int(rid) > int(newest) else newest
        if newest:
            cache.set(key, newest, None)
    return counts


def poll_all() -> dict[str, int]:
    """Every enabled, authorised Weibo account; one account's failure does not stop the rest."""
    from govhub.channels.models import ChannelAccount

    total = {"letter": 0, "inbox": 0, "failed": 0}
    for account in ChannelAccount.objects.filter(platform="weibo", enabled=True):
        if not account.access_token:
            continue
        try:
            for k, v in poll_account(account).items():
                total[k] += v
        except ChannelError as exc:
            total["failed"] += 1
            log.warning("weibo poll of account %s failed: %s", account.pk, exc.code)
    return total

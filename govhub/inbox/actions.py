"""Staff actions on inbox messages: assign, reply through the origin channel, to letter, spam."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from govhub.core import audit
from govhub.core.errors import DomainError
from govhub.core.permissions import can, require, scope_queryset
from govhub.inbox.models import Channel, InboxMessage, InboxReply, Status

MAX_REPLY = 2000


class InboxError(DomainError):
    """A refused inbox action; the message is Chinese and shown to staff as is."""


def visible_messages(user):
    """Messages the user may handle: their departments' accounts, plus messages of no department."""
    from django.db.models import Q

    qs = InboxMessage.objects.select_related("account", "assigned_to")
    if getattr(user, "is_superuser", False):
        return qs
    if not can(user, "handle_inbox"):
        return qs.none()
    scoped = scope_queryset(user, "handle_inbox", qs, "department")
    return qs.filter(Q(pk__in=scoped.values("pk")) | Q(department__isnull=True))


def get_message_for(user, pk: int) -> InboxMessage:
    from django.http import Http404

    msg = visible_messages(user).filter(pk=pk).first()
    if msg is None:
        raise Http404("留言不存在或无权查看")
    return msg


def _locked(msg: InboxMessage) -> InboxMessage:
    return InboxMessage.objects.select_for_update().get(pk=msg.pk)


def assign_message(actor, msg: InboxMessage, assignee) -> InboxMessage:
    require(actor, "handle_inbox", msg)
    if assignee is not None and not can(assignee, "handle_inbox", msg):
        raise InboxError("bad_assignee", "该人员没有处理留言的岗位，不能分派")
    with transaction.atomic():
        m = _locked(msg)
        if m.status in (Status.SPAM, Status.LETTER):
            raise InboxError("closed", "该留言已处理完毕，不能再分派")
        m.assigned_to = assignee
        if m.status == Status.NEW:
            m.status = Status.ASSIGNED
        m.save(update_fields=["assigned_to", "status"])
        audit.record(
            actor=actor,
            action="inbox_assigned",
            obj=m,
            summary={"assignee": getattr(assignee, "pk", None)},
        )
    return m


def wechat_window_open(msg: InboxMessage, now: dt.datetime | None = None) -> bool:
    """Whether a customer-service message may still reach the sender (WeChat's 48 hours since
    their last message, the one rule in ``govhub.channels.wechat_messages``)."""
    from govhub.channels.wechat_messages import window_open

    if msg.account is None:
        return True
    return window_open(msg.account, msg.sender_ref, seen_at=msg.received_at, now=now) is not False


def reply_to_message(actor, msg: InboxMessage, text: str) -> InboxReply:
    """Record a reply and queue it in the outbox back through the channel the message came
    from; it is sent after commit (a website chat reply is picked up by the visitor's page)."""
    require(actor, "handle_inbox", msg)
    text = (text or "").strip()
    if not text:
        raise InboxError("empty", "回复内容不能为空")
    if len(text) > MAX_REPLY:
        raise InboxError("too_long", f"回复内容不能超过 {MAX_REPLY} 字")
    if msg.status == Status.SPAM:
        raise InboxError("spam", "已标记为垃圾信息的留言不能回复")
    if msg.channel == Channel.WECHAT and not wechat_window_open(msg):
        raise InboxError(
            "wechat_window",
            "已超过微信 48 小时客服消息期限，无法再向该用户发送消息；可转为信件后通过其他方式答复",
        )
    if msg.channel != Channel.CHAT and msg.account is None:
        raise InboxError("no_account", "找不到该留言所属账号，无法通过原渠道回复")
    with transaction.atomic():
        m = _locked(msg)
        reply = InboxReply.objects.create(message=m, author=actor, text=text)
        fields = ["status"]
        if m.first_response_at is None:
            m.first_response_at = timezone.now()
            fields.append("first_response_at")
        if m.assigned_to_id is None:
            m.assigned_to = actor
            fields.append("assigned_to")
        m.status = Status.REPLIED
        m.save(update_fields=fields)
        audit.record(actor=actor, action="inbox_replied", obj=m, summary={"channel": m.channel})
        if m.channel != Channel.CHAT:
            queue_reply(m, reply)
    return reply


def rating_url(reply: InboxReply) -> str:
    """The 好差评 link sent with a reply: one rating per reply."""
    from django.conf import settings
    from django.utils.http import urlencode

    from govhub.ratings.actions import rating_token

    token = rating_token("inbox", reply.pk, event=f"reply:{reply.pk}")
    return f"{settings.SITE_URL}/ratings/rate/?{urlencode({'t': token})}"


def queue_reply(msg: InboxMessage, reply: InboxReply):
    """Inside the reply's transaction: one outbox message back to the sender (kind
    inbox_reply): a WeChat customer-service message, a reply to a Weibo comment, a comment on
    the post that @-mentioned the account, or a Weibo private-message reply."""
    from govhub.channels import outbox
    from govhub.channels.models import MessageKind

    status_id = (msg.meta or {}).get("status_id", "")
    weibo = {
        Channel.WEIBO_COMMENT: {
            "mode": "comment_reply",
            "status_id": status_id,
            "comment_id": msg.remote_id,
        },
        Channel.WEIBO_MENTION: {"mode": "comment", "status_id": status_id or msg.remote_id},
        Channel.WEIBO_DM: {"mode": "dm"},
    }.get(msg.channel)
    payload = {"text": reply.text, "short": reply.text[:140]}
    if msg.channel in (Channel.WECHAT, Channel.WEIBO_DM):
        # 好差评 of this reply (一事一评), by a link only the sender receives (not on public
        # Weibo comments)
        payload["text"] = f"{reply.text}\n\n请对本次答复评价：{rating_url(reply)}"
    if weibo:
        payload["weibo"] = weibo
    return outbox.enqueue(
        kind=MessageKind.INBOX_REPLY,
        key=f"inbox-reply:{reply.pk}",
        account=msg.account,
        recipient=msg.sender_ref,
        payload=payload,
        source=reply,
        department=msg.department,
    )


def mark_spam(actor, msg: InboxMessage) -> InboxMessage:
    require(actor, "handle_inbox", msg)
    with transaction.atomic():
        m = _locked(msg)
        if m.status == Status.LETTER:
            raise InboxError("closed", "已转为信件的留言不能标记为垃圾信息")
        m.status = Status.SPAM
        m.save(update_fields=["status"])
        audit.record(actor=actor, action="inbox_spam", obj=m, summary={})
    return m


def convert_to_letter(actor, msg: InboxMessage, subject: str = "") -> int:
    """Turn a message into a letter of the leader's mailbox; returns the letter id."""
    require(actor, "handle_inbox", msg)
    from govhub.letters.intake import submit_letter

    if msg.status == Status.SPAM:
        raise InboxError("spam", "垃圾信息不能转为信件")
    if msg.letter_id:
        return msg.letter_id
    channel = (
        "wechat"
        if msg.channel == Channel.WECHAT
        else ("weibo" if msg.channel.startswith("weibo") else "portal")
    )
    subject = (subject or msg.text.splitlines()[0])[:40] or "网上留言"
    content = msg.text if len(msg.text) >= 10 else f"{msg.text}（由统一留言箱转入）"
    letter = submit_letter(
        channel=channel,
        subject=subject,
        content=content,
        openid=msg.sender_ref if msg.channel == Channel.WECHAT else "",
        weibo_uid=msg.sender_ref if msg.channel.startswith("weibo") else "",
        idempotency_key=f"inbox-{msg.pk}",
        channel_account=msg.account,
        channel_ref=_letter_channel_ref(msg),
    )
    with transaction.atomic():
        m = _locked(msg)
        m.letter_id = letter.pk
        m.status = Status.LETTER
        if m.first_response_at is None:
            m.first_response_at = timezone.now()
        m.save(update_fields=["letter_id", "status", "first_response_at"])
        audit.record(actor=actor, action="inbox_to_letter", obj=m, summary={"letter": letter.pk})
    return letter.pk


def _letter_channel_ref(msg: InboxMessage) -> dict:
    """Where the letter's notices go back to: the private conversation or the citizen's post;
    for WeChat, the sender (whose "查询" lists the letter)."""
    if msg.channel == Channel.WEIBO_DM:
        return {"kind": "dm", "remote_id": msg.remote_id}
    if msg.channel in (Channel.WEIBO_MENTION, Channel.WEIBO_COMMENT):
        status_id = (msg.meta or {}).get("status_id", "")
        return {"kind": "mention", "status_id": status_id, "remote_id": msg.remote_id}
    if msg.channel == Channel.WECHAT:
        return {"openid": msg.sender_ref}  # the WeChat account's "查询" lists it
    return {}


def response_figures(qs=None) -> dict:
    """Counts by status and the median/mean time to first response (minutes)."""
    qs = InboxMessage.objects.all() if qs is None else qs
    by_status = {s.label: qs.filter(status=s.value).count() for s in Status}
    secs = sorted(
        (m.first_response_at - m.received_at).total_seconds()
        for m in qs.select_related(None)
        .exclude(first_response_at=None)
        .only("first_response_at", "received_at")
    )
    median = secs[len(secs) // 2] / 60 if secs else None
    mean = sum(secs) / len(secs) / 60 if secs else None
    return {
        "by_status": by_status,
        "median_minutes": median,
        "mean_minutes": mean,
        "responded": len(secs),
    }


def staff_choices():
    User = get_user_model()
    return User.objects.filter(
        is_active=True, memberships__role__in=["editor", "dispatcher", "handler"]
    ).distinct()

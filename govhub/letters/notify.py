"""Telling the citizen each step — received (with the tracking code), dispatched to which
department, replied — through the channel the letter came in by, via the one outbox:

- portal lookup always for a reply (the public events and the reply are on the lookup page);
- e-mail when the citizen left an address; SMS through the pluggable gateway (channels.sms);
- WeChat: a customer-service message, or the account's 信件进度 template message once the
  48-hour window is closed (the one rule, ``govhub.channels.wechat_messages``);
- Weibo: a private-message reply for a private message, a comment on the citizen's post for a
  mention.

``queue_event`` and ``queue_reply`` are called by the letter's state change inside its
transaction: one outbox message per channel (kind ``letter_notice`` / ``letter_reply``, keyed by
event or reply and channel, so a step is never told twice), sent after commit with claim,
lease and retries like every outbound message. ``notice_rows`` and ``Reply.delivery_status``
show in Chinese what went out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from govhub.channels import outbox
from govhub.channels.models import ChannelAccount, MessageKind, OutboundMessage, TemplatePurpose
from govhub.channels.wechat_messages import last_contact
from govhub.core.jobs import job
from govhub.letters.models import Letter, LetterEvent, Reply

SIGNATURE = "【示范县领导信箱】"
NOTICE_KINDS = ("received", "dispatched")


@dataclass
class Message:
    kind: str  # received / dispatched / replied
    status: str  # short status for template messages (≤ 5 characters)
    department: str
    at: dt.datetime
    subject: str  # e-mail subject
    text: str  # e-mail, WeChat customer-service message, Weibo private message
    short: str  # SMS and Weibo comments (≤ 140 characters)


def _lookup_url() -> str:
    return f"{settings.SITE_URL}/letters/track/"


def message_for_event(letter: Letter, event: LetterEvent) -> Message:
    code = letter.tracking_code
    dept = event.department.name if event.department else ""
    if event.kind == "received":
        if letter.pin_hash:
            how = f"可凭查询码和手机号后四位在 {_lookup_url()} 查询办理进度。"
        else:  # no phone left (e.g. a Weibo private message): no portal lookup possible
            how = "办理进展将在这里告知您。"
        text = f"您的来信已收到，查询码 {code}，{how}"
        return Message("received", "已受理", dept, event.at, "您的来信已收到", text, text)
    text = f"您的来信（查询码 {code}）{event.public_note or '已分办。'}"
    return Message("dispatched", "已分办", dept, event.at, "您的来信已分办", text, text)


def message_for_reply(letter: Letter, reply: Reply) -> Message:
    head = f"您的来信（查询码 {letter.tracking_code}）已由{reply.department.name}答复"
    return Message(
        "replied",
        "已答复",
        reply.department.name,
        letter.replied_at or timezone.now(),
        f"{SIGNATURE}{letter.subject[:40]} 的答复",
        f"{head}：\n\n{reply.body}\n\n请在 {_lookup_url()} 评价本次答复。",
        f"{head}，请凭查询码在 {_lookup_url()} 查看并评价。",
    )


def channels_for(letter: Letter, kind: str = "replied") -> list[str]:
    """Where a message of ``kind`` goes. The receipt is not sent where the citizen already got
    the code on the spot (the portal page; the WeChat conversation answers with it)."""
    citizen = letter.citizen
    out = ["portal"] if kind == "replied" else []
    if citizen is None:
        return out
    if citizen.email:
        out.append("email")
    if (
        citizen.phone
        and citizen.phone.startswith("1")
        and (kind != "received" or letter.channel in ("phone", "api"))
    ):
        out.append("sms")
    if citizen.wechat_openid and letter.channel == "wechat" and kind != "received":
        out.append("wechat")
    if citizen.weibo_uid and letter.channel == "weibo":
        out.append("weibo")
    return out


def wechat_account(letter: Letter) -> ChannelAccount | None:
    """The official account the letter came in through: recorded at intake, else the one the
    citizen last wrote to, else the first enabled one."""
    acc = letter.channel_account
    if acc is not None and acc.platform == "wechat" and acc.enabled:
        return acc
    accounts = list(ChannelAccount.objects.filter(platform="wechat", enabled=True).order_by("pk"))
    openid = letter.citizen.wechat_openid
    seen = [(t, a.pk, a) for a in accounts if (t := last_contact(a, openid)) is not None]
    if seen:
        return max(seen)[2]
    return accounts[0] if accounts else None


def _weibo_account(letter: Letter) -> ChannelAccount | None:
    acc = letter.channel_account
    return acc if acc is not None and acc.platform == "weibo" and acc.enabled else None


def _outgoing(channel: str, letter: Letter, message: Message) -> dict:
    """enqueue() arguments of one channel: account, recipient, payload."""
    citizen = letter.citizen
    if channel == "portal":
        return {"platform": "portal", "payload": {"text": message.short}}
    if channel == "email":
        return {
            "platform": "email",
            "recipient": citizen.email,
            "payload": {"subject": message.subject, "text": f"{SIGNATURE}{message.text}"},
        }
    if channel == "sms":
        return {
            "platform": "sms",
            "recipient": citizen.phone,
            "payload": {"short": f"{SIGNATURE}{message.short}"},
        }
    if channel == "wechat":
        at = timezone.localtime(message.at)
        return {
            "platform": "wechat",
            "account": wechat_account(letter),
            "recipient": citizen.wechat_openid,
            "payload": {
                "text": message.text,
                "template": {
                    "purpose": TemplatePurpose.LETTER_PROGRESS,
                    "values": {
                        "code": letter.tracking_code,
                        "status": message.status,
                        "department": message.department or "领导信箱",
                        "time": f"{at:%Y年%m月%d日 %H:%M}",
                    },
                    "url": _lookup_url(),
                },
            },
        }
    if channel == "weibo":
        ref = letter.channel_ref or {}
        mention = ref.get("kind") == "mention" and ref.get("status_id")
        weibo = (
            {"mode": "comment", "status_id": ref["status_id"]} if mention else {"mode": "dm"}
        )  # a comment is public: it carries the short text, never the reply body
        return {
            "platform": "weibo",
            "account": _weibo_account(letter),
            "recipient": citizen.weibo_uid,
            "payload": {"text": message.text, "short": message.short, "weibo": weibo},
        }
    raise ValueError(channel)


def _queue(kind: str, source, letter: Letter, message: Message, key_base: str, channels):
    out = []
    for channel in channels:
        out.append(
            outbox.enqueue(
                kind=kind,
                key=f"{key_base}:{channel}",
                source=source,
                department=letter.department or letter.intake_department,
                **_outgoing(channel, letter, message),
            )
        )
    return out


def queue_event(event: LetterEvent) -> list[OutboundMessage]:
    """Inside the step's transaction: tell the citizen about one public status event
    (received, dispatched) through each of the letter's channels; idempotent."""
    if event.kind not in NOTICE_KINDS:
        return []
    letter = event.letter
    message = message_for_event(letter, event)
    return _queue(
        MessageKind.LETTER_NOTICE,
        event,
        letter,
        message,
        f"letter-event:{event.pk}",
        channels_for(letter, event.kind),
    )


def queue_reply(reply: Reply) -> list[OutboundMessage]:
    """Inside the approval's transaction: send the reply through every channel of its
    letter; idempotent."""
    letter = reply.letter
    return _queue(
        MessageKind.LETTER_REPLY,
        reply,
        letter,
        message_for_reply(letter, reply),
        f"letter-reply:{reply.pk}",
        channels_for(letter, "replied"),
    )


def notice_rows(letter: Letter) -> list[dict]:
    """告知来信人: what the citizen was told, through which channel, and how it went — one row
    per outbox message, with the outbox's Chinese state (for the letter page)."""
    events = {e.pk: e for e in letter.events.filter(kind__in=NOTICE_KINDS)}
    replies = {r.pk: r for r in letter.replies.all()}
    rows = []
    qs = OutboundMessage.objects.filter(
        letter_event__letter=letter
    ) | OutboundMessage.objects.filter(letter_reply__letter=letter)
    for m in qs.distinct().order_by("created_at", "pk"):
        what = (
            events[m.source_id].label
            if m.kind == MessageKind.LETTER_NOTICE and m.source_id in events
            else ("答复" if m.source_id in replies else m.get_kind_display())
        )
        rows.append(
            {
                "what": what,
                "channel": m.channel_label,
                "status": m.status_label,
                "detail": m.detail if m.state == "sent" else m.last_error,
                "sent_at": m.sent_at,
            }
        )
    return rows


# --- jobs queued before the outbox took over ---------------------------------------------------
# Tasks already stored in a queue when this version is deployed still name these; their
# messages were moved into the outbox by migration letters 0003, so they only wake it.


@job(retries=0)
def deliver_reply_job(reply_id: int) -> None:
    outbox.wake_after_commit()


@job(retries=0)
def notify_event_job(event_id: int) -> None:
    outbox.wake_after_commit()

"""Telling the citizen each step — received (with the tracking code), dispatched to which
department, replied — through the channel the letter came in by, on one path:

- portal lookup always (the public events and the reply are on the lookup page);
- e-mail when the citizen left an address; SMS through the pluggable gateway (``sms.py``);
- WeChat: a customer-service message while the 48-hour window is open, otherwise (or when
  WeChat answers 45015/45047) the template message configured for the account in the back
  office (``WeChatTemplate``: tracking code, status, department, time);
- Weibo: a private-message reply (fan-service API) for a private message, a comment on the
  citizen's post for a mention.

One row per message and channel (``Delivery`` for a reply, ``StatusNotice`` for a status
event), created before sending, so a retried job never sends twice; a failed channel is
retried by the job while the others stay sent.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from govhub.core.jobs import job
from govhub.letters import sms
from govhub.letters.models import Delivery, Letter, LetterEvent, Reply, StatusNotice

log = logging.getLogger(__name__)

SIGNATURE = "【示范县领导信箱】"
WECHAT_WINDOW = dt.timedelta(hours=48)
WECHAT_WINDOW_CLOSED = {45015, 45047}  # out of the 48-hour window / too many messages in it
NOTICE_KINDS = ("received", "dispatched")


class NotSent(Exception):
    """A channel that cannot carry this message (no account, no template): not retried."""


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


def _deliver(row, channel: str, letter: Letter, message: Message) -> None:
    try:
        detail = send(channel, letter, message)
        row.status, row.detail, row.sent_at = "sent", detail[:300], timezone.now()
    except NotSent as exc:
        row.status, row.detail = "skipped", str(exc)[:300]
    except Exception as exc:
        row.status, row.detail = "failed", type(exc).__name__
        code = getattr(exc, "errcode", None) or getattr(exc, "code", "")
        # the exception text may carry an address or openid: log its kind and code only
        log.warning(
            "letter %s %s via %s failed: %s %s",
            letter.pk,
            message.kind,
            channel,
            type(exc).__name__,
            code,
        )
    row.attempts += 1
    row.save()


def _row(model, channel: str, **key):
    try:
        with transaction.atomic():
            row, _ = model.objects.get_or_create(channel=channel, **key)
    except IntegrityError:
        row = model.objects.get(channel=channel, **key)
    return row


def deliver_reply(reply_id: int) -> list[Delivery]:
    """Send an approved reply through every channel of its letter; idempotent."""
    reply = Reply.objects.select_related("letter__citizen", "department").get(pk=reply_id)
    letter = reply.letter
    message = message_for_reply(letter, reply)
    done = []
    for channel in channels_for(letter, "replied"):
        delivery = _row(Delivery, channel, reply=reply)
        if delivery.status not in ("sent", "skipped"):
            _deliver(delivery, channel, letter, message)
        done.append(delivery)
    return done


def notify_event(event_id: int) -> list[StatusNotice]:
    """Tell the citizen about one public status event (received, dispatched); idempotent."""
    event = LetterEvent.objects.select_related("letter__citizen", "department").get(pk=event_id)
    if event.kind not in NOTICE_KINDS:
        return []
    letter = event.letter
    message = message_for_event(letter, event)
    done = []
    for channel in channels_for(letter, event.kind):
        notice = _row(StatusNotice, channel, event=event)
        if notice.status not in ("sent", "skipped"):
            _deliver(notice, channel, letter, message)
        done.append(notice)
    return done


# --- the channels ------------------------------------------------------------------------


def send(channel: str, letter: Letter, message: Message) -> str:
    """Send ``message`` through one channel; returns a short detail, raises on failure."""
    citizen = letter.citizen
    if channel == "portal":
        return "可在网站查询"
    if channel == "email":
        send_mail(message.subject, f"{SIGNATURE}{message.text}", None, [citizen.email])
        return "已发送邮件"
    if channel == "sms":
        return sms.gateway().send(citizen.phone, f"{SIGNATURE}{message.short}")
    if channel == "wechat":
        return send_wechat(letter, message)
    if channel == "weibo":
        return send_weibo(letter, message)
    raise ValueError(channel)


def wechat_account(letter: Letter):
    """The official account the letter came in through: recorded at intake, else the one the
    citizen follows, else the first enabled one."""
    from govhub.channels.models import ChannelAccount

    acc = letter.channel_account
    if acc is not None and acc.platform == "wechat" and acc.enabled:
        return acc
    try:
        from govhub.wechat.models import Subscriber

        sub = (
            Subscriber.objects.filter(
                openid=letter.citizen.wechat_openid,
                account__enabled=True,
                account__platform="wechat",
            )
            .select_related("account")
            .first()
        )
        if sub is not None:
            return sub.account
    except LookupError:  # the wechat app is not installed
        pass
    return ChannelAccount.objects.filter(platform="wechat", enabled=True).first()


def _window_closed(account, openid: str) -> bool:
    """True when WeChat's records say the citizen last wrote more than 48 hours ago; unknown
    counts as open (WeChat's 45015 answer then sends us to the template)."""
    try:
        from govhub.wechat.models import Subscriber
    except LookupError:  # pragma: no cover
        return False
    sub = Subscriber.objects.filter(account=account, openid=openid).first()
    last = sub.last_message_at if sub else None
    return last is not None and timezone.now() - last > WECHAT_WINDOW


def send_wechat(letter: Letter, message: Message) -> str:
    from govhub.channels.wechat_client import WeChatClientException, make_client

    account = wechat_account(letter)
    if account is None:
        raise NotSent("无公众号账号，未发送")
    openid = letter.citizen.wechat_openid
    client = make_client(account)
    if not _window_closed(account, openid):
        try:
            client.message.send_text(openid, message.text[:600])
            return "已发送客服消息"
        except WeChatClientException as exc:
            if int(exc.errcode or 0) not in WECHAT_WINDOW_CLOSED:
                raise
    return send_wechat_template(client, account, letter, message)


def send_wechat_template(client, account, letter: Letter, message: Message) -> str:
    from govhub.letters.models import WeChatTemplate

    tpl = WeChatTemplate.objects.filter(account=account, enabled=True).first()
    if tpl is None:
        raise NotSent("已超过 48 小时客服消息期限，且公众号未配置信件进度模板消息")
    at = timezone.localtime(message.at)
    data = {
        tpl.code_key: {"value": letter.tracking_code},
        tpl.status_key: {"value": message.status[:5]},
        tpl.department_key: {"value": (message.department or "领导信箱")[:20]},
        tpl.time_key: {"value": f"{at:%Y年%m月%d日 %H:%M}"},
    }
    openid = letter.citizen.wechat_openid
    client.message.send_template(openid, tpl.template_id, data, url=_lookup_url())
    return "已发送模板消息"


def send_weibo(letter: Letter, message: Message) -> str:
    """A private-message reply for a private message; a comment on the citizen's post for a
    mention (a comment is public: it carries the short text, never the reply body)."""
    from govhub.channels.weibo import WeiboAdapter

    account = letter.channel_account
    if account is None or account.platform != "weibo" or not account.enabled:
        raise NotSent("找不到来信所属的微博账号，未发送")
    ref = letter.channel_ref or {}
    adapter = WeiboAdapter()
    if ref.get("kind") == "mention" and ref.get("status_id"):
        cid = adapter.comment(account, ref["status_id"], message.short)
        return f"已评论回复 {cid}"
    mid = adapter.send_private_message(account, letter.citizen.weibo_uid, message.text)
    return f"已发送私信 {mid}"


# --- jobs ----------------------------------------------------------------------------------


@job(retries=5)
def deliver_reply_job(reply_id: int) -> None:
    failed = [d for d in deliver_reply(reply_id) if d.status == "failed"]
    if failed:
        raise RuntimeError(f"{len(failed)} deliveries failed")


@job(retries=5)
def notify_event_job(event_id: int) -> None:
    failed = [n for n in notify_event(event_id) if n.status == "failed"]
    if failed:
        raise RuntimeError(f"{len(failed)} notices failed")


def _later(task, fallback, object_id: int) -> None:
    try:
        task.enqueue(object_id)
    except Exception:  # no queue (e.g. misconfigured): send now rather than never
        log.exception("could not enqueue %s; sending inline", task)
        try:
            fallback(object_id)
        except Exception:  # the letter is committed; a lost notice must not undo it
            log.exception("inline send failed")


def deliver_reply_later(reply_id: int) -> None:
    _later(deliver_reply_job, deliver_reply, reply_id)


def notify_event_later(event_id: int) -> None:
    _later(notify_event_job, notify_event, event_id)


def send_receipt(letter_id: int) -> None:
    """The receipt with the tracking code (the letter's 'received' event)."""
    event = LetterEvent.objects.filter(letter_id=letter_id, kind="received").order_by("id").first()
    if event is not None:
        notify_event(event.pk)

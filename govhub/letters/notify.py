"""Telling the citizen: the receipt with the tracking code and the approved reply, each through
the channel the letter came in by (portal lookup always; e-mail, SMS, WeChat customer-service
message when the letter carries that contact). One Delivery row per reply and channel, so a
retried job never sends twice."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from govhub.core.jobs import job
from govhub.letters import sms
from govhub.letters.models import Delivery, Letter, Reply

log = logging.getLogger(__name__)


def _lookup_url() -> str:
    return f"{settings.SITE_URL}/letters/track/"


def send_receipt(letter_id: int) -> None:
    """Receipt for channels where the citizen is not looking at a page (phone desk, API,
    e-mail). Failures are logged: the letter is saved either way."""
    letter = Letter.objects.select_related("citizen").get(pk=letter_id)
    citizen = letter.citizen
    if citizen is None:
        return
    text = (
        f"【示范县领导信箱】您的来信已收到，查询码 {letter.tracking_code}，"
        f"可凭查询码和手机号后四位在 {_lookup_url()} 查询办理进度。"
    )
    try:
        if citizen.email:
            send_mail("您的来信已收到", text, None, [citizen.email], fail_silently=False)
        if citizen.phone and letter.channel in ("phone", "api") and citizen.phone.startswith("1"):
            sms.gateway().send(citizen.phone, text)
    except Exception as exc:  # the letter is committed; a lost receipt must not undo it
        log.warning("receipt for letter %s not sent: %s", letter_id, type(exc).__name__)


def channels_for(letter: Letter) -> list[str]:
    citizen = letter.citizen
    out = ["portal"]
    if citizen is None:
        return out
    if citizen.email:
        out.append("email")
    if citizen.phone and citizen.phone.startswith("1"):
        out.append("sms")
    if citizen.wechat_openid and letter.channel == "wechat":
        out.append("wechat")
    return out


def deliver_reply(reply_id: int) -> list[Delivery]:
    """Send an approved reply through every channel of its letter; idempotent."""
    reply = Reply.objects.select_related("letter__citizen", "department").get(pk=reply_id)
    letter = reply.letter
    done = []
    for channel in channels_for(letter):
        try:
            with transaction.atomic():
                delivery, _ = Delivery.objects.get_or_create(reply=reply, channel=channel)
        except IntegrityError:
            delivery = Delivery.objects.get(reply=reply, channel=channel)
        if delivery.status == "sent":
            done.append(delivery)
            continue
        try:
            detail = _send(channel, letter, reply)
            delivery.status, delivery.detail, delivery.sent_at = (
                "sent",
                detail[:300],
                timezone.now(),
            )
        except Exception as exc:
            delivery.status, delivery.detail = "failed", type(exc).__name__
            log.warning("reply %s via %s failed: %s", reply_id, channel, type(exc).__name__)
        delivery.attempts += 1
        delivery.save()
        done.append(delivery)
    return done


def _send(channel: str, letter: Letter, reply: Reply) -> str:
    citizen = letter.citizen
    head = f"您的来信（查询码 {letter.tracking_code}）已由{reply.department.name}答复"
    if channel == "portal":
        return "可在网站查询"
    if channel == "email":
        send_mail(
            f"【示范县领导信箱】{letter.subject[:40]} 的答复",
            f"{head}：\n\n{reply.body}\n\n请在 {_lookup_url()} 评价本次答复。",
            None,
            [citizen.email],
        )
        return "已发送邮件"
    if channel == "sms":
        return sms.gateway().send(
            citizen.phone, f"【示范县领导信箱】{head}，请凭查询码在 {_lookup_url()} 查看并评价。"
        )
    if channel == "wechat":
        from govhub.channels.models import ChannelAccount
        from govhub.channels.wechat_client import make_client

        account = ChannelAccount.objects.filter(platform="wechat", enabled=True).first()
        if account is None:
            return "无公众号账号，未发送"
        make_client(account).message.send_text(
            citizen.wechat_openid, f"{head}：\n{reply.body[:600]}"
        )
        return "已发送客服消息"
    raise ValueError(channel)


@job(retries=5)
def deliver_reply_job(reply_id: int) -> None:
    failed = [d for d in deliver_reply(reply_id) if d.status == "failed"]
    if failed:
        raise RuntimeError(f"{len(failed)} deliveries failed")


def deliver_reply_later(reply_id: int) -> None:
    try:
        deliver_reply_job.enqueue(reply_id)
    except Exception:  # no queue (e.g. misconfigured): deliver now rather than never
        log.exception("could not enqueue delivery; delivering inline")
        deliver_reply(reply_id)

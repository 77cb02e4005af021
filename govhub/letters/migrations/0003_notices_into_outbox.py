# A letter's notices and reply deliveries move into channels' one outbox (issue 15): every
# StatusNotice and Delivery row becomes an OutboundMessage (kind letter_notice / letter_reply,
# keyed by event or reply and channel, the same key the code now uses, so nothing is told twice),
# with its outcome in the outbox's states (sent → 已发送, skipped → 渠道未配置, pending/failed →
# queued again with the message it was to carry). The WeChat progress templates become
# channels' WeChatTemplate rows of purpose 信件进度. Then the old tables go.

import json

from django.conf import settings
from django.db import migrations
from django.utils import timezone

SIGNATURE = "【示范县领导信箱】"


def _texts(letter, event=None, reply=None):
    """The message as notify composed it at the time of this migration (a frozen copy)."""
    url = f"{settings.SITE_URL}/letters/track/"
    code = letter.tracking_code
    if reply is not None:
        head = f"您的来信（查询码 {code}）已由{reply.department.name}答复"
        return (
            "已答复",
            reply.department.name,
            letter.replied_at or timezone.now(),
            f"{SIGNATURE}{letter.subject[:40]} 的答复",
            f"{head}：\n\n{reply.body}\n\n请在 {url} 评价本次答复。",
            f"{head}，请凭查询码在 {url} 查看并评价。",
        )
    dept = event.department.name if event.department_id else ""
    if event.kind == "received":
        how = (
            f"可凭查询码和手机号后四位在 {url} 查询办理进度。"
            if letter.pin_hash
            else "办理进展将在这里告知您。"
        )
        text = f"您的来信已收到，查询码 {code}，{how}"
        return "已受理", dept, event.at, "您的来信已收到", text, text
    text = f"您的来信（查询码 {code}）{event.public_note or '已分办。'}"
    return "已分办", dept, event.at, "您的来信已分办", text, text


def _outgoing(apps, channel, letter, texts):
    Account = apps.get_model("channels", "ChannelAccount")
    status, dept, at, subject, text, short = texts
    citizen = letter.citizen
    account, recipient, payload = None, "", {}
    if channel == "portal":
        payload = {"text": short}
    elif channel == "email":
        recipient, payload = citizen.email, {"subject": subject, "text": f"{SIGNATURE}{text}"}
    elif channel == "sms":
        recipient, payload = citizen.phone, {"short": f"{SIGNATURE}{short}"}
    elif channel == "wechat":
        acc = letter.channel_account
        if acc is None or acc.platform != "wechat":
            acc = Account.objects.filter(platform="wechat", enabled=True).order_by("pk").first()
        local = timezone.localtime(at)
        account, recipient = acc, citizen.wechat_openid
        payload = {
            "text": text,
            "template": {
                "purpose": "letter_progress",
                "values": {
                    "code": letter.tracking_code,
                    "status": status,
                    "department": dept or "领导信箱",
                    "time": f"{local:%Y年%m月%d日 %H:%M}",
                },
                "url": f"{settings.SITE_URL}/letters/track/",
            },
        }
    elif channel == "weibo":
        acc = letter.channel_account
        account = acc if acc is not None and acc.platform == "weibo" else None
        ref = letter.channel_ref or {}
        mention = ref.get("kind") == "mention" and ref.get("status_id")
        weibo = {"mode": "comment", "status_id": ref["status_id"]} if mention else {"mode": "dm"}
        recipient = citizen.weibo_uid
        payload = {"text": text, "short": short, "weibo": weibo}
    return account, recipient or "", payload


STATES = {"sent": "sent", "skipped": "unconfigured", "failed": "retrying", "pending": "queued"}


def copy_into_outbox(apps, schema_editor):
    Notice = apps.get_model("letters", "StatusNotice")
    Delivery = apps.get_model("letters", "Delivery")
    OldTemplate = apps.get_model("letters", "WeChatTemplate")
    Message = apps.get_model("channels", "OutboundMessage")
    Template = apps.get_model("channels", "WeChatTemplate")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for t in OldTemplate.objects.all():
        Template.objects.create(
            account_id=t.account_id,
            purpose="letter_progress",
            template_id=t.template_id,
            code_key=t.code_key,
            status_key=t.status_key,
            department_key=t.department_key,
            time_key=t.time_key,
            enabled=t.enabled,
        )
    if not Notice.objects.exists() and not Delivery.objects.exists():
        return
    now = timezone.now()
    rows = [
        ("letter_notice", "letterevent", f"letter-event:{n.event_id}:{n.channel}", n, n.event_id,
         n.event.letter, {"event": n.event})
        for n in Notice.objects.select_related(
            "event__letter__citizen", "event__letter__channel_account", "event__department"
        )
    ] + [
        ("letter_reply", "reply", f"letter-reply:{d.reply_id}:{d.channel}", d, d.reply_id,
         d.reply.letter, {"reply": d.reply})
        for d in Delivery.objects.select_related(
            "reply__letter__citizen", "reply__letter__channel_account", "reply__department"
        )
    ]
    for kind, model, key, row, source_id, letter, about in rows:
        ct, _ = ContentType.objects.get_or_create(app_label="letters", model=model)
        account, recipient, payload = _outgoing(apps, row.channel, letter, _texts(letter, **about))
        state = STATES.get(row.status, "queued")
        if row.channel in ("wechat", "weibo") and account is None and state != "sent":
            state = "unconfigured"
        m = Message.objects.create(
            key=key,
            kind=kind,
            platform=row.channel,
            account=account,
            department_id=letter.department_id or letter.intake_department_id,
            recipient=recipient,
            payload_data=json.dumps(payload, ensure_ascii=False),
            source_type=ct,
            source_id=source_id,
            state=state,
            attempts=row.attempts,
            next_attempt_at=now,
            detail=row.detail if state == "sent" else "",
            last_error=row.detail if state != "sent" else "",
            sent_at=row.sent_at,
        )
        if row.sent_at:
            Message.objects.filter(pk=m.pk).update(created_at=row.sent_at)


class Migration(migrations.Migration):

    dependencies = [
        ("channels", "0002_outbox"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("letters", "0002_private_attachments_channel_replies"),
    ]

    operations = [
        migrations.RunPython(copy_into_outbox, migrations.RunPython.noop, elidable=False),
        migrations.DeleteModel(name="Delivery"),
        migrations.DeleteModel(name="StatusNotice"),
        migrations.DeleteModel(name="WeChatTemplate"),
    ]

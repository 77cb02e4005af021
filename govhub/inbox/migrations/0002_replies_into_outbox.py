# Inbox replies move into channels' one outbox (issue 15): ``InboxReply.delivered`` (a boolean)
# becomes one OutboundMessage per reply (kind inbox_reply, key inbox-reply:<id>): a delivered
# reply is recorded as 已发送, an undelivered one is queued again with its text, so a reply that
# was waiting when this version is deployed still goes out. A website chat reply has nothing to
# send (the visitor's page picks it up) and gets no message.

import json

from django.db import migrations
from django.utils import timezone


def copy_into_outbox(apps, schema_editor):
    Reply = apps.get_model("inbox", "InboxReply")
    Message = apps.get_model("channels", "OutboundMessage")
    ContentType = apps.get_model("contenttypes", "ContentType")
    replies = Reply.objects.exclude(message__channel="chat").select_related("message__account")
    if not replies.exists():
        return
    ct, _ = ContentType.objects.get_or_create(app_label="inbox", model="inboxreply")
    now = timezone.now()
    for r in replies.iterator():
        msg = r.message
        status_id = (msg.meta or {}).get("status_id", "")
        weibo = {
            "weibo_comment": {
                "mode": "comment_reply",
                "status_id": status_id,
                "comment_id": msg.remote_id,
            },
            "weibo_mention": {"mode": "comment", "status_id": status_id or msg.remote_id},
            "weibo_dm": {"mode": "dm"},
        }.get(msg.channel)
        payload = {"text": r.text, "short": r.text[:140]}
        if weibo:
            payload["weibo"] = weibo
        platform = "wechat" if msg.channel == "wechat" else "weibo"
        if r.delivered:
            state = "sent"
        elif msg.account_id is None:
            state = "unconfigured"
        else:
            state = "queued"
        Message.objects.create(
            key=f"inbox-reply:{r.pk}",
            kind="inbox_reply",
            platform=platform,
            account_id=msg.account_id,
            department_id=msg.department_id,
            recipient=msg.sender_ref,
            payload_data=json.dumps(payload, ensure_ascii=False),
            source_type=ct,
            source_id=r.pk,
            state=state,
            next_attempt_at=now,
            sent_at=r.sent_at if r.delivered else None,
            detail="已发送" if r.delivered else "",
        )


class Migration(migrations.Migration):

    dependencies = [
        ("channels", "0002_outbox"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("inbox", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(copy_into_outbox, migrations.RunPython.noop, elidable=False),
        migrations.RemoveField(model_name="inboxreply", name="delivered"),
    ]

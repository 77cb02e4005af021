"""A few inbox messages from WeChat, Weibo and the portal chat, some answered."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from govhub.channels.models import ChannelAccount
from govhub.inbox.actions import queue_reply
from govhub.inbox.intake import receive_message
from govhub.inbox.models import InboxMessage, InboxReply, Status

MESSAGES = [
    ("wechat", "oDemo000003", "我们小区门口的路灯坏了一个多月了，晚上很黑，能不能派人修一下？", 2),
    ("wechat", "oDemo000007", "请问县图书馆春节期间开不开放？", 5),
    ("wechat", "oDemo000012", "城关镇到县医院的公交车能不能增加晚班？", 20),
    ("chat", "chat-demo-visitor1", "农村合作医疗今年交多少钱，在哪里交？", 30),
    ("weibo_comment", "5830001234", "县城东边那条河最近有异味，希望环保部门来看看", 50),
    ("wechat", "oDemo000015", "孩子明年上小学，我们是租房住的，能在城关一小报名吗？", 70),
]


def build(county) -> None:
    if InboxMessage.objects.filter(remote_id__startswith="demo-").exists():
        return
    accounts = {
        "wechat": ChannelAccount.objects.filter(slug="shifan-wechat").first(),
        "weibo_comment": ChannelAccount.objects.filter(slug="shifan-weibo").first(),
    }
    now = timezone.now().replace(microsecond=0)
    handler = county.user("editor")
    for n, (channel, sender, text, hours) in enumerate(MESSAGES):
        msg, _ = receive_message(
            channel=channel,
            account=accounts.get(channel),
            sender_ref=sender,
            text=text,
            remote_id=f"demo-{n}",
            received_at=now - dt.timedelta(hours=hours),
        )
        if n in (1, 3):  # answered ones: a first response after 40 minutes
            reply = InboxReply.objects.create(
                message=msg,
                author=handler,
                text="您好，已收到，相关部门答复：正常开放，具体时间请见网站通知。",
            )
            if msg.account is not None:  # through the outbox (the demo account: 渠道未配置)
                queue_reply(msg, reply)
            InboxMessage.objects.filter(pk=msg.pk).update(
                status=Status.REPLIED,
                assigned_to=handler,
                first_response_at=msg.received_at + dt.timedelta(minutes=40),
            )

"""示范县发布: reply settings, menu and subscribers of the county's one WeChat account (the
record itself, with its callback settings, is built by ``channels.demo``)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from govhub.channels import demo as channels_demo
from govhub.channels.models import ChannelAccount
from govhub.wechat.models import AccountSettings, MenuButton, Subscriber

SLUG = channels_demo.WECHAT_SLUG
MENU = [
    (
        "政务服务",
        [
            ("办事指南", "view", "", "/services/"),
            ("在线咨询", "view", "", "/qa/"),
            ("公积金查询", "view", "", "/services/queries/gjj-balance/"),
            ("政务服务中心", "click", "HALL", ""),
        ],
    ),
    (
        "县长信箱",
        [
            ("我要写信", "click", "LETTER", ""),
            ("我的信件", "click", "MY_LETTERS", ""),
        ],
    ),
    ("便民热线", []),
]


def build(county) -> None:
    channels_demo.build(county, only={SLUG})  # the one account record; wechat adds its settings
    account = ChannelAccount.objects.get(slug=SLUG)
    AccountSettings.objects.get_or_create(
        account=account,
        defaults={
            "welcome_text": "欢迎关注示范县发布！直接输入问题即可咨询办事（如“怎么办理居住证”），回复“留言”给县长信箱写信，回复“人工”转人工服务。",
        },
    )
    if not MenuButton.objects.filter(account=account).exists():
        for i, (name, subs) in enumerate(MENU):
            top = MenuButton.objects.create(
                account=account,
                position=i,
                name=name,
                kind="parent" if subs else "click",
                key="" if subs else "HOTLINE",
                reply_text="" if subs else "示范县政务服务热线 12345，24 小时受理。",
            )
            for j, (sname, kind, key, url) in enumerate(subs):
                reply = {
                    "HALL": "示范县政务服务中心：城关镇人民路 1 号，工作日 9:00-17:00。",
                    "LETTER": "请回复“留言”，按提示填写内容即可给县长信箱写信。",
                }.get(key, "")
                MenuButton.objects.create(
                    account=account,
                    parent=top,
                    position=j,
                    name=sname,
                    kind=kind,
                    key=key,
                    url=f"{settings.SITE_URL}{url}" if url else "",  # the site's own address
                    reply_text=reply,
                )
    if not Subscriber.objects.filter(account=account).exists():
        base = timezone.now().replace(microsecond=0) - dt.timedelta(days=60)
        Subscriber.objects.bulk_create(
            [
                Subscriber(
                    account=account,
                    openid=f"oDemo{n:06d}",
                    subscribed=n % 9 != 0,
                    subscribed_at=base + dt.timedelta(hours=7 * n),
                    last_message_at=base + dt.timedelta(hours=7 * n + 3),
                    tags=["城关镇"] if n % 3 == 0 else [],
                )
                for n in range(40)
            ]
        )

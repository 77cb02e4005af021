"""WeChat official-account state: subscribers, delivered messages (for retries), menus, settings."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govhub.channels.models import ChannelAccount


class Subscriber(models.Model):
    """关注用户：只存 openid、关注时间、标签与最近互动时间（用于 48 小时客服消息窗口）。"""

    account = models.ForeignKey(
        ChannelAccount,
        verbose_name=_("公众号"),
        on_delete=models.CASCADE,
        related_name="subscribers",
        db_index=False,  # the unique (account, openid) index serves lookups by account
    )
    openid = models.CharField("OpenID", max_length=64)
    subscribed = models.BooleanField(_("关注中"), default=True)
    subscribed_at = models.DateTimeField(_("关注时间"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("取消关注时间"), null=True, blank=True)
    last_message_at = models.DateTimeField(_("最近互动"), null=True, blank=True)
    tags = models.JSONField(_("标签"), default=list, blank=True)
    scene = models.CharField(_("关注渠道"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("关注用户")
        verbose_name_plural = _("关注用户")
        constraints = [
            models.UniqueConstraint(fields=["account", "openid"], name="wechat_subscriber_unique")
        ]
        ordering = ["-subscribed_at"]

    def __str__(self) -> str:
        return self.openid

    def permission_departments(self):
        return [self.account.department]


class DeliveredMessage(models.Model):
    """每条推送一行：微信重试同一消息时按 (公众号, 去重键) 认出，原样返回第一次的回复。"""

    # the unique (account, …) index serves lookups by account: no second index to write
    account = models.ForeignKey(
        ChannelAccount, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    dedupe_key = models.CharField(max_length=120)
    openid = models.CharField(max_length=64)
    msg_type = models.CharField(max_length=32)
    reply_xml = models.TextField(blank=True)
    done = models.BooleanField(default=False)
    received_at = models.DateTimeField(default=timezone.now)  # kept as given by a batch insert

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "dedupe_key"], name="wechat_delivered_unique"
            )
        ]
        indexes = [models.Index(fields=["received_at"])]


CONVERSATION_TTL = dt.timedelta(minutes=30)  # a guided conversation idle this long has lapsed
KEEP_DELIVERED = dt.timedelta(days=7)  # WeChat retries within 15 seconds; a week for enquiries


def conversations_lapsed_before() -> dt.datetime:
    """Guided conversations last touched before this moment have lapsed: a "1" typed the next
    day is not an answer to yesterday's offer."""
    return timezone.now() - CONVERSATION_TTL


class Conversation(models.Model):
    """引导式对话的进度（例如“留言给信箱”：先收内容，再收电话）；闲置 30 分钟即失效。"""

    # the unique (account, …) index serves lookups by account: no second index to write
    account = models.ForeignKey(
        ChannelAccount, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    openid = models.CharField(max_length=64)
    flow = models.CharField(max_length=32)
    step = models.CharField(max_length=32)
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "openid"], name="wechat_conversation_unique")
        ]


class AccountSettings(models.Model):
    """公众号的自动回复设置。"""

    account = models.OneToOneField(
        ChannelAccount, on_delete=models.CASCADE, related_name="wechat_settings"
    )
    welcome_text = models.TextField(_("关注欢迎语"), blank=True)
    fallback_text = models.TextField(_("未找到答案时的回复"), blank=True)
    default_reply = models.TextField(_("暂不支持的消息类型的回复"), blank=True)
    menu_published_at = models.DateTimeField(_("菜单发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("公众号回复设置")
        verbose_name_plural = _("公众号回复设置")


class MenuButton(models.Model):
    """自定义菜单项：一级最多 3 个，每个一级下最多 5 个二级。"""

    class Kind(models.TextChoices):
        CLICK = "click", "点击推事件"
        VIEW = "view", "跳转网页"
        PARENT = "parent", "子菜单"

    account = models.ForeignKey(
        ChannelAccount, on_delete=models.CASCADE, related_name="menu_buttons"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("名称"), max_length=16)
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices, default=Kind.CLICK)
    key = models.CharField(_("事件 KEY"), max_length=128, blank=True)
    url = models.URLField(_("网址"), blank=True)
    reply_text = models.TextField(_("点击后的回复"), blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

"""The unified inbox: every inbound message that nothing answered automatically."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils.translation import gettext_lazy as _

from govhub.channels.models import ChannelAccount, MessageState, OutboundMessage
from govhub.core.models import Department
from govhub.core.pii import EncryptedTextField, Grade


class Channel(models.TextChoices):
    WECHAT = "wechat", "微信"
    WEIBO_COMMENT = "weibo_comment", "微博评论"
    WEIBO_MENTION = "weibo_mention", "微博@提及"
    WEIBO_DM = "weibo_dm", "微博私信"
    CHAT = "chat", "网站在线咨询"


class Status(models.TextChoices):
    NEW = "new", "待处理"
    ASSIGNED = "assigned", "已分派"
    REPLIED = "replied", "已回复"
    LETTER = "letter", "已转信件"
    SPAM = "spam", "垃圾信息"


class InboxMessage(models.Model):
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    account = models.ForeignKey(
        ChannelAccount,
        verbose_name=_("账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbox_messages",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbox_messages",
    )
    sender_ref = models.CharField(
        _("发送者标识"),
        max_length=128,
        help_text=_("微信 openid、微博 uid 或网站会话号；不存姓名电话"),
    )
    # encrypted at rest; the redacted copy (phone, ID and card numbers masked) serves lists
    text = EncryptedTextField(_("内容"), grade=Grade.SENSITIVE, redacted_copy="text_redacted")
    text_redacted = models.TextField(blank=True, editable=False)
    remote_id = models.CharField(_("来源编号"), max_length=128)
    received_at = models.DateTimeField(_("收到时间"))
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.NEW, db_index=True
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    first_response_at = models.DateTimeField(_("首次回复时间"), null=True, blank=True)
    letter_id = models.IntegerField(_("转成的信件"), null=True, blank=True)
    meta = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("留言")
        verbose_name_plural = _("统一留言箱")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "remote_id"], name="inbox_unique_remote")
        ]

    def __str__(self) -> str:
        return self.text_redacted[:30]

    @property
    def sender_label(self) -> str:
        """Who wrote, as staff should read it: the platform's user, not its raw identifier."""
        who = {"wechat": "微信用户", "weibo": "微博用户", "chat": "网站访客"}.get(
            self.channel, self.get_channel_display() + "用户"
        )
        tail = "".join(ch for ch in self.sender_ref if ch.isdigit())[-4:]
        return f"{who}（标识尾号 {tail}）" if tail else who

    @property
    def response_seconds(self) -> float | None:
        if self.first_response_at is None:
            return None
        return (self.first_response_at - self.received_at).total_seconds()


class InboxReply(models.Model):
    message = models.ForeignKey(InboxMessage, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("回复内容"))
    sent_at = models.DateTimeField(auto_now_add=True)
    seen = models.BooleanField(default=False, help_text="网站咨询：访客页面已取走")
    # the reply on its way back through the message's channel (not for the portal chat)
    outbound = GenericRelation(
        OutboundMessage,
        content_type_field="source_type",
        object_id_field="source_id",
        related_query_name="inbox_reply",
    )

    class Meta:
        ordering = ["sent_at", "id"]

    @property
    def delivery_status(self) -> str:
        """The reply's delivery in the outbox's Chinese states (the chat: whether the visitor's
        page has shown it)."""
        if self.message.channel == Channel.CHAT:
            return "访客已查看" if self.seen else "待访客查看"
        sent = list(self.outbound.all())
        return (
            sent[0].status_label + (f"：{sent[0].last_error}" if sent[0].last_error else "")
            if sent
            else "处理中"
        )

    @property
    def delivered(self) -> bool:
        if self.message.channel == Channel.CHAT:
            return True
        return self.outbound.filter(state=MessageState.SENT).exists()

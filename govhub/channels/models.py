"""The government's own channel accounts (WeChat official accounts, Weibo accounts, …) and the
one outbox (发件箱) through which every message the county sends goes out.

``OutboundMessage`` is the durable row of one message to one platform: a publication to one
account, a status notice of a letter to one citizen by one channel, a reply to an inbox message,
and the kinds the apps to come will send (appointment reminders, survey invitations, 好差评
call-backs). The row is written in the caller's transaction and sent after commit by
``govhub.channels.outbox``; its state is the one vocabulary shown in Chinese everywhere.
"""

from __future__ import annotations

import json
import uuid

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from govhub.core.models import Department
from govhub.core.pii import EncryptedTextField, Grade


class Platform(models.TextChoices):
    WECHAT = "wechat", "微信公众号"
    WEIBO = "weibo", "微博"
    DOUYIN = "douyin", "抖音"
    WECHAT_CHANNELS = "wechat_channels", "微信视频号"
    RSS = "rss", "RSS 订阅"
    EMAIL = "email", "电子邮件"
    SMS = "sms", "短信"
    PORTAL = "portal", "门户网站"


class CallbackMode(models.TextChoices):
    PLAIN = "plain", "明文模式"
    COMPATIBLE = "compatible", "兼容模式"
    SAFE = "safe", "安全模式"


class ChannelAccount(models.Model):
    """One account the government publishes through; credentials are encrypted at rest."""

    platform = models.CharField(_("平台"), max_length=16, choices=Platform.choices)
    name = models.CharField(_("名称"), max_length=100)
    slug = models.SlugField(_("标识"), max_length=64, unique=True)
    remote_id = models.CharField(
        _("平台账号 ID"), max_length=100, blank=True, help_text=_("公众号原始 ID（gh_…）或微博 UID")
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("主管部门"),
        on_delete=models.PROTECT,
        related_name="channel_accounts",
    )
    app_id = models.CharField(_("AppID / App Key"), max_length=64, blank=True)
    app_secret = EncryptedTextField(_("AppSecret"), grade=Grade.SENSITIVE, blank=True)
    access_token = EncryptedTextField(_("访问令牌（微博/抖音）"), grade=Grade.SENSITIVE, blank=True)
    refresh_token = EncryptedTextField(
        _("刷新令牌（抖音）"),
        grade=Grade.SENSITIVE,
        blank=True,
        help_text=_("抖音授权的 refresh_token：访问令牌过期时用它换新"),
    )
    callback_token = EncryptedTextField(_("消息校验 Token"), grade=Grade.SENSITIVE, blank=True)
    encoding_aes_key = EncryptedTextField(_("EncodingAESKey"), grade=Grade.SENSITIVE, blank=True)
    callback_mode = models.CharField(
        _("消息加解密方式"), max_length=16, choices=CallbackMode.choices, default=CallbackMode.PLAIN
    )
    api_base = models.URLField(
        _("接口地址"), blank=True, help_text=_("留空使用平台正式接口；测试环境可指向模拟服务")
    )
    enabled = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("渠道账号")
        verbose_name_plural = _("渠道账号")

    def __str__(self) -> str:
        return f"{self.get_platform_display()} · {self.name}"


# --- the outbox ------------------------------------------------------------------------------


class MessageKind(models.TextChoices):
    """What an outbound message is; apps that come later add their kinds here."""

    PUBLICATION = "publication", "稿件发布"
    LETTER_NOTICE = "letter_notice", "信件进度通知"
    LETTER_REPLY = "letter_reply", "信件答复"
    INBOX_REPLY = "inbox_reply", "留言回复"
    ANSWER = "answer", "咨询答复"
    APPOINTMENT_REMINDER = "appointment_reminder", "预约提醒"
    SURVEY_INVITATION = "survey_invitation", "调查邀请"
    RATING_CALLBACK = "rating_callback", "好差评回访"
    PARTICIPATION_NOTICE = "participation_notice", "意见采纳反馈"


class MessageState(models.TextChoices):
    """The one status vocabulary of outbound messages (back office, API, letter page)."""

    QUEUED = "queued", "排队中"
    SENDING = "sending", "发送中"
    RETRYING = "retrying", "等待重试"
    SENT = "sent", "已发送"
    GAVE_UP = "gave_up", "发送失败"
    WITHDRAWN = "withdrawn", "已撤回"
    UNCONFIGURED = "unconfigured", "渠道未配置"
    MANUAL = "manual", "待人工发表"


def _new_uid() -> str:
    return uuid.uuid4().hex


class OutboundMessage(models.Model):
    """One message to one platform, sent at most once where the platform allows it.

    ``key`` is the caller's idempotency key (the same key twice is the same message); ``uid`` is
    the message's own random id, the mark it leaves on the platform where it can (a retry asks
    for it before sending again). ``recipient`` and ``payload`` are personal data: encrypted."""

    uid = models.CharField(max_length=32, unique=True, default=_new_uid, editable=False)
    key = models.CharField(_("幂等键"), max_length=200, unique=True)
    kind = models.CharField(_("类型"), max_length=24, choices=MessageKind.choices)
    platform = models.CharField(_("渠道"), max_length=16, choices=Platform.choices)
    account = models.ForeignKey(
        ChannelAccount,
        verbose_name=_("渠道账号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outbound",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("所属部门"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recipient = EncryptedTextField(_("收件人"), grade=Grade.SENSITIVE, blank=True)
    payload_data = EncryptedTextField(_("内容"), grade=Grade.SENSITIVE, blank=True)
    source_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    state = models.CharField(
        _("状态"), max_length=14, choices=MessageState.choices, default=MessageState.QUEUED
    )
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    claim_seq = models.PositiveIntegerField(
        default=0, help_text="每次领取加一，作为租约凭证（从不归零）"
    )
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    needs_lookup = models.BooleanField(default=False)
    last_error = models.CharField(_("原因"), max_length=500, blank=True)
    progress = models.JSONField(default=dict, blank=True)
    remote_id = models.CharField(_("平台编号"), max_length=128, blank=True)
    remote_url = models.CharField(_("平台链接"), max_length=500, blank=True)
    detail = models.CharField(_("送达情况"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    gave_up_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("外发消息")
        verbose_name_plural = _("发件箱")
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="outbound_due"),
            models.Index(fields=["source_type", "source_id"], name="outbound_source"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.get_platform_display()}"

    # --- payload (encrypted JSON) ------------------------------------------------------
    @property
    def payload(self) -> dict:
        cached = self.__dict__.get("_payload")
        if cached is None:
            cached = json.loads(self.payload_data) if self.payload_data else {}
            self.__dict__["_payload"] = cached
        return cached

    @payload.setter
    def payload(self, value: dict) -> None:
        self.__dict__["_payload"] = dict(value or {})
        self.payload_data = json.dumps(value or {}, ensure_ascii=False) if value else ""

    # --- what people see -----------------------------------------------------------------
    @property
    def status_label(self) -> str:
        """The state in Chinese, as every page and the API show it."""
        return self.get_state_display()

    @property
    def channel_label(self) -> str:
        return self.get_platform_display()

    @property
    def summary(self) -> str:
        """One line for a person: 渠道：状态（送达情况或原因）, e.g. “短信：已发送”."""
        note = self.detail if self.state == MessageState.SENT else self.last_error
        text = f"{self.channel_label}：{self.status_label}"
        return f"{text}（{note}）" if note else text

    @property
    def publication(self):
        """The piece a publication delivery carries (its source)."""
        return self.source

    @property
    def idempotency_key(self) -> str:
        """The mark a message leaves on the platform (kept from the first outbox's name)."""
        return self.uid

    def permission_departments(self) -> list[Department]:
        source = self.source
        if source is not None and hasattr(source, "permission_departments"):
            return list(source.permission_departments())
        if source is not None and getattr(source, "department_id", None):
            return [source.department]
        return [self.department] if self.department_id else []


class OutboundEvent(models.Model):
    """What happened to an outbound message, shown to staff (no personal data)."""

    outbound = models.ForeignKey(OutboundMessage, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=20)
    message = models.CharField(max_length=500)

    class Meta:
        ordering = ["at", "pk"]


class OutboundStat(models.Model):
    """Daily figures of one published message (阅读/播放/点赞/转发/评论); re-fetching a day
    overwrites it. Read by supervision and analytics: one row per (message, date)."""

    outbound = models.ForeignKey(OutboundMessage, on_delete=models.CASCADE, related_name="stats")
    date = models.DateField()
    reads = models.PositiveIntegerField(default=0)
    plays = models.PositiveIntegerField(default=0)
    likes = models.PositiveIntegerField(default=0)
    shares = models.PositiveIntegerField(default=0)
    comments = models.PositiveIntegerField(default=0)
    favourites = models.PositiveIntegerField(default=0)
    is_total = models.BooleanField(
        default=False, help_text="平台只提供累计数（微博、抖音）时为真：数值为截至当日的累计"
    )
    fetched_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("传播数据")
        verbose_name_plural = _("传播数据")
        constraints = [
            models.UniqueConstraint(fields=["outbound", "date"], name="outbound_stat_day_unique")
        ]


class EmailSubscriber(models.Model):
    """A citizen subscribed to the e-mail edition; the address is personal data (encrypted)."""

    email = EncryptedTextField(_("电子邮箱"), grade=Grade.SENSITIVE, index_kind="email")
    email_index = models.CharField(max_length=64, unique=True, editable=False)
    active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("邮件订阅者")
        verbose_name_plural = _("邮件订阅者")


class EmailReceipt(models.Model):
    """One subscriber got one message: a retried e-mail delivery skips those already sent."""

    outbound = models.ForeignKey(OutboundMessage, on_delete=models.CASCADE, related_name="receipts")
    subscriber = models.ForeignKey(EmailSubscriber, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["outbound", "subscriber"], name="channels_email_receipt_unique"
            )
        ]


class TemplatePurpose(models.TextChoices):
    LETTER_PROGRESS = "letter_progress", "信件进度"
    APPOINTMENT_REMINDER = "appointment_reminder", "预约提醒"
    SURVEY_INVITATION = "survey_invitation", "调查邀请"
    RATING_CALLBACK = "rating_callback", "好差评回访"
    PARTICIPATION_NOTICE = "participation_notice", "意见采纳反馈"


class WeChatTemplate(models.Model):
    """The template message an official account uses when WeChat's 48-hour customer-service
    window is closed (one per account and purpose). The keys are the field names of the template
    chosen in the WeChat back office (e.g. 查询码 character_string1, 状态 phrase2)."""

    account = models.ForeignKey(
        ChannelAccount,
        on_delete=models.CASCADE,
        related_name="wechat_templates",
        limit_choices_to={"platform": "wechat"},
        verbose_name=_("公众号"),
    )
    purpose = models.CharField(
        _("用途"),
        max_length=24,
        choices=TemplatePurpose.choices,
        default=TemplatePurpose.LETTER_PROGRESS,
    )
    template_id = models.CharField(_("模板 ID"), max_length=64)
    code_key = models.CharField(
        _("编号字段（查询码等）"), max_length=40, default="character_string1"
    )
    status_key = models.CharField(_("状态字段"), max_length=40, default="phrase2")
    department_key = models.CharField(_("办理部门字段"), max_length=40, default="thing3")
    time_key = models.CharField(_("时间字段"), max_length=40, default="time4")
    enabled = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("微信模板消息")
        verbose_name_plural = _("微信模板消息")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "purpose"], name="wechat_template_unique_purpose"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account.name} · {self.get_purpose_display()}"

    def data_for(self, values: dict) -> dict:
        """The template's ``data`` from our named values, cut to WeChat's field limits
        (thing ≤ 20 characters, phrase ≤ 5)."""
        pairs = [
            (self.code_key, values.get("code", "")),
            (self.status_key, str(values.get("status", ""))[:5]),
            (self.department_key, str(values.get("department", ""))[:20]),
            (self.time_key, values.get("time", "")),
        ]
        return {key: {"value": value} for key, value in pairs if key}


class PageView(models.Model):
    """Views of one published portal page on one day (门户访问量), counted from the web server's
    access log (published pages are files nginx serves itself: the app never sees them)."""

    date = models.DateField(_("日期"), db_index=True)
    path = models.CharField(_("网址路径"), max_length=300)
    page_id = models.PositiveIntegerField(_("页面"), null=True, blank=True, db_index=True)
    views = models.PositiveIntegerField(_("访问量"), default=0)

    class Meta:
        verbose_name = _("门户页面访问量")
        verbose_name_plural = _("门户页面访问量")
        constraints = [
            models.UniqueConstraint(fields=["date", "path"], name="channels_pageview_unique")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.path} {self.views}"

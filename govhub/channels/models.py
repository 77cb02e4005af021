"""The government's own channel accounts (WeChat official accounts, Weibo accounts, …)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from govhub.core.models import Department
from govhub.core.pii import EncryptedTextField, Grade


class Platform(models.TextChoices):
    WECHAT = "wechat", "微信公众号"
    WEIBO = "weibo", "微博"
    RSS = "rss", "RSS 订阅"
    EMAIL = "email", "电子邮件订阅"
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
    access_token = EncryptedTextField(_("访问令牌（微博）"), grade=Grade.SENSITIVE, blank=True)
    callback_token = EncryptedTextField(_("消息校验 Token"), grade=Grade.SENSITIVE, blank=True)
    encoding_aes_key = EncryptedTextField(_("EncodingAESKey"), grade=Grade.SENSITIVE, blank=True)
    callback_mode = models.CharField(
        _("消息加解密方式"), max_length=16, choices=CallbackMode.choices, default=CallbackMode.PLAIN
    )
    api_base = models.URLField(
        _("接口地址"), blank=True, help_text=_("留空使用平台正式接口；测试环境可指向模拟服务")
    )
    enabled = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("渠道账号")
        verbose_name_plural = _("渠道账号")

    def __str__(self) -> str:
        return f"{self.get_platform_display()} · {self.name}"

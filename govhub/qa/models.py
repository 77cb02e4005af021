"""Keyword rules, the answers knowledge base, and the questions nobody could answer."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from govhub.channels.models import ChannelAccount
from govhub.core.models import Department


class MatchType(models.TextChoices):
    EXACT = "exact", "完全匹配"
    CONTAINS = "contains", "包含"
    REGEX = "regex", "正则表达式"


class ReplyType(models.TextChoices):
    TEXT = "text", "文字"
    NEWS = "news", "图文"


class KeywordRule(models.Model):
    """关键词回复：命中后直接回复，优先于知识库。"""

    name = models.CharField(_("规则名称"), max_length=80)
    account = models.ForeignKey(
        ChannelAccount,
        verbose_name=_("公众号"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="keyword_rules",
        help_text=_("留空表示所有账号与网站问答通用"),
    )
    keywords = models.TextField(_("关键词"), help_text=_("每行一个"))
    match_type = models.CharField(
        _("匹配方式"), max_length=16, choices=MatchType.choices, default=MatchType.CONTAINS
    )
    reply_type = models.CharField(
        _("回复类型"), max_length=8, choices=ReplyType.choices, default=ReplyType.TEXT
    )
    reply_text = models.TextField(_("回复内容"), blank=True)
    news_title = models.CharField(_("图文标题"), max_length=64, blank=True)
    news_description = models.CharField(_("图文摘要"), max_length=120, blank=True)
    news_url = models.URLField(_("图文链接"), blank=True)
    news_image = models.URLField(_("图文封面"), blank=True)
    priority = models.IntegerField(_("优先级"), default=0, help_text=_("数字大的先匹配"))
    starts_at = models.DateTimeField(_("生效时间"), null=True, blank=True)
    ends_at = models.DateTimeField(_("失效时间"), null=True, blank=True)
    enabled = models.BooleanField(_("启用"), default=True)
    hits = models.PositiveIntegerField(_("命中次数"), default=0, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("关键词回复")
        verbose_name_plural = _("关键词回复")
        ordering = ["-priority", "id"]

    def __str__(self) -> str:
        return self.name

    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.splitlines() if k.strip()]


class KnowledgeEntry(models.Model):
    """知识库条目：标准问题、相似问法、答案、责任部门、相关链接。"""

    question = models.CharField(_("标准问题"), max_length=200)
    variants = models.TextField(_("相似问法"), blank=True, help_text=_("每行一个"))
    answer = models.TextField(_("答案"))
    department = models.ForeignKey(
        Department,
        verbose_name=_("责任部门"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="knowledge_entries",
    )
    links = models.TextField(_("相关链接"), blank=True, help_text=_("每行一个：标题 空格 网址"))
    external_id = models.CharField(_("外部编号"), max_length=64, blank=True, db_index=True)
    enabled = models.BooleanField(_("启用"), default=True)
    hits = models.PositiveIntegerField(_("命中次数"), default=0, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("知识库条目")
        verbose_name_plural = _("知识库")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.question

    def variant_list(self) -> list[str]:
        return [v.strip() for v in self.variants.splitlines() if v.strip()]

    def link_list(self) -> list[tuple[str, str]]:
        out = []
        for line in self.links.splitlines():
            parts = line.strip().rsplit(None, 1)
            if len(parts) == 2 and parts[1].startswith(("http://", "https://", "/")):
                out.append((parts[0], parts[1]))
            elif len(parts) == 1 and parts[0].startswith(("http://", "https://", "/")):
                out.append((parts[0], parts[0]))
        return out


CHANNEL_LABELS = {
    "web": "网站",
    "wechat": "微信",
    "weibo": "微博",
    "api": "接口",
    "chat": "网站在线咨询",
}


class UnansweredQuestion(models.Model):
    """没有答上的问题（按规范化文本归并计数），供工作人员补充知识库。"""

    key = models.CharField(max_length=64, unique=True)
    text = models.CharField(_("问题"), max_length=300)
    count = models.PositiveIntegerField(_("次数"), default=1)
    channel = models.CharField(_("最近渠道"), max_length=16, blank=True)
    first_asked_at = models.DateTimeField(_("首次提问"), auto_now_add=True)
    last_asked_at = models.DateTimeField(_("最近提问"), auto_now=True)
    resolved = models.BooleanField(_("已处理"), default=False)

    class Meta:
        verbose_name = _("未答问题")
        verbose_name_plural = _("未答问题")
        ordering = ["-count", "-last_asked_at"]

    def __str__(self) -> str:
        return self.text

    @property
    def channel_label(self) -> str:
        return CHANNEL_LABELS.get(self.channel, self.channel or "—")

"""The county's own dictionary entries and leaders, versioned (基础版 + 本地修订).

The base edition ships as data in ``data/`` (each entry with its source); these tables hold
what the county adds or switches off. Every change (an edit, an import) is one
``DictionaryRevision``: its number is the dictionaries' version, so the compiled checker is
rebuilt when, and only when, something changed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from govhub.core.models import Department
from govhub.safety.lexicon import KINDS, LEVELS


class DictionaryRevision(models.Model):
    """One change of the dictionaries (an edit, an import), by whom and what."""

    at = models.DateTimeField(_("时间"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.CharField(_("说明"), max_length=300)

    class Meta:
        verbose_name = _("词库修订")
        verbose_name_plural = _("词库修订")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"第 {self.pk} 次修订：{self.summary}"


class Term(models.Model):
    """A local dictionary entry; one with a base entry's kind and term overrides it (停用 switches
    the base entry off)."""

    kind = models.CharField(_("类别"), max_length=20, choices=list(KINDS.items()))
    term = models.CharField(_("词语"), max_length=100)
    correction = models.CharField(_("正确写法/新名称"), max_length=200, blank=True)
    severity = models.CharField(
        _("处理方式"),
        max_length=10,
        blank=True,
        choices=[("blocking", "阻断发布"), ("warning", "提醒")],
        help_text=_("留空：按类别的默认处理"),
    )
    since = models.DateField(
        _("停用日期"), null=True, blank=True, help_text=_("过时名称从哪天起不再使用")
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    source = models.CharField(_("来源"), max_length=300, blank=True)
    enabled = models.BooleanField(_("启用"), default=True)
    department = models.ForeignKey(
        Department, verbose_name=_("添加单位"), null=True, blank=True, on_delete=models.SET_NULL
    )
    revision = models.ForeignKey(DictionaryRevision, null=True, on_delete=models.SET_NULL)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("本地词条")
        verbose_name_plural = _("本地词条")
        ordering = ["kind", "term"]
        constraints = [models.UniqueConstraint(fields=["kind", "term"], name="safety_term_unique")]

    def __str__(self) -> str:
        return self.term


class LeaderEntry(models.Model):
    """A leader and a title held from ``start`` to ``end`` (empty: still in office)."""

    name = models.CharField(_("姓名"), max_length=20)
    title = models.CharField(_("职务"), max_length=60)
    level = models.CharField(
        _("层级"), max_length=12, choices=list(LEVELS.items()), default="county"
    )
    start = models.DateField(_("任职日期"), null=True, blank=True)
    end = models.DateField(_("离任日期"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=300, blank=True)
    enabled = models.BooleanField(_("启用"), default=True)
    department = models.ForeignKey(
        Department, verbose_name=_("添加单位"), null=True, blank=True, on_delete=models.SET_NULL
    )
    revision = models.ForeignKey(DictionaryRevision, null=True, on_delete=models.SET_NULL)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("领导人名单条目")
        verbose_name_plural = _("领导人名单")
        ordering = ["level", "title", "-start"]
        constraints = [
            models.UniqueConstraint(fields=["name", "title", "start"], name="safety_leader_unique")
        ]

    def __str__(self) -> str:
        return f"{self.title}{self.name}"


class SiteProbe(models.Model):
    """One availability probe of the portal from the server (站点可用性探测): the national
    indicator counts a page that does not answer within 15 s; 5 % failures in a week is a veto."""

    at = models.DateTimeField(_("探测时间"), db_index=True)
    url = models.CharField(_("地址"), max_length=300)
    ok = models.BooleanField(_("可以访问"))
    status = models.PositiveSmallIntegerField(_("状态码"), null=True, blank=True)
    seconds = models.FloatField(_("用时（秒）"), default=0)
    reason = models.CharField(_("原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("站点可用性探测")
        verbose_name_plural = _("站点可用性探测")
        ordering = ["-at"]

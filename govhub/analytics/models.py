"""Analytics records: the supervisor's assessment schemes (考核方案) and the hot topics found
in each period, kept so that a topic that stays hot can be recognised."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from govhub.core.models import Department

INDICATORS = {
    "on_time_reply_rate": "按时答复率",
    "satisfaction": "满意度",
    "update_frequency": "更新频率",
    "influence": "传播影响力",
    "inspection_faults": "检查问题（越少越好）",
}

DEFAULT_WEIGHTS = {
    "on_time_reply_rate": 30,
    "satisfaction": 20,
    "update_frequency": 20,
    "influence": 15,
    "inspection_faults": 15,
}


class AssessmentScheme(models.Model):
    """Indicators and weights for assessing departments (部门绩效考核), set by the supervisor."""

    name = models.CharField(_("方案名称"), max_length=100)
    region = models.ForeignKey(Department, on_delete=models.PROTECT, verbose_name=_("考核范围"))
    weights = models.JSONField(_("指标权重"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")

    def __str__(self) -> str:
        return self.name

    @property
    def department(self) -> Department:
        return self.region


class TopicSnapshot(models.Model):
    """A hot topic of one period (热点话题), with its terms and heat."""

    region = models.ForeignKey(Department, on_delete=models.CASCADE)
    period_start = models.DateField()
    period_end = models.DateField(db_index=True)
    label = models.CharField(max_length=100)
    terms = models.JSONField(default=list)
    heat = models.FloatField()
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["-period_end", "-heat"]

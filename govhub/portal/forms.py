"""The 我为政府网站找错 form."""

from __future__ import annotations

from django import forms

from govhub.portal.models import SiteErrorReport


class ErrorReportForm(forms.Form):
    page_url = forms.CharField(label="出错页面地址", max_length=500, required=False)
    kind = forms.ChoiceField(label="错误类型", choices=SiteErrorReport.KINDS)
    description = forms.CharField(
        label="问题描述",
        min_length=5,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "请描述您发现的问题。",
            "min_length": "问题描述至少 5 个字。",
            "max_length": "问题描述不能超过 2000 个字。",
        },
    )
    contact = forms.CharField(
        label="联系方式（选填）",
        max_length=100,
        required=False,
        help_text="便于我们向您反馈核实结果，仅工作人员可见。",
    )

"""Portal forms (they work without JavaScript)."""

from __future__ import annotations

from django import forms

from govhub.core.models import Department
from govhub.letters.models import Category, Satisfaction


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,.pdf,.mp4,.mp3"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [d for d in data if d]
        return [data] if data else []


class LetterForm(forms.Form):
    """Field checks that need no database live in submit_letter; this form only shapes input."""

    subject = forms.CharField(label="标题", max_length=200, required=False)
    content = forms.CharField(
        label="来信内容", widget=forms.Textarea(attrs={"rows": 8}), max_length=60000, required=False
    )
    category = forms.ModelChoiceField(
        label="类别（可不选）",
        required=False,
        to_field_name="code",
        queryset=Category.objects.filter(is_public=True),
        empty_label="— 不确定，由工作人员分办 —",
    )
    town = forms.ModelChoiceField(
        label="所在乡镇/村（社区）",
        required=False,
        to_field_name="code",
        queryset=Department.objects.filter(level__in=["town", "village"]).order_by("path"),
        empty_label="— 请选择 —",
    )
    name = forms.CharField(label="姓名", max_length=50, required=False)
    phone = forms.CharField(
        label="手机号码",
        max_length=30,
        error_messages={"required": "请填写手机号码，查询办理进度时需要。"},
        help_text="用于查询办理进度（查询时需输入后四位），不会公开。",
    )
    email = forms.CharField(
        label="电子邮箱（可选，答复将同时发送到邮箱）", max_length=254, required=False
    )
    latitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    publish_consent = forms.BooleanField(label="同意在隐去个人信息后公开来信和答复", required=False)
    attachments = MultipleFileField(
        label="照片或附件（最多 5 个，每个不超过 10 MB）", required=False
    )
    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if not isinstance(field.widget, forms.HiddenInput | forms.CheckboxInput):
                field.widget.attrs.setdefault("id", f"id_{name}")


class LookupForm(forms.Form):
    code = forms.CharField(label="查询码", max_length=20)
    last4 = forms.CharField(label="手机号后四位", max_length=4, min_length=4)


class RatingForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label="您对答复是否满意", choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label="意见（可选）",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

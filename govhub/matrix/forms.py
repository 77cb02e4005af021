"""Back-office forms of the matrix."""

from __future__ import annotations

from django import forms

from govhub.matrix.models import Account, InspectionSettings, Platform

MAX_UPLOAD = 20 * 1024 * 1024


class AccountForm(forms.ModelForm):
    class Meta:
        model = Account
        fields = [
            "platform",
            "name",
            "remote_id",
            "department",
            "level",
            "kind",
            "verification",
            "filing_number",
            "opened_on",
            "closed_on",
            "has_interaction",
            "channel",
            "operator_name",
            "operator_phone",
        ]
        widgets = {
            "operator_name": forms.TextInput(),
            "operator_phone": forms.TextInput(),
            "opened_on": forms.DateInput(attrs={"type": "date"}),
            "closed_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from django.db.models import Q

        from govhub.core.models import Department
        from govhub.core.permissions import scope_roots

        qs = Department.objects.order_by("path")
        if for_user is not None and not for_user.is_superuser:
            cond = Q(pk__in=[])
            for root in scope_roots(for_user, "manage_registry"):
                cond |= Q(path__startswith=root.path)
            qs = qs.filter(cond)
        self.fields["department"].queryset = qs
        from govhub.channels.models import ChannelAccount
        from govhub.matrix.actions import CHANNEL_PLATFORMS

        self.fields["channel"].queryset = ChannelAccount.objects.filter(
            platform__in=CHANNEL_PLATFORMS
        ).order_by("platform", "name")
        self.fields["channel"].empty_label = "（不是本平台运营的账号）"

    def clean(self):
        data = super().clean()
        if (
            data.get("opened_on")
            and data.get("closed_on")
            and data["closed_on"] < data["opened_on"]
        ):
            self.add_error("closed_on", "关停日期不能早于开设日期")
        qs = Account.objects.filter(platform=data.get("platform"), remote_id=data.get("remote_id"))
        if self.instance.pk:
            qs = qs.exclude(pk=self.instance.pk)
        if data.get("remote_id") and qs.exists():
            self.add_error("remote_id", "该平台账号ID已在台账中")
        return data


KINDS = [
    ("accounts", "账号台账"),
    ("posts", "发布内容"),
    ("figures", "日数据"),
    ("messages", "留言评论"),
    ("seen", "平台巡查发现的账号（山寨核查）"),
]


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="导入内容", choices=KINDS)
    file = forms.FileField(label="文件（CSV、Excel 表格或 JSON 文本，UTF-8 或 GBK 编码）")
    import_valid_rows = forms.BooleanField(label="有错误时仍导入其余有效行", required=False)

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > MAX_UPLOAD:
            raise forms.ValidationError("文件超过 20 MB，请分批导入")
        return f


class RectificationForm(forms.Form):
    problems = forms.CharField(
        label="存在问题", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    deadline = forms.DateField(label="整改期限", widget=forms.DateInput(attrs={"type": "date"}))


class ResponseForm(forms.Form):
    text = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class SettingsForm(forms.ModelForm):
    class Meta:
        model = InspectionSettings
        exclude = ["id"]


PLATFORM_CHOICES = [(k, v) for k, v in Platform.choices if k in ("wechat", "weibo", "douyin")]

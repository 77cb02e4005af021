from __future__ import annotations

from django import forms
from wagtail.admin.forms import WagtailAdminModelForm

from govhub.core.models import Department, Membership, WorkdayOverride


class DepartmentForm(WagtailAdminModelForm):
    parent = forms.ModelChoiceField(
        label="上级部门",
        queryset=Department.objects.order_by("path"),
        required=False,
        help_text="新建部门时选择；留空表示新的行政区（仅超级管理员）",
    )

    class Meta:
        model = Department
        fields = [
            "name",
            "short_name",
            "code",
            "level",
            "kind",
            "phone",
            "address",
            "duties",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["parent"]
            self.fields["code"].disabled = True


class MembershipForm(WagtailAdminModelForm):
    class Meta:
        model = Membership
        fields = ["user", "department", "role", "title"]


class WorkdayOverrideForm(WagtailAdminModelForm):
    class Meta:
        model = WorkdayOverride
        fields = ["date", "is_working_day", "note"]

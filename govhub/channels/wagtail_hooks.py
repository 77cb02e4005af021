"""Back office: channel accounts (渠道账号). Credentials are write-only: the form never shows
them, the list shows only whether each is set (masked), and a blank field keeps the old value."""

from __future__ import annotations

from django import forms
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from govhub.channels.models import ChannelAccount
from govhub.core.admin_policy import GovhubPermissionPolicy

SECRET_FIELDS = ["app_secret", "access_token", "callback_token", "encoding_aes_key"]


def masked(value: str) -> str:
    return (
        f"已设置（****{value[-2:]}）"
        if value and len(value) > 6
        else ("已设置" if value else "未设置")
    )


class ChannelAccountForm(forms.ModelForm):
    class Meta:
        model = ChannelAccount
        fields = [
            "platform",
            "name",
            "slug",
            "remote_id",
            "department",
            "app_id",
            *SECRET_FIELDS,
            "callback_mode",
            "api_base",
            "enabled",
        ]
        widgets = {
            name: forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})
            for name in SECRET_FIELDS
        }

    def __init__(self, *args, **kwargs):
        kwargs.pop("for_user", None)
        super().__init__(*args, **kwargs)
        for name in SECRET_FIELDS:
            self.fields[name].required = False
            current = getattr(self.instance, name, "") if self.instance.pk else ""
            self.fields[name].help_text = f"当前：{masked(current)}；留空表示不修改"

    def clean(self):
        data = super().clean()
        if self.instance.pk:
            old = ChannelAccount.objects.get(pk=self.instance.pk)
            for name in SECRET_FIELDS:
                if not data.get(name):
                    data[name] = getattr(old, name)
        return data


class ChannelAccountViewSet(ModelViewSet):
    model = ChannelAccount
    form_class = ChannelAccountForm
    icon = "globe"
    menu_label = "渠道账号"
    menu_order = 310
    add_to_admin_menu = True
    list_display = ["name", "platform", "department", "remote_id", "secret_state", "enabled"]
    list_filter = ["platform", "enabled"]
    search_fields = ["name", "slug", "remote_id"]

    def get_form_class(self, for_update=False):
        return self.form_class


def _secret_state(obj: ChannelAccount) -> str:
    if obj.platform == "wechat":
        return masked(obj.app_secret)
    if obj.platform == "weibo":
        return masked(obj.access_token)
    return "—"


_secret_state.short_description = "凭据"
ChannelAccount.secret_state = property(_secret_state)


@hooks.register("register_admin_viewset")
def register_channel_accounts():
    return ChannelAccountViewSet("channel_accounts")


register_permission_policy(
    ChannelAccount,
    GovhubPermissionPolicy(
        ChannelAccount,
        {
            "add": "manage_channels",
            "change": "manage_channels",
            "delete": "manage_channels",
            "view": "manage_channels",
        },
    ),
)

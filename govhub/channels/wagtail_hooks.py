"""Back office: channel accounts (渠道账号). Credentials are write-only: the form never shows
them, the list shows only whether each is set (masked), and a blank field keeps the old value."""

from __future__ import annotations

from django import forms
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from govhub.channels.models import ChannelAccount, OutboundMessage, WeChatTemplate
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


class WeChatTemplateViewSet(ModelViewSet):
    """Per official account and purpose: the template message used once WeChat's 48-hour
    customer-service window is closed (信件进度, 预约提醒…)."""

    model = WeChatTemplate
    icon = "mail"
    menu_label = "微信模板消息"
    menu_order = 311
    add_to_admin_menu = True
    form_fields = [
        "account",
        "purpose",
        "template_id",
        "code_key",
        "status_key",
        "department_key",
        "time_key",
        "enabled",
    ]
    list_display = ["account", "purpose", "template_id", "enabled"]
    list_filter = ["purpose", "enabled"]


@hooks.register("register_admin_viewset")
def register_wechat_templates():
    return WeChatTemplateViewSet("wechat_templates")


class OutboxViewSet(ModelViewSet):
    """发件箱: every outbound message with its state in Chinese (read-only here; a publication's
    deliveries are retried and withdrawn on the piece's page). No recipient is shown."""

    model = OutboundMessage
    icon = "mail"
    menu_label = "发件箱"
    menu_order = 312
    add_to_admin_menu = True
    list_display = ["kind", "platform", "account", "state", "attempts", "outcome", "created_at"]
    list_filter = ["state", "kind", "platform"]
    search_fields = ["key"]
    form_fields = ["state"]  # never editable: the permission policy grants "view" only
    inspect_view_enabled = False
    list_per_page = 50

    def get_queryset(self, request):
        return OutboundMessage.objects.select_related("account")


def _outcome(obj: OutboundMessage) -> str:
    return (obj.detail if obj.state == "sent" else obj.last_error) or "—"


_outcome.short_description = "送达情况或原因"
OutboundMessage.outcome = property(_outcome)


@hooks.register("register_admin_viewset")
def register_outbox():
    return OutboxViewSet("outbox")


for _model in (WeChatTemplate,):
    register_permission_policy(
        _model,
        GovhubPermissionPolicy(
            _model,
            {a: "manage_channels" for a in ("add", "change", "delete", "view")},
            dept_field=None,
        ),
    )
# read-only for everyone: a message's state changes only through the outbox's own functions
register_permission_policy(
    OutboundMessage, GovhubPermissionPolicy(OutboundMessage, {"view": "manage_channels"})
)
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

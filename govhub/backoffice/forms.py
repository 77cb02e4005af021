"""The back office's login form, with its labels in Chinese.

Wagtail's LoginForm declares its password field without a label, so Django shows the field's
name ("Password"); the username placeholder reads "输入你的 用户名"."""

from __future__ import annotations

from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm


class LoginForm(WagtailLoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["username"].widget.attrs["placeholder"] = "请输入用户名"
        self.fields["password"].label = "密码"
        self.fields["password"].widget.attrs["placeholder"] = "请输入密码"
        self.fields["remember"].label = "记住我"

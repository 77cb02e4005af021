"""The platform's name in the back office's chrome (GOVHUB_PLATFORM_NAME); permissions in Chinese."""

from __future__ import annotations

import re

from django import template
from django.conf import settings
from django.utils.translation import gettext

register = template.Library()


@register.simple_tag
def platform_name() -> str:
    return settings.PLATFORM_NAME


_ACTIONS = {"add": "添加", "change": "修改", "delete": "删除", "view": "查看"}


@register.filter
def permission_label(name: str) -> str:
    """A permission's name in Chinese. Django stores "Can add <model>" when the permission is
    created (migrations run without a language), and shows a permission as "app | model | name":
    "内容管理核心 | 页面 | Can add page" → "可添加页面"; others through the catalogue."""
    name = str(name).rsplit(" | ", 1)[-1]
    m = re.fullmatch(r"Can (add|change|delete|view) (.+)", name)
    if m:
        return f"可{_ACTIONS[m[1]]}{gettext(m[2])}"
    return gettext(name)


@register.filter
def app_name(app_label: str) -> str:
    """An app's name as people know it (its verbose_name), not its code."""
    from django.apps import apps

    try:
        return str(apps.get_app_config(app_label).verbose_name)
    except LookupError:
        return app_label

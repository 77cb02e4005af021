"""Wagtail's menu without Wagtail's own links and name; the page a re-login lands on.

The help menu's "what's new in Wagtail" and "editor guide" open guide.wagtail.org (an English
site abroad, unreachable from a government intranet) and are counted as "new items" in the menu;
the settings menu's footer names Wagtail and its version."""

from __future__ import annotations

from django.db import models
from django.shortcuts import render
from django.urls import path
from wagtail import hooks
from wagtail.admin.menu import SubmenuMenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.fields import register_display_class

FOREIGN_HELP_ITEMS = ("whats-new-in-wagtail", "editor-guide")


@hooks.register("construct_help_menu")
def drop_wagtail_help_links(request, menu_items):
    menu_items[:] = [item for item in menu_items if not item.name.startswith(FOREIGN_HELP_ITEMS)]


@hooks.register("construct_main_menu")
def plain_settings_and_help_menus(request, menu_items):
    """Wagtail's settings menu writes "Wagtail v8.0.1" under itself, and its help menu flags
    itself as new ("（新）") until clicked: the same menus without either."""
    for i, item in enumerate(menu_items):
        if item.name in {"settings", "help"} and type(item) is not SubmenuMenuItem:
            menu_items[i] = SubmenuMenuItem(
                item.label,
                item.menu,
                name=item.name,
                icon_name=item.icon_name,
                classname=item.classname,
                order=item.order,
            )


def logged_in_again(request):
    """Where the login opened from the 登录已过期 page lands: go back and resubmit."""
    return render(request, "backoffice/logged_in_again.html")


@hooks.register("register_admin_urls")
def register_logged_in_again():
    return [path("logged-in-again/", logged_in_again, name="backoffice_logged_in_again")]


class YesNo(Component):
    """A yes/no field on an inspect page: 是/否 (Wagtail prints Python's True/False)."""

    def __init__(self, value):
        self.value = value

    def render_html(self, parent_context=None):
        return "未填写" if self.value is None else ("是" if self.value else "否")


register_display_class(models.BooleanField, display_class=YesNo)

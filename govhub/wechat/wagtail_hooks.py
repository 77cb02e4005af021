"""Back-office menu and pages of the WeChat accounts."""

from __future__ import annotations

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from govhub.core.permissions import can
from govhub.wechat import admin_views

admin_urls = [
    path("", admin_views.overview, name="overview"),
    path("<int:pk>/settings/", admin_views.save_settings, name="settings"),
    path("<int:pk>/menu/", admin_views.menu, name="menu"),
    path("<int:pk>/subscribers/", admin_views.subscribers, name="subscribers"),
    path("<int:pk>/simulator/", admin_views.simulator, name="simulator"),
    path("<int:pk>/simulator/send/", admin_views.simulator_send, name="simulator_send"),
]


@hooks.register("register_admin_urls")
def register_wechat_urls():
    return [path("wechat/", include((admin_urls, "wechat_admin"), namespace="wechat_admin"))]


class WechatMenuItem(MenuItem):
    def is_shown(self, request):
        return can(request.user, "manage_wechat")


@hooks.register("register_admin_menu_item")
def register_wechat_menu():
    return WechatMenuItem(
        "微信公众号", reverse("wechat_admin:overview"), icon_name="mobile-alt", order=158
    )

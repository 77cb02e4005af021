"""Back-office menu and pages of the unified inbox."""

from __future__ import annotations

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from govhub.core.permissions import can
from govhub.inbox import admin_views

admin_urls = [
    path("", admin_views.inbox_list, name="list"),
    path("<int:pk>/", admin_views.detail, name="detail"),
    path("<int:pk>/act/<slug:action>/", admin_views.act, name="act"),
]


@hooks.register("register_admin_urls")
def register_inbox_urls():
    return [path("inbox/", include((admin_urls, "inbox_admin"), namespace="inbox_admin"))]


class InboxMenuItem(MenuItem):
    def is_shown(self, request):
        return can(request.user, "handle_inbox")


@hooks.register("register_admin_menu_item")
def register_inbox_menu():
    return InboxMenuItem("统一留言箱", reverse("inbox_admin:list"), icon_name="mail", order=155)

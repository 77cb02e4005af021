"""Back office: the 差评回访 menu and list, and a 待办 panel on the dashboard of the people who
call back 差评 (the responsible department's handlers, dispatchers, supervisors)."""

from __future__ import annotations

from django.urls import include, path, reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component

from govhub.core.permissions import can
from govhub.ratings import admin_views

admin_urls = [
    path("callbacks/", admin_views.callbacks, name="callbacks"),
    path("callbacks/<int:pk>/", admin_views.callback_detail, name="callback"),
]


@hooks.register("register_admin_urls")
def register_ratings_urls():
    return [path("ratings/", include((admin_urls, "ratings_admin"), namespace="ratings_admin"))]


class CallbacksMenuItem(MenuItem):
    def is_shown(self, request):
        return can(request.user, "handle_rating")


@hooks.register("register_admin_menu_item")
def register_callbacks_menu():
    return CallbacksMenuItem(
        "差评回访", reverse("ratings_admin:callbacks"), icon_name="warning", order=171
    )


class CallbackTodoPanel(Component):
    """待办: open call-backs with their deadlines, overdue ones marked."""

    name = "ratings_todo"
    order = 20
    template_name = "ratings/admin/panel_todo.html"

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context=None):
        qs = admin_views.open_tasks_for(self.user)
        return {"tasks": list(qs[:10]), "count": qs.count(), "today": timezone.localdate()}


@hooks.register("construct_homepage_panels")
def add_callback_todo_panel(request, panels):
    if can(request.user, "handle_rating"):
        panels.append(CallbackTodoPanel(request.user))

"""Back-office menu and pages for letters."""

from __future__ import annotations

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic import CreateView, EditView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from govhub.core.admin_policy import GovhubPermissionPolicy
from govhub.core.permissions import can
from govhub.letters import admin_views, policy_admin
from govhub.letters.models import Category, CategoryRoute

admin_urls = [
    path("", admin_views.queue, name="queue"),
    path("record/", admin_views.record, name="record"),
    path("policy/", admin_views.policy, name="policy"),
    path("router/<int:version>/activate/", admin_views.activate_router, name="activate_router"),
    path("<int:letter_id>/", admin_views.detail, name="detail"),
    path("<int:letter_id>/act/<slug:action>/", admin_views.act, name="act"),
    path(
        "<int:letter_id>/files/<int:attachment_id>/",
        admin_views.attachment,
        name="attachment",
    ),
    path(
        "<int:letter_id>/photos/<int:attachment_id>/",
        admin_views.thumbnail,
        name="thumbnail",
    ),
]


@hooks.register("register_admin_urls")
def register_letter_urls():
    return [path("letters/", include((admin_urls, "letters_admin"), namespace="letters_admin"))]


class LettersMenuItem(MenuItem):
    def is_shown(self, request):
        user = request.user
        return any(can(user, a) for a in ("view_letter", "record_letter", "dispatch_letter"))


class PolicyMenuItem(MenuItem):
    def is_shown(self, request):
        return can(request.user, "manage_letter_policy")


@hooks.register("register_admin_menu_item")
def register_letters_menu():
    return LettersMenuItem("信件办理", reverse("letters_admin:queue"), icon_name="mail", order=150)


@hooks.register("register_settings_menu_item")
def register_policy_menu():
    return PolicyMenuItem(
        "信件时限与分办", reverse("letters_admin:policy"), icon_name="time", order=850
    )


class CategoryCreate(CreateView):
    def save_instance(self):
        return policy_admin.save_category(self.request.user, self.form.save(commit=False))


class CategoryEdit(EditView):
    def save_instance(self):
        return policy_admin.save_category(self.request.user, self.form.save(commit=False))


class RouteCreate(CreateView):
    def save_instance(self):
        return policy_admin.save_route(self.request.user, self.form.save(commit=False))


class RouteEdit(EditView):
    def save_instance(self):
        return policy_admin.save_route(self.request.user, self.form.save(commit=False))


class CategoryViewSet(ModelViewSet):
    model = Category
    icon = "tag"
    menu_label = "信件类别"
    form_fields = ["code", "name", "reply_days", "is_public", "sort_order"]
    list_display = ["name", "code", "reply_days", "is_public"]
    add_view_class = CategoryCreate
    edit_view_class = CategoryEdit


class RouteViewSet(ModelViewSet):
    model = CategoryRoute
    icon = "redirect"
    menu_label = "类别→承办单位"
    form_fields = ["category", "town", "department"]
    list_display = ["category", "town", "department"]
    add_view_class = RouteCreate
    edit_view_class = RouteEdit


class LetterSettingsGroup(ViewSetGroup):
    menu_label = "信件分办规则"
    menu_icon = "tag"
    menu_order = 820
    items = (
        CategoryViewSet("letter_categories"),
        RouteViewSet("letter_routes"),
    )


@hooks.register("register_admin_viewset")
def register_letter_settings():
    return LetterSettingsGroup()


for _model in (Category, CategoryRoute):
    register_permission_policy(
        _model,
        GovhubPermissionPolicy(
            _model,
            {a: "manage_letter_policy" for a in ("add", "change", "delete", "view")},
            dept_field=None,
        ),
    )

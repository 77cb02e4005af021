"""Back office of publishing: the publication pages, the wording dictionary, check rules and
review policies."""

from __future__ import annotations

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from govhub.core.admin_policy import GovhubPermissionPolicy
from govhub.core.permissions import can
from govhub.publishing import admin_views, video_admin
from govhub.publishing.models import CheckSetting, ReviewPolicy, ReviewStepSpec, WordingTerm

_urls = (
    [
        path("", admin_views.publication_list, name="list"),
        path("new/", admin_views.publication_edit, name="add"),
        path("<int:pk>/", admin_views.publication_detail, name="detail"),
        path("<int:pk>/edit/", admin_views.publication_edit, name="edit"),
        path("<int:pk>/do/<str:action>/", admin_views.publication_action, name="action"),
        path("delivery/<int:pk>/<str:action>/", admin_views.delivery_action, name="delivery"),
        path("<int:pk>/video/", video_admin.video_edit, name="video"),
    ],
    "publishing_admin",
)


@hooks.register("register_admin_urls")
def register_publishing_urls():
    return [path("publishing/", include(_urls))]


class PublishingMenuItem(MenuItem):
    def is_shown(self, request):
        return any(can(request.user, a) for a in ("edit_content", "review_content", "sign_content"))


@hooks.register("register_admin_menu_item")
def register_publishing_menu():
    return PublishingMenuItem(
        "内容发布", reverse("publishing_admin:list"), icon_name="doc-full", order=300
    )


def _policy(model):
    return GovhubPermissionPolicy(
        model,
        {
            "add": "manage_wording",
            "change": "manage_wording",
            "delete": "manage_wording",
            "view": "manage_wording",
        },
        dept_field=None,
    )


class WordingViewSet(ModelViewSet):
    model = WordingTerm
    icon = "warning"
    menu_label = "用语词库"
    form_fields = ["term", "kind", "correction", "severity", "note", "enabled"]
    list_display = ["term", "kind", "correction", "severity", "enabled"]
    list_filter = ["kind", "severity", "enabled"]
    search_fields = ["term", "correction"]


class CheckSettingViewSet(ModelViewSet):
    model = CheckSetting
    icon = "cog"
    menu_label = "检查规则"
    form_fields = ["code", "severity", "enabled"]
    list_display = ["__str__", "code", "severity", "enabled"]


class ReviewPolicyViewSet(ModelViewSet):
    model = ReviewPolicy
    icon = "tasks"
    menu_label = "审核流程"
    form_fields = ["name", "column", "is_default"]
    list_display = ["name", "column", "is_default"]


class ReviewStepViewSet(ModelViewSet):
    model = ReviewStepSpec
    icon = "list-ol"
    menu_label = "审核步骤"
    form_fields = ["policy", "order", "name", "action", "department"]
    list_display = ["policy", "order", "name", "action", "department"]


class PublishingSettingsGroup(ViewSetGroup):
    menu_label = "发布设置"
    menu_icon = "cog"
    menu_order = 320
    items = (
        WordingViewSet("wording"),
        CheckSettingViewSet("check_settings"),
        ReviewPolicyViewSet("review_policies"),
        ReviewStepViewSet("review_steps"),
    )


@hooks.register("register_admin_viewset")
def register_publishing_settings():
    return PublishingSettingsGroup()


for _model in (WordingTerm, CheckSetting, ReviewPolicy, ReviewStepSpec):
    register_permission_policy(_model, _policy(_model))

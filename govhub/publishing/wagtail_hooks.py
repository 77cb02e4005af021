"""Back office of publishing: the publication pages, the wording dictionary, check rules and
review policies."""

from __future__ import annotations

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column
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


@hooks.register("construct_homepage_panels")
def add_todo_panel(request, panels):
    """待办 on the dashboard: my drafts, pieces waiting for my step, pieces sent back to me."""
    user = request.user
    if not any(can(user, a) for a in ("edit_content", "review_content", "sign_content")):
        return
    panels.insert(0, TodoPanel(user))


class TodoPanel(Component):
    name = "publishing_todo"
    order = 10
    template_name = "publishing/admin/panel_todo.html"

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context=None):
        from govhub.publishing import actions
        from govhub.publishing.models import Publication, PubStatus

        user = self.user
        qs = Publication.objects.select_related("department", "column").order_by("-updated_at")
        waiting = list(qs.filter(pk__in=actions.waiting_for(user)))
        for p in waiting:
            step = actions.current_step(p)
            p.step_name = step.name if step else ""
        groups = [("等我审核", "waiting", waiting, "没有等您审核的稿件")]
        if can(user, "edit_content"):
            groups = [
                (
                    "退回修改",
                    "sent_back",
                    list(qs.filter(author=user, status=PubStatus.SENT_BACK)),
                    "没有退回的稿件",
                ),
                (
                    "我的草稿",
                    "drafts",
                    list(qs.filter(author=user, status=PubStatus.DRAFT)[:20]),
                    "没有草稿",
                ),
                (
                    "我已送审",
                    "submitted",
                    list(qs.filter(author=user, status=PubStatus.IN_REVIEW)[:20]),
                    "没有审核中的稿件",
                ),
            ] + ([groups[0]] if waiting else [])
        return {"groups": groups, "can_write": can(user, "edit_content")}


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


class YesNoColumn(Column):
    """A yes/no field shown as 是/否 (Wagtail would print True/False)."""

    def get_value(self, instance):
        return "是" if super().get_value(instance) else "否"


def _yes_no(name: str, label: str) -> YesNoColumn:
    return YesNoColumn(name, label=label)


class WordingViewSet(ModelViewSet):
    model = WordingTerm
    icon = "warning"
    menu_label = "用语词库"
    form_fields = ["term", "kind", "correction", "severity", "note", "enabled"]
    list_display = ["term", "kind", "correction", "severity", _yes_no("enabled", "启用")]
    list_filter = ["kind", "severity", "enabled"]
    search_fields = ["term", "correction"]


class CheckSettingViewSet(ModelViewSet):
    model = CheckSetting
    icon = "cog"
    menu_label = "检查规则"
    form_fields = ["code", "severity", "enabled"]
    list_display = [
        Column("__str__", label="检查项"),
        "severity",
        _yes_no("enabled", "启用"),
    ]


class ReviewPolicyViewSet(ModelViewSet):
    model = ReviewPolicy
    icon = "tasks"
    menu_label = "审核流程"
    form_fields = ["name", "column", "is_default", "distinct_reviewers"]
    list_display = [
        "name",
        "column",
        _yes_no("is_default", "默认流程"),
        _yes_no("distinct_reviewers", "各步由不同人员办理"),
    ]


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


def _offer_create_only_to_who_may_create() -> None:
    """Wagtail's 页面类型使用情况 page (/admin/pages/usage/<type>/) offers “创建” to everyone who
    can read the report, a reviewer included, and the link then ends on 没有权限: offer it only
    to someone who may add a page of that type under some page (where its parent type is)."""
    from wagtail.admin.views.pages.usage import ContentTypeUseView
    from wagtail.permission_policies.pages import PagePermissionPolicy

    original = ContentTypeUseView.get_add_url
    if getattr(original, "govhub_checked", False):
        return

    def get_add_url(self):
        from django.contrib.contenttypes.models import ContentType

        model = self.model
        parents = [m for m in model.allowed_parent_page_models() if hasattr(m, "_meta")]
        if not model.is_creatable or not parents:
            return None
        if model.max_count and model.objects.count() >= model.max_count:
            return None
        places = PagePermissionPolicy().instances_user_has_permission_for(self.request.user, "add")
        types = list(ContentType.objects.get_for_models(*parents).values())
        if not places.filter(content_type__in=types).exists():
            return None
        return original(self)

    get_add_url.govhub_checked = True
    ContentTypeUseView.get_add_url = get_add_url


_offer_create_only_to_who_may_create()

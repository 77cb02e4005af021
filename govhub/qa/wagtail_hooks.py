"""Back office: keyword rules, knowledge base, import/export and unanswered questions."""

from __future__ import annotations

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic import CreateView, DeleteView, EditView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from govhub.core.admin_policy import GovhubPermissionPolicy
from govhub.core.permissions import can
from govhub.qa import actions, admin_views
from govhub.qa.models import KeywordRule, KnowledgeEntry

admin_urls = [
    path("", admin_views.tools, name="tools"),
    path("export/<slug:fmt>/", admin_views.export, name="export"),
    path("unanswered/<int:pk>/resolve/", admin_views.resolve_unanswered, name="resolve"),
]


@hooks.register("register_admin_urls")
def register_qa_urls():
    return [path("qa/", include((admin_urls, "qa_admin"), namespace="qa_admin"))]


class _Save:
    saver = None

    def save_instance(self):
        return type(self).saver(self.request.user, self.form.save(commit=False))


class RuleCreate(_Save, CreateView):
    saver = staticmethod(actions.save_rule)


class RuleEdit(_Save, EditView):
    saver = staticmethod(actions.save_rule)


class EntryCreate(_Save, CreateView):
    saver = staticmethod(actions.save_entry)


class EntryEdit(_Save, EditView):
    saver = staticmethod(actions.save_entry)


class QaDelete(DeleteView):
    def delete_action(self):
        actions.delete_object(self.request.user, self.object)


class RuleViewSet(ModelViewSet):
    model = KeywordRule
    icon = "tag"
    menu_label = "关键词回复"
    form_fields = [
        "name",
        "account",
        "keywords",
        "match_type",
        "reply_type",
        "reply_text",
        "news_title",
        "news_description",
        "news_url",
        "news_image",
        "priority",
        "starts_at",
        "ends_at",
        "enabled",
    ]
    list_display = ["name", "match_type", "priority", "enabled", "hits"]
    list_filter = ["match_type", "enabled"]
    search_fields = ["name", "keywords"]
    copy_view_enabled = False  # a copy would answer the same keywords twice
    add_view_class = RuleCreate
    edit_view_class = RuleEdit
    delete_view_class = QaDelete


class EntryViewSet(ModelViewSet):
    model = KnowledgeEntry
    icon = "doc-full"
    menu_label = "知识库"
    form_fields = [
        "question",
        "variants",
        "answer",
        "department",
        "links",
        "external_id",
        "enabled",
    ]
    list_display = ["question", "department", "hits", "enabled"]
    list_filter = ["enabled"]
    search_fields = ["question", "variants", "answer"]
    copy_view_enabled = False  # a copy would be the same standard question twice
    add_view_class = EntryCreate
    edit_view_class = EntryEdit
    delete_view_class = QaDelete


class ToolsMenuItem(MenuItem):
    def is_shown(self, request):
        return can(request.user, "manage_answers")


class QaGroup(ViewSetGroup):
    menu_label = "智能问答"
    menu_icon = "help"
    menu_order = 160
    items = (RuleViewSet("qa_rules"), EntryViewSet("qa_entries"))


@hooks.register("register_admin_menu_item")
def register_qa_tools_menu():
    return ToolsMenuItem("问答统计与导入", reverse("qa_admin:tools"), icon_name="table", order=161)


@hooks.register("register_admin_viewset")
def register_qa_viewsets():
    return QaGroup()


for _model in (KeywordRule, KnowledgeEntry):
    register_permission_policy(
        _model,
        GovhubPermissionPolicy(
            _model,
            {a: "manage_answers" for a in ("add", "change", "delete", "view")},
            dept_field=None,
        ),
    )

"""Back office: 办事指南, 主题分类, 微查询接口, 预约办事 and 好差评统计 (差评回访: ``govhub.ratings``)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.forms import modelform_factory
from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic import CopyView, CreateView, DeleteView, EditView, IndexView
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from govhub.core.admin_policy import GovhubPermissionPolicy
from govhub.core.models import Department
from govhub.core.permissions import can, scope_queryset, scope_roots
from govhub.services import actions, admin_views
from govhub.services.models import LifeEvent, QueryConnector, ServiceGuide

admin_urls = [
    path("figures/", admin_views.monthly, name="figures"),
    path("appointments/", admin_views.appointments, name="appointments"),
    path("appointments/publish/", admin_views.publish_slots, name="publish_slots"),
]


@hooks.register("register_admin_urls")
def register_services_urls():
    return [path("services/", include((admin_urls, "services_admin"), namespace="services_admin"))]


class _GuideScope:
    """A guide belongs to its department: an editor of 县融媒体中心 lists, opens, copies and
    files guides of the departments under their own only (save_guide asks the same), and is
    offered only those departments in the form."""

    def get_object(self, *args, **kwargs):
        guide = super().get_object(*args, **kwargs)
        if not can(self.request.user, "manage_guides", guide):
            raise PermissionDenied
        return guide

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        roots = scope_roots(self.request.user, "manage_guides")
        if "department" in form.fields and not self.request.user.is_superuser:
            cond = Q(pk__in=[])
            for root in roots:
                cond |= Q(path__startswith=root.path)
            form.fields["department"].queryset = Department.objects.filter(cond)
        return form


class GuideIndex(IndexView):
    def get_base_queryset(self):
        return scope_queryset(self.request.user, "manage_guides", super().get_base_queryset())


class GuideCreate(_GuideScope, CreateView):
    def save_instance(self):
        return actions.save_guide(
            self.request.user,
            self.form.save(commit=False),
            self.form.cleaned_data.get("life_events"),
        )


class GuideCopy(_GuideScope, CopyView):
    def save_instance(self):
        return actions.save_guide(
            self.request.user,
            self.form.save(commit=False),
            self.form.cleaned_data.get("life_events"),
        )


class GuideEdit(_GuideScope, EditView):
    def save_instance(self):
        return actions.save_guide(
            self.request.user,
            self.form.save(commit=False),
            self.form.cleaned_data.get("life_events"),
        )


class GuideUsage(_GuideScope, UsageView):
    """Wagtail's 使用情况 page names the guide: scoped like the editor."""


class GuideHistory(_GuideScope, HistoryView):
    """Wagtail's 历史 page names the guide and its editors: scoped like the editor."""


class GuideDelete(_GuideScope, DeleteView):
    def delete_action(self):
        actions.delete_guide(self.request.user, self.object)


def _formfield(db_field, **kwargs):
    if isinstance(db_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return db_field.formfield(**kwargs)


class GuideViewSet(ModelViewSet):
    model = ServiceGuide
    icon = "list-ul"
    menu_label = "办事指南"
    form_fields = [
        "name",
        "code",
        "matter_type",
        "department",
        "implementing_body",
        "audience",
        "life_events",
        "summary",
        "keywords",
        "legal_basis",
        "conditions",
        "materials",
        "steps",
        "statutory_days",
        "promised_days",
        "visits",
        "fee",
        "fee_basis",
        "place",
        "hours",
        "contact_phone",
        "complaint_phone",
        "online_url",
        "is_published",
    ]
    list_display = ["name", "department", "matter_type", "is_published", "updated_at"]
    list_filter = ["matter_type", "audience", "is_published"]
    search_fields = ["name", "code", "keywords"]
    index_view_class = GuideIndex
    add_view_class = GuideCreate
    copy_view_class = GuideCopy
    edit_view_class = GuideEdit
    delete_view_class = GuideDelete
    usage_view_class = GuideUsage
    history_view_class = GuideHistory

    def formfield_for_dbfield(self, db_field, **kwargs):
        if db_field.name == "life_events":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return _formfield(db_field, **kwargs)


class LifeEventViewSet(ModelViewSet):
    model = LifeEvent
    icon = "folder-open-1"
    menu_label = "主题分类"
    form_fields = ["name", "slug", "description", "audience", "order"]
    list_display = ["name", "audience", "order"]


class ConnectorForm(forms.ModelForm):
    """The secret is written, never shown again; left empty on edit it stays as it was."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["secret"].widget = forms.PasswordInput(
            render_value=self.is_bound, attrs={"autocomplete": "new-password"}
        )
        self._old_secret = self.instance.secret if self.instance.pk else ""
        if self._old_secret:
            self.fields["secret"].help_text = "已设置；留空则保持不变"
        for name in ("input_fields", "result_mapping"):
            self.fields[name].widget.attrs["rows"] = 5

    def clean_secret(self):
        return self.cleaned_data.get("secret") or self._old_secret


class ConnectorCreate(CreateView):
    def save_instance(self):
        return actions.save_connector(self.request.user, self.form.save(commit=False))


class ConnectorEdit(EditView):
    def save_instance(self):
        return actions.save_connector(self.request.user, self.form.save(commit=False))


class ConnectorDelete(DeleteView):
    def delete_action(self):
        actions.delete_connector(self.request.user, self.object)


class ConnectorViewSet(ModelViewSet):
    model = QueryConnector
    icon = "search"
    menu_label = "微查询接口"
    form_fields = [
        "name",
        "slug",
        "description",
        "department",
        "guide",
        "endpoint",
        "method",
        "auth_type",
        "auth_header",
        "app_id",
        "secret",
        "input_fields",
        "result_mapping",
        "empty_message",
        "timeout_seconds",
        "cache_seconds",
        "keyword",
        "enabled",
    ]
    list_display = ["name", "department", "auth_type", "enabled", "updated_at"]
    search_fields = ["name", "slug"]
    add_view_class = ConnectorCreate
    edit_view_class = ConnectorEdit
    delete_view_class = ConnectorDelete

    def formfield_for_dbfield(self, db_field, **kwargs):
        return _formfield(db_field, **kwargs)

    def get_form_class(self, for_update=False):
        return modelform_factory(
            self.model,
            form=ConnectorForm,
            formfield_callback=self.formfield_for_dbfield,
            fields=self.form_fields,
        )


class AppointmentsMenuItem(MenuItem):
    def is_shown(self, request):
        return can(request.user, "manage_appointments")


class FiguresMenuItem(MenuItem):
    def is_shown(self, request):
        return can(request.user, "view_service_figures")


class ServicesGroup(ViewSetGroup):
    menu_label = "办事服务"
    menu_icon = "list-ul"
    menu_order = 170
    items = (
        GuideViewSet("service_guides"),
        LifeEventViewSet("service_events"),
        ConnectorViewSet("query_connectors"),
    )


@hooks.register("register_admin_viewset")
def register_services_viewsets():
    return ServicesGroup()


@hooks.register("register_admin_menu_item")
def register_appointments_menu():
    return AppointmentsMenuItem(
        "预约办事", reverse("services_admin:appointments"), icon_name="date", order=173
    )


@hooks.register("register_admin_menu_item")
def register_figures_menu():
    return FiguresMenuItem(
        "好差评统计", reverse("services_admin:figures"), icon_name="table", order=172
    )


register_permission_policy(
    ServiceGuide,
    GovhubPermissionPolicy(
        ServiceGuide, {a: "manage_guides" for a in ("add", "change", "delete", "view")}
    ),
)
register_permission_policy(
    LifeEvent,
    GovhubPermissionPolicy(
        LifeEvent,
        {a: "manage_guides" for a in ("add", "change", "delete", "view")},
        dept_field=None,
    ),
)
register_permission_policy(
    QueryConnector,
    GovhubPermissionPolicy(
        QueryConnector,
        {a: "manage_connectors" for a in ("add", "change", "delete", "view")},
    ),
)

"""Back-office menu of the matrix: the account registry (a ModelViewSet whose create/edit go
through the registry's domain functions) and the supervision pages."""

from __future__ import annotations

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic import CreateView, EditView, IndexView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from govhub.core.admin_policy import GovhubPermissionPolicy
from govhub.core.permissions import can
from govhub.matrix import actions, content_views
from govhub.matrix import admin_views as v
from govhub.matrix.forms import AccountForm
from govhub.matrix.models import Account


class AccountCreateView(CreateView):
    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "for_user": self.request.user}

    def save_instance(self):
        data = dict(self.form.cleaned_data)
        channel = data.pop("channel", None)
        acc = actions.create_account(self.request.user, **data)
        return actions.link_channel_account(self.request.user, acc, channel) if channel else acc


class AccountEditView(EditView):
    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "for_user": self.request.user}

    def save_instance(self):
        acc = Account.objects.get(pk=self.object.pk)
        changed = {k: self.form.cleaned_data[k] for k in self.form.changed_data}
        channel = changed.pop("channel", None)
        acc = actions.update_account(self.request.user, acc, **changed)
        return actions.link_channel_account(self.request.user, acc, channel) if channel else acc


class AccountIndexView(IndexView):
    """The list holds the accounts of the person's own department subtree (Wagtail 8 no longer
    asks the viewset's get_queryset, so the scope is set on the view)."""

    def get_base_queryset(self):
        return actions.accounts_for(self.request.user).order_by("platform", "name")


class AccountViewSet(ModelViewSet):
    model = Account
    form_class = AccountForm
    icon = "list-ul"
    menu_label = "账号台账"
    add_to_admin_menu = False
    list_display = ["name", "platform", "department", "level", "kind", "verification", "closed_on"]
    list_filter = ["platform", "level", "kind", "verification"]
    search_fields = ["name", "remote_id", "filing_number"]
    index_view_class = AccountIndexView
    add_view_class = AccountCreateView
    edit_view_class = AccountEditView
    list_export = [
        "name",
        "platform",
        "remote_id",
        "department",
        "level",
        "kind",
        "filing_number",
        "opened_on",
        "closed_on",
    ]

    def get_form_class(self, for_update=False):
        return self.form_class


class SupervisionMenuItem(MenuItem):
    def __init__(self, label, url_name, *, action="view_supervision", icon_name="view", order=0):
        self.govhub_action = action
        super().__init__(label, reverse(url_name), icon_name=icon_name, order=order)

    def is_shown(self, request):
        return can(request.user, self.govhub_action)


class MatrixGroup(ViewSetGroup):
    menu_label = "新媒体监管"
    menu_icon = "site"
    menu_order = 400
    items = (AccountViewSet("matrix_accounts"),)


@hooks.register("register_admin_viewset")
def register_matrix_viewsets():
    return MatrixGroup()


@hooks.register("register_admin_urls")
def register_matrix_urls():
    return [
        path("matrix/", v.matrix_home, name="matrix_home"),
        path("matrix/account/<int:pk>/", v.account_detail, name="matrix_account"),
        path("matrix/import/", v.import_view, name="matrix_import"),
        path("matrix/inspection/", v.inspection_view, name="matrix_inspection"),
        path("matrix/inspection/settings/", v.settings_view, name="matrix_settings"),
        path("matrix/inspection/run/", v.run_now, name="matrix_run_now"),
        path("matrix/rectifications/", v.rectification_list, name="matrix_rectifications"),
        path(
            "matrix/rectifications/<int:pk>/", v.rectification_detail, name="matrix_rectification"
        ),
        path(
            "matrix/rectifications/new/<int:account_pk>/",
            v.rectification_new,
            name="matrix_rectification_new",
        ),
        path("matrix/duplicates/", v.duplicates_view, name="matrix_duplicates"),
        path("matrix/counterfeits/", v.counterfeits_view, name="matrix_counterfeits"),
        path("matrix/rankings/", v.rankings_view, name="matrix_rankings"),
        path(
            "matrix/finding/<int:pk>/source/",
            content_views.finding_source,
            name="matrix_finding_source",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_supervision_menu():
    from wagtail.admin.menu import Menu, SubmenuMenuItem

    return SubmenuMenuItem(
        "新媒体督导",
        Menu(
            items=[
                SupervisionMenuItem("检查结果", "matrix_inspection", order=1),
                SupervisionMenuItem(
                    "整改通知", "matrix_rectifications", action="view_supervision", order=2
                ),
                SupervisionMenuItem("重复内容", "matrix_duplicates", order=3),
                SupervisionMenuItem("山寨账号", "matrix_counterfeits", order=4),
                SupervisionMenuItem("传播力排行", "matrix_rankings", order=5),
                SupervisionMenuItem("数据导入", "matrix_import", action="manage_registry", order=6),
            ]
        ),
        icon_name="warning",
        order=410,
    )


register_permission_policy(
    Account,
    GovhubPermissionPolicy(
        Account,
        {"add": "manage_registry", "change": "manage_registry", "view": "view_supervision"},
    ),
)

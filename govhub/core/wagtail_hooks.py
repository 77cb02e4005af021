"""Back-office pages of the foundation: departments, staff roles, working days, the audit log."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic import CreateView, DeleteView, EditView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from govhub.core import actions
from govhub.core.admin_policy import GovhubPermissionPolicy
from govhub.core.forms import DepartmentForm, MembershipForm, WorkdayOverrideForm
from govhub.core.models import AuditRecord, Department, Membership, WorkdayOverride
from govhub.core.permissions import can


class DepartmentCreateView(CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        fields = {k: data[k] for k in ["short_name", "phone", "address", "duties", "is_active"]}
        return actions.create_department(
            self.request.user,
            parent=data.get("parent"),
            name=data["name"],
            code=data["code"],
            level=data["level"],
            kind=data["kind"],
            **fields,
        )


class DepartmentEditView(EditView):
    def save_instance(self):
        changes = {k: self.form.cleaned_data[k] for k in self.form.changed_data if k != "code"}
        dept = Department.objects.get(pk=self.object.pk)
        return actions.update_department(self.request.user, dept, **changes) if changes else dept


class DepartmentViewSet(ModelViewSet):
    model = Department
    form_class = DepartmentForm

    def get_form_class(self, for_update=False):
        return self.form_class

    icon = "group"
    menu_label = "部门"
    add_to_admin_menu = False
    list_display = ["name", "code", "level", "kind", "phone"]
    list_filter = ["level", "kind"]
    search_fields = ["name", "code"]
    ordering = ["path"]
    add_view_class = DepartmentCreateView
    edit_view_class = DepartmentEditView
    inspect_view_enabled = True
    # not the tree's own bookkeeping (path, depth, numchild)
    inspect_view_fields = [
        "name",
        "short_name",
        "code",
        "level",
        "kind",
        "phone",
        "address",
        "duties",
        "is_active",
    ]

    def get_queryset(self, request):
        return Department.objects.order_by("path")


class MembershipCreateView(CreateView):
    def save_instance(self):
        d = self.form.cleaned_data
        return actions.assign_role(
            self.request.user,
            user=d["user"],
            department=d["department"],
            role=d["role"],
            title=d["title"],
        )


class MembershipDeleteView(DeleteView):
    def get_usage_url(self):
        """Nothing refers to a membership; Wagtail's usage page needs the change right, which
        memberships do not have (a role is revoked and given anew, never edited)."""
        return None

    def delete_action(self):
        actions.revoke_role(self.request.user, self.object)


class MembershipViewSet(ModelViewSet):
    model = Membership
    form_class = MembershipForm

    def get_form_class(self, for_update=False):
        return self.form_class

    icon = "user"
    menu_label = "岗位与角色"
    add_to_admin_menu = False
    list_display = ["user", "department", "role", "title"]
    list_filter = ["role"]
    add_view_class = MembershipCreateView
    delete_view_class = MembershipDeleteView


class WorkdayCreateView(CreateView):
    def save_instance(self):
        d = self.form.cleaned_data
        return actions.set_workday_override(
            self.request.user, date=d["date"], is_working_day=d["is_working_day"], note=d["note"]
        )


class WorkdayEditView(EditView):
    def save_instance(self):
        d = self.form.cleaned_data
        return actions.set_workday_override(
            self.request.user, date=d["date"], is_working_day=d["is_working_day"], note=d["note"]
        )


class WorkdayDeleteView(DeleteView):
    def delete_action(self):
        actions.remove_workday_override(self.request.user, self.object)


class WorkdayViewSet(ModelViewSet):
    model = WorkdayOverride
    form_class = WorkdayOverrideForm

    def get_form_class(self, for_update=False):
        return self.form_class

    icon = "date"
    menu_label = "工作日调整"
    add_to_admin_menu = False
    list_display = ["date", "is_working_day", "note"]
    add_view_class = WorkdayCreateView
    edit_view_class = WorkdayEditView
    delete_view_class = WorkdayDeleteView


class OrganisationGroup(ViewSetGroup):
    menu_label = "组织与权限"
    menu_icon = "group"
    menu_order = 800
    items = (
        DepartmentViewSet("departments"),
        MembershipViewSet("memberships"),
        WorkdayViewSet("workdays"),
    )


@hooks.register("register_admin_viewset")
def register_organisation():
    return OrganisationGroup()


def audit_log_view(request):
    """The audit log, newest first, in words (audit_display), with the chain check on demand."""
    if not can(request.user, "view_audit"):
        from govhub.core.permissions import require

        require(request.user, "view_audit")
        raise PermissionDenied
    from django.contrib.auth import get_user_model
    from django.core.paginator import Paginator

    from govhub.core import audit_display as shown
    from govhub.core.audit import verify

    qs = AuditRecord.objects.order_by("-seq")
    action = request.GET.get("action", "").strip()[:64]
    if action:
        qs = qs.filter(action=action)
    page = Paginator(qs, 50).get_page(request.GET.get("p"))
    people = dict(
        get_user_model()
        .objects.filter(pk__in={r.actor_id for r in page if r.actor_id})
        .values_list("pk", "first_name")
    )
    rows = [
        {
            "record": r,
            "actor": shown.actor_text(r, people),
            "action": shown.action_label(r.action),
            "object": shown.object_kind(r.object_type),
            "details": shown.details(r.summary),
        }
        for r in page
    ]
    codes = AuditRecord.objects.order_by().values_list("action", flat=True).distinct()
    choices = sorted({(shown.action_label(c), c) for c in codes})
    problems = verify() if request.GET.get("verify") else None
    return render(
        request,
        "core/audit_log.html",
        {
            "page_obj": page,
            "rows": rows,
            "choices": choices,
            "problems": problems,
            "action": action,
            "verified": request.GET.get("verify"),
        },
    )


@hooks.register("register_admin_urls")
def register_audit_url():
    from django.urls import include

    from govhub.core import twofactor_views, webauthn_views

    ceremonies = [
        path(
            "register/begin/",
            webauthn_views.BeginRegistration.as_view(),
            name="credential-registration-begin",
        ),
        path(
            "register/complete/",
            webauthn_views.CompleteRegistration.as_view(),
            name="credential-registration-complete",
        ),
        path(
            "verify/begin/",
            webauthn_views.BeginAuthentication.as_view(),
            name="credential-authentication-begin",
        ),
        path(
            "verify/complete/",
            webauthn_views.CompleteAuthentication.as_view(),
            name="credential-authentication-complete",
        ),
    ]
    return [
        path("audit-log/", audit_log_view, name="govhub_audit_log"),
        path("2fa/setup/", twofactor_views.setup, name="twofactor_setup"),
        path("2fa/verify/", twofactor_views.verify, name="twofactor_verify"),
        path("2fa/reset/<int:user_id>/", twofactor_views.reset, name="twofactor_reset"),
        path("2fa/webauthn/", include((ceremonies, "otp_webauthn"))),
        path("2fa/keys/", webauthn_views.keys, name="webauthn_keys"),
        path("2fa/keys/<int:key_id>/remove/", webauthn_views.remove, name="webauthn_remove"),
        path("2fa/codes/", webauthn_views.new_codes, name="webauthn_new_codes"),
    ]


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, action: str, **kwargs):
        self.govhub_action = action
        super().__init__(*args, **kwargs)

    def is_shown(self, request):
        return can(request.user, self.govhub_action)


@hooks.register("register_settings_menu_item")
def register_audit_menu():
    return PermissionMenuItem(
        "审计日志", reverse("govhub_audit_log"), icon_name="history", order=900, action="view_audit"
    )


register_permission_policy(
    Department,
    GovhubPermissionPolicy(
        Department,
        {"add": "manage_departments", "change": "manage_departments", "view": "manage_departments"},
        dept_field=None,
    ),
)
register_permission_policy(
    Membership,
    GovhubPermissionPolicy(
        Membership,
        {"add": "manage_staff", "delete": "manage_staff", "view": "manage_staff"},
    ),
)
register_permission_policy(
    WorkdayOverride,
    GovhubPermissionPolicy(
        WorkdayOverride,
        {
            "add": "manage_workdays",
            "change": "manage_workdays",
            "delete": "manage_workdays",
            "view": "manage_workdays",
        },
        dept_field=None,
    ),
)


@hooks.register("construct_homepage_panels")
def add_my_roles_panel(request, panels):
    from wagtail.admin.ui.components import Component

    class MyRolesPanel(Component):
        """Dashboard panel: which roles I hold in which departments."""

        name = "govhub_my_roles"
        order = 50
        template_name = "core/panel_my_roles.html"

        def get_context_data(self, parent_context=None):
            memberships = request.user.memberships.select_related("department").order_by("role")
            return {"memberships": memberships, "user": request.user}

    panels.append(MyRolesPanel())


@hooks.register("register_account_menu_item")
def register_security_keys_item(request):
    """账号设置 → 安全密钥: where a person adds or removes a security key or passkey."""
    return {
        "url": reverse("webauthn_keys"),
        "label": "安全密钥",
        "help_text": "登记或移除登录第二步验证所用的安全密钥、通行密钥",
    }

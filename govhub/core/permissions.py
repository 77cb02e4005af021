"""The one answer to "may this person do this action on this object?".

Each action names the roles that may perform it. A role held in a department reaches that
department's whole subtree; an object is in scope when one of its departments lies in that
subtree. The back office, the API, commands and jobs all ask :func:`can`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import models

from govhub.core.models import Department, Membership, Role

R = Role


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    roles: frozenset[str]


ACTIONS: dict[str, Action] = {}


def register_action(name: str, label: str, roles: Iterable[str]) -> Action:
    """Declare an action; apps call this at import time for their own actions."""
    action = Action(name, label, frozenset(str(r) for r in roles))
    ACTIONS[name] = action
    return action


# Foundation actions. Apps add theirs in their own ``permissions`` modules through the same call.
for _name, _label, _roles in [
    ("manage_departments", "管理部门", [R.ADMINISTRATOR]),
    ("manage_staff", "管理人员与岗位", [R.ADMINISTRATOR]),
    ("manage_settings", "系统设置", [R.ADMINISTRATOR]),
    ("manage_workdays", "维护工作日", [R.ADMINISTRATOR]),
    ("view_audit", "查看审计日志", [R.ADMINISTRATOR, R.SUPERVISOR]),
    ("view_personal_data", "查看个人信息原文", [R.DISPATCHER, R.HANDLER, R.SUPERVISOR]),
    # publishing
    ("edit_content", "编辑内容", [R.EDITOR]),
    ("review_content", "审核内容", [R.REVIEWER]),
    ("sign_content", "签发内容", [R.SIGNER]),
    ("withdraw_content", "撤回内容", [R.EDITOR, R.SIGNER]),
    ("manage_channels", "管理发布渠道账号", [R.ADMINISTRATOR]),
    ("override_check", "放行发布前检查", [R.REVIEWER, R.SIGNER]),
    # letters
    ("view_letter", "查看信件", [R.DISPATCHER, R.HANDLER, R.REVIEWER, R.SUPERVISOR]),
    ("record_letter", "登记来信", [R.DISPATCHER, R.HANDLER]),
    ("dispatch_letter", "分办信件", [R.DISPATCHER]),
    ("handle_letter", "承办信件", [R.HANDLER]),
    ("review_reply", "审核答复", [R.REVIEWER]),
    ("approve_extension", "审批延期", [R.SUPERVISOR]),
    ("supervise_letter", "督办信件", [R.SUPERVISOR]),
    ("publish_letter", "公开信件", [R.REVIEWER, R.SUPERVISOR]),
    ("manage_letter_policy", "设置办理时限与分办规则", [R.ADMINISTRATOR]),
    # answers, WeChat and the inbox
    ("manage_answers", "维护关键词与知识库", [R.EDITOR, R.ADMINISTRATOR]),
    ("handle_inbox", "处理留言", [R.EDITOR, R.DISPATCHER, R.HANDLER]),
    ("manage_wechat", "管理公众号菜单与设置", [R.ADMINISTRATOR, R.EDITOR]),
    # supervision
    ("manage_registry", "维护账号台账", [R.SUPERVISOR, R.ADMINISTRATOR]),
    ("view_supervision", "查看监管数据", [R.SUPERVISOR, R.ADMINISTRATOR]),
    ("send_rectification", "下发整改通知", [R.SUPERVISOR]),
    ("answer_rectification", "反馈整改", [R.EDITOR, R.ADMINISTRATOR]),
]:
    register_action(_name, _label, _roles)


def departments_of(obj: object) -> list[Department] | None:
    """The departments an object belongs to, or None for objects without a department."""
    if obj is None:
        return None
    if isinstance(obj, Department):
        return [obj]
    if _is_page(obj):
        return page_departments(obj)
    getter = getattr(obj, "permission_departments", None)
    if callable(getter):
        return [d for d in getter() if d is not None]
    dept = getattr(obj, "department", None)
    return [dept] if isinstance(dept, Department) else None


def _is_page(obj: object) -> bool:
    from wagtail.models import Page

    return isinstance(obj, Page)


def page_departments(page) -> list[Department] | None:
    """A portal page belongs to its own 主管部门, else to its nearest column's that has one (a
    bureau's article in a bureau's column): page rights follow the department tree. A page
    with none above it (the home page, a county-wide column) belongs to no department."""
    specific = page.specific_deferred if hasattr(page, "specific_deferred") else page
    dept = getattr(specific, "department", None)
    if isinstance(dept, Department):
        return [dept]
    for ancestor in page.get_ancestors().specific().reverse():
        dept = getattr(ancestor, "department", None)
        if isinstance(dept, Department):
            return [dept]
    return None


def pages_for(user, action: str, pages):
    """The pages (columns in a chooser) on which ``user`` may perform ``action``: a bureau's
    people reach their bureau's columns and the county-wide ones, not another bureau's. Given a
    queryset, answers a queryset (for a form's choice field); given a list, a list."""
    allowed = [p for p in pages if can(user, action, p)]
    if isinstance(pages, models.QuerySet):
        return pages.filter(pk__in=[p.pk for p in allowed])
    return allowed


def _memberships(user) -> list[Membership]:
    cached = getattr(user, "_govhub_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("department"))
        user._govhub_memberships = cached
    return cached


def roles_of(user) -> set[str]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return {m.role for m in _memberships(user)}


def scope_roots(user, action: str) -> list[Department]:
    """The departments under which ``user`` may perform ``action``."""
    spec = ACTIONS.get(action)
    if spec is None:
        raise ValueError(f"unknown action {action!r}")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.is_superuser:
        return list(Department.get_root_nodes())
    return [m.department for m in _memberships(user) if m.role in spec.roles]


def can(user, action: str, obj: object = None) -> bool:
    """May ``user`` perform ``action`` on ``obj`` (or at all, when ``obj`` is None)?"""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    roots = scope_roots(user, action)
    if not roots:
        return False
    depts = departments_of(obj)
    if depts is None:
        return True
    return any(root.contains(d) for root in roots for d in depts)


def require(user, action: str, obj: object = None, *, request=None) -> None:
    """Raise PermissionDenied (and record the refusal) unless ``can`` says yes."""
    if can(user, action, obj):
        return
    from govhub.core import audit

    audit.record(
        actor=user,
        action="permission_denied",
        obj=obj,
        summary={"attempted": action},
    )
    raise PermissionDenied(f"无权执行“{ACTIONS[action].label}”")


def scope_queryset(user, action: str, qs: models.QuerySet, dept_field: str = "department"):
    """Limit ``qs`` to objects whose ``dept_field`` lies under one of the user's scope roots."""
    roots = scope_roots(user, action)
    if not roots:
        return qs.none()
    if user.is_superuser:
        return qs
    cond = models.Q()
    for root in roots:
        cond |= models.Q(**{f"{dept_field}__path__startswith": root.path})
    return qs.filter(cond)


def get_for(user, action: str, qs: models.QuerySet, pk) -> models.Model:
    """Fetch one object the user may act on; refusal and absence look alike to the caller."""
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise PermissionDenied("对象不存在或无权访问")
    require(user, action, obj)
    return obj

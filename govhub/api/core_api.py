from __future__ import annotations

from ninja import Router, Schema

from govhub.core.models import Department
from govhub.core.permissions import ACTIONS, can, require, roles_of

router = Router(tags=["基础信息"])


class MeOut(Schema):
    username: str
    roles: list[str]
    departments: list[str]


class DepartmentOut(Schema):
    id: int
    code: str
    name: str
    level: str
    kind: str
    parent_code: str | None
    depth: int


@router.get("/me", response=MeOut, summary="当前用户及其岗位")
def me(request):
    user = request.user
    return {
        "username": user.get_username(),
        "roles": sorted(roles_of(user)),
        "departments": sorted(
            {m.department.code for m in user.memberships.select_related("department")}
        ),
    }


@router.get("/departments", response=list[DepartmentOut], summary="部门树")
def departments(request):
    rows = list(Department.objects.order_by("path"))
    by_path = {d.path: d for d in rows}
    out = []
    for d in rows:
        parent = by_path.get(d.path[: -Department.steplen]) if d.depth > 1 else None
        out.append(
            {
                "id": d.id,
                "code": d.code,
                "name": d.name,
                "level": d.level,
                "kind": d.kind,
                "parent_code": parent.code if parent else None,
                "depth": d.depth,
            }
        )
    return out


class CanOut(Schema):
    action: str
    department: str | None
    allowed: bool


@router.get("/permissions/check", response=CanOut, summary="权限判断（与后台同一函数）")
def check_permission(request, action: str, department: str | None = None):
    if action not in ACTIONS:
        from govhub.api.errors import DomainError

        raise DomainError("unknown_action", f"未知的操作：{action}")
    dept = Department.objects.filter(code=department).first() if department else None
    return {"action": action, "department": department, "allowed": can(request.user, action, dept)}


@router.get("/audit/verify", summary="校验审计日志链")
def audit_verify(request):
    require(request.user, "view_audit")
    from govhub.core.audit import verify

    problems = verify()
    return {
        "ok": not problems,
        "problems": [{"seq": p.seq, "message": p.message} for p in problems],
    }

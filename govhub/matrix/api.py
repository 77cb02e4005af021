"""The matrix API: registry, imports, inspection findings, rectifications, duplicates,
counterfeits and rankings. Every call goes through the same domain functions as the back office."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from govhub.core import paging
from govhub.core.errors import DomainError
from govhub.core.models import Department
from govhub.core.permissions import get_for, require
from govhub.core.schemas import StrictIn
from govhub.matrix import actions, collect, counterfeit, duplicates, influence, inspection
from govhub.matrix.models import Account, Finding, Rectification, SeenAccount, SeenStatus

router = Router(tags=["新媒体监管 matrix"])
ROUTERS = [("/matrix", router)]
MAX_UPLOAD = 20 * 1024 * 1024


class AccountIn(StrictIn):
    platform: str
    name: str
    remote_id: str
    department: str  # department code
    level: str = ""
    kind: str = "government"
    verification: str = "verified"
    filing_number: str = ""
    opened_on: dt.date | None = None
    closed_on: dt.date | None = None
    has_interaction: bool = True
    operator_name: str = ""
    operator_phone: str = ""


class AccountPatch(Schema):
    name: str | None = None
    department: str | None = None
    verification: str | None = None
    filing_number: str | None = None
    closed_on: dt.date | None = None
    has_interaction: bool | None = None
    operator_name: str | None = None
    operator_phone: str | None = None


def _account_out(a: Account) -> dict:
    return {
        "id": a.pk,
        "platform": a.platform,
        "name": a.name,
        "remote_id": a.remote_id,
        "department": a.department.code,
        "level": a.level,
        "kind": a.kind,
        "verification": a.verification,
        "filing_number": a.filing_number,
        "opened_on": a.opened_on,
        "closed_on": a.closed_on,
        "has_interaction": a.has_interaction,
    }


def _dept(code: str) -> Department:
    d = Department.objects.filter(code=code).first()
    if d is None:
        raise DomainError("unknown_department", f"部门“{code}”不存在", {"department": code})
    return d


def _validate_choices(values: dict) -> None:
    from govhub.core.models import Level
    from govhub.matrix.models import AccountKind, Platform, Verification

    for key, enum in [
        ("platform", Platform),
        ("level", Level),
        ("kind", AccountKind),
        ("verification", Verification),
    ]:
        if key in values and values[key] not in enum.values:
            raise DomainError(
                "invalid_choice",
                f"{key} 取值无效",
                {key: values[key], "allowed": list(enum.values)},
            )


@router.get("/accounts")
def list_accounts(request, platform: str = "", q: str = "", limit: int = 200, offset: int = 0):
    """Accounts of the caller's region."""
    require(request.user, "view_supervision")
    qs = actions.accounts_for(request.user).order_by("id")
    if platform:
        qs = qs.filter(platform=platform)
    if q:
        qs = qs.filter(name__icontains=q[:50])
    part = paging.window(offset, limit, max_limit=1000)
    return {"count": qs.count(), "items": [_account_out(a) for a in qs[part]]}


@router.post("/accounts")
def create_account(request, payload: AccountIn):
    values = payload.dict()
    values["department"] = _dept(values["department"])
    values["level"] = values["level"] or values["department"].level
    _validate_choices(values)
    try:
        acc = actions.create_account(request.user, **values)
    except actions.RegistryError as exc:
        raise DomainError(exc.code, exc.message)
    return _account_out(acc)


@router.patch("/accounts/{account_id}")
def update_account(request, account_id: int, payload: AccountPatch):
    acc = get_for(
        request.user, "manage_registry", Account.objects.select_related("department"), account_id
    )
    values = {k: v for k, v in payload.dict().items() if v is not None}
    if "department" in values:
        values["department"] = _dept(values["department"])
    _validate_choices(values)
    try:
        acc = actions.update_account(request.user, acc, **values)
    except actions.RegistryError as exc:
        raise DomainError(exc.code, exc.message)
    return _account_out(acc)


@router.get("/accounts/{account_id}/history")
def account_history(request, account_id: int):
    acc = get_for(request.user, "view_supervision", Account.objects.all(), account_id)
    return [
        {
            "at": c.at,
            "actor": c.actor.get_username() if c.actor else "",
            "action": c.action,
            "changes": c.changes,
        }
        for c in acc.changes.select_related("actor")
    ]


@router.post("/import/{kind}")
def import_file(
    request,
    kind: str,
    file: UploadedFile = File(...),  # noqa: B008 - django-ninja declares parameters this way
    import_valid_rows: bool = Form(False),  # noqa: B008
):
    """Import accounts, posts, figures, messages or seen accounts. With errors nothing is
    imported (422 with the row report) unless ``import_valid_rows`` is set."""
    if kind not in {"accounts", "posts", "figures", "messages", "seen"}:
        raise DomainError(
            "unknown_kind", "导入类型应为 accounts/posts/figures/messages/seen", status=404
        )
    if file.size > MAX_UPLOAD:
        raise DomainError("too_large", "文件超过 20 MB，请分批导入", status=413)
    data = file.read()
    if kind == "accounts":
        r = actions.import_accounts(
            request.user, data, file.name, import_valid_rows=import_valid_rows
        )
        out = r.as_dict()
        failed = bool(r.file_errors) or (r.invalid and not import_valid_rows)
    elif kind == "seen":
        out = counterfeit.import_seen(request.user, data, file.name, source=file.name)
        failed = bool(out["file_errors"] or out["errors"])
    else:
        r = collect.import_records(
            request.user, kind, data, file.name, import_valid_rows=import_valid_rows
        )
        out = r.as_dict()
        failed = bool(r.file_errors) or (bool(r.errors) and not import_valid_rows)
    if failed:
        raise DomainError("import_invalid", "文件有错误，未导入任何数据", out, status=422)
    return out


@router.get("/findings")
def findings(request, date: dt.date | None = None):
    require(request.user, "view_supervision")
    accounts = actions.accounts_for(request.user)
    day = date or Finding.objects.order_by("-run_date").values_list("run_date", flat=True).first()
    qs = (
        Finding.objects.filter(run_date=day, account__in=accounts)
        if day
        else Finding.objects.none()
    )
    return {
        "date": day,
        "items": [
            {
                "account": f.account_id,
                "subject": f.subject,
                "rule": f.rule,
                "severity": f.severity,
                "message": f.message,
            }
            for f in qs
        ],
    }


@router.post("/inspection/run", response={202: dict})
def run_inspection(request):
    """Start the whole supervision run in the job worker: 202 at once; the findings appear in
    ``GET /inspection`` when it ends (``already_queued`` while one is waiting or running)."""
    queued = actions.queue_inspection(request.user)
    return 202, {"status": "queued" if queued else "already_queued"}


class RectIn(StrictIn):
    account: int
    problems: str
    deadline: dt.date


class TextIn(StrictIn):
    text: str = ""


def _rect_out(r: Rectification) -> dict:
    return {
        "id": r.pk,
        "number": r.number,
        "account": r.account_id,
        "department": r.department.code,
        "status": r.status,
        "deadline": r.deadline,
        "response": r.response,
    }


@router.post("/rectifications")
def issue(request, payload: RectIn):
    acc = get_for(
        request.user,
        "send_rectification",
        Account.objects.select_related("department"),
        payload.account,
    )
    try:
        r = inspection.issue_rectification(request.user, acc, payload.problems, payload.deadline)
    except inspection.RectificationError as exc:
        raise DomainError(exc.code, exc.message)
    return _rect_out(r)


@router.post("/rectifications/{rect_id}/{action}")
def rect_action(request, rect_id: int, action: str, payload: TextIn):
    fn = {
        "answer": inspection.answer_rectification,
        "close": inspection.close_rectification,
        "return": inspection.return_rectification,
    }.get(action)
    if fn is None:
        raise DomainError("unknown_action", "操作应为 answer/close/return", status=404)
    rect = get_object_or_404(Rectification.objects.select_related("department"), pk=rect_id)
    try:
        rect = fn(request.user, rect, payload.text)
    except inspection.RectificationError as exc:
        raise DomainError(exc.code, exc.message)
    return _rect_out(rect)


@router.get("/duplicates")
def duplicate_shares(request, days: int = 60):
    require(request.user, "view_supervision")
    since = timezone.now() - dt.timedelta(days=max(1, min(days, 365)))
    rows = duplicates.duplicate_shares(actions.accounts_for(request.user), since)
    total = sum(r["total"] for r in rows)
    dup = sum(r["dup"] for r in rows)
    return {
        "posts": total,
        "duplicates": dup,
        "share": round(dup / total, 3) if total else 0.0,
        "accounts": [
            {
                "account": r["account_id"],
                "name": r["account__name"],
                "posts": r["total"],
                "duplicates": r["dup"],
                "share": r["share"],
            }
            for r in rows
        ],
    }


@router.get("/counterfeits")
def counterfeits(request):
    require(request.user, "view_supervision")
    qs = (
        SeenAccount.objects.filter(status=SeenStatus.ALERT)
        .select_related("best_match")
        .order_by("-similarity")
    )
    return [
        {
            "id": s.pk,
            "platform": s.platform,
            "name": s.name,
            "remote_id": s.remote_id,
            "imitates": s.best_match.name if s.best_match else None,
            "similarity": s.similarity,
        }
        for s in qs
    ]


@router.get("/rankings")
def rankings(request, month: str = "", platform: str = "wechat", group: str = "", value: str = ""):
    require(request.user, "view_supervision")
    try:
        m = dt.date.fromisoformat(month + "-01") if month else timezone.localdate().replace(day=1)
    except ValueError:
        raise DomainError("bad_month", "month 应为 YYYY-MM", {"month": month})
    rows = influence.ranking(
        m, actions.accounts_for(request.user), platform=platform, group=group, value=value
    )
    return [
        {
            "rank": r["rank"],
            "account": r["account"].pk,
            "name": r["account"].name,
            "index": r["index"],
            "prev_rank": r["prev_rank"],
            "change": r["change"],
            "components": r["components"],
        }
        for r in rows
    ]

"""Back-office pages of the account matrix (thin: parse, call the domain, render)."""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from govhub.analytics.charts import sparkline
from govhub.core.permissions import can, get_for, require, scope_queryset
from govhub.core.pii import shown_value
from govhub.matrix import actions, collect, counterfeit, duplicates, influence, inspection
from govhub.matrix.forms import (
    PLATFORM_CHOICES,
    RectificationForm,
    ResponseForm,
    SettingsForm,
    UploadForm,
)
from govhub.matrix.models import (
    Account,
    AccountKind,
    InspectionSettings,
    Rectification,
    RectificationStatus,
    SeenAccount,
    SeenStatus,
)

UPLOAD_TTL = 1800


def _need(request, action: str) -> None:
    if not can(request.user, action):
        require(request.user, action)
        raise PermissionDenied


def _accounts(request):
    return actions.accounts_for(request.user)


def account_detail(request, pk: int):
    _need(request, "view_supervision")
    acc = get_for(
        request.user, "view_supervision", Account.objects.select_related("department"), pk
    )
    return render(
        request,
        "matrix/account_detail.html",
        {
            "acc": acc,
            "contact_name": shown_value(request.user, acc, "operator_name"),
            "contact_phone": shown_value(request.user, acc, "operator_phone"),
            "changes": acc.changes.select_related("actor")[:50],
            "findings": acc.findings.order_by("-run_date")[:20],
            "posts": acc.posts.all()[:20],
            "scores": acc.scores.all()[:12],
            "rects": acc.rectifications.all()[:10],
        },
    )


def import_view(request):
    """Upload a table; show the row-by-row report; optionally import the valid rows."""
    _need(request, "manage_registry")
    report = None
    token = request.POST.get("token", "")
    form = UploadForm()
    if request.method == "POST":
        if token:  # the user chose to import the valid rows of the file checked before
            stored = cache.get(f"matrix-upload:{request.user.pk}:{token}")
            if stored is None:
                messages.error(request, "上传的文件已过期，请重新上传")
                return redirect("matrix_import")
            kind, name, data = stored
            report, kind_label = _run_import(request.user, kind, data, name, True)
            cache.delete(f"matrix-upload:{request.user.pk}:{token}")
            token = ""
        else:
            form = UploadForm(request.POST, request.FILES)
            if form.is_valid():
                f = form.cleaned_data["file"]
                data, name, kind = f.read(), f.name, form.cleaned_data["kind"]
                report, kind_label = _run_import(
                    request.user, kind, data, name, form.cleaned_data["import_valid_rows"]
                )
                if report.get("has_errors") and not report.get("imported"):
                    token = secrets.token_urlsafe(12)
                    cache.set(
                        f"matrix-upload:{request.user.pk}:{token}", (kind, name, data), UPLOAD_TTL
                    )
    return render(request, "matrix/import.html", {"form": form, "report": report, "token": token})


def _run_import(user, kind: str, data: bytes, name: str, valid_only: bool) -> tuple[dict, str]:
    if kind == "accounts":
        r = actions.import_accounts(user, data, name, import_valid_rows=valid_only)
        d = r.as_dict()
        d["rows"] = [x for x in d["rows"] if x["errors"]]
        d["imported"] = r.imported
        d["has_errors"] = bool(r.file_errors or r.invalid)
        d["summary"] = f"有效 {r.valid} 行，错误 {r.invalid} 行；新增 {r.created}，更新 {r.updated}"
        d["importable"] = r.valid if not r.file_errors else 0
    elif kind == "seen":
        d = counterfeit.import_seen(user, data, name, source=name)
        d["rows"] = [{"line": e["line"], "name": "", "errors": [e["message"]]} for e in d["errors"]]
        d["has_errors"] = bool(d["file_errors"] or d["errors"])
        d["summary"] = f"导入 {d['imported']} 个账号，其中疑似山寨 {d['alerts']} 个"
        d["importable"] = 0
    else:
        r = collect.import_records(user, kind, data, name, import_valid_rows=valid_only)
        d = r.as_dict()
        d["rows"] = [{"line": ln, "name": "", "errors": [m]} for ln, m in r.errors]
        d["imported"] = (
            r.created + r.updated + r.unchanged
            if (valid_only or not r.errors) and not r.file_errors
            else 0
        )
        d["has_errors"] = bool(r.file_errors or r.errors)
        d["summary"] = (
            f"新增 {r.created}，更新 {r.updated}，未变化 {r.unchanged}，错误 {len(r.errors)} 行"
        )
        d["importable"] = 1 if r.errors and not r.file_errors else 0
    d["kind"] = kind
    return d, kind


def inspection_view(request):
    _need(request, "view_supervision")
    accounts = _accounts(request)
    rows = inspection.fault_table(accounts)
    for r in rows:
        r["spark"] = sparkline(r["trend"])
    portal = []
    from govhub.matrix.models import Finding

    latest = Finding.objects.order_by("-run_date").values_list("run_date", flat=True).first()
    if latest:
        portal = Finding.objects.filter(run_date=latest, account__isnull=True)
    return render(
        request,
        "matrix/inspection.html",
        {
            "rows": rows,
            "portal": portal,
            "latest": latest,
            "settings": InspectionSettings.current(),
            "can_send": can(request.user, "send_rectification"),
        },
    )


def settings_view(request):
    _need(request, "manage_registry")
    obj = InspectionSettings.current()
    form = SettingsForm(request.POST or None, instance=obj)
    if request.method == "POST" and form.is_valid():
        from django.db import transaction

        from govhub.core import audit

        with transaction.atomic():
            form.save()
            audit.record(
                actor=request.user,
                action="matrix_thresholds_changed",
                obj=obj,
                summary={k: form.cleaned_data[k] for k in form.changed_data},
            )
        messages.success(request, "检查阈值已保存，下次夜间检查起生效")
        return redirect("matrix_inspection")
    return render(request, "matrix/settings.html", {"form": form})


def run_now(request):
    """Start the whole supervision run in the background (supervisors, POST only)."""
    _need(request, "manage_registry")
    if request.method != "POST":
        return redirect("matrix_inspection")
    if actions.queue_inspection(request.user):
        messages.success(request, "检查已在后台开始，通常需要几分钟，完成后刷新本页即可看到结果。")
    else:
        messages.info(request, "上一次检查还在进行中，完成后刷新本页即可看到结果。")
    return redirect("matrix_inspection")


def rectification_new(request, account_pk: int):
    _need(request, "send_rectification")
    acc = get_for(
        request.user, "send_rectification", Account.objects.select_related("department"), account_pk
    )
    initial = {
        "problems": "\n".join(
            f"【{f.get_severity_display()}】{f.message}"
            for f in acc.findings.order_by("-run_date")[:8]
        ),
        "deadline": timezone.localdate() + dt.timedelta(days=10),
    }
    form = RectificationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            rect = inspection.issue_rectification(
                request.user, acc, form.cleaned_data["problems"], form.cleaned_data["deadline"]
            )
        except inspection.RectificationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"整改通知 {rect.number} 已下发给{rect.department.name}")
            return redirect("matrix_rectification", pk=rect.pk)
    return render(request, "matrix/rectification_new.html", {"form": form, "acc": acc})


def _rect_qs(user):
    qs = Rectification.objects.select_related("account", "department")
    a = scope_queryset(user, "view_supervision", qs)
    b = scope_queryset(user, "answer_rectification", qs)
    return (a | b).distinct()


def rectification_list(request):
    if not (can(request.user, "view_supervision") or can(request.user, "answer_rectification")):
        _need(request, "view_supervision")
    qs = _rect_qs(request.user)
    status = request.GET.get("status", "")
    if status in RectificationStatus.values:
        qs = qs.filter(status=status)
    return render(
        request,
        "matrix/rectifications.html",
        {
            "rects": qs[:200],
            "status": status,
            "statuses": RectificationStatus.choices,
            "today": timezone.localdate(),
        },
    )


def rectification_detail(request, pk: int):
    qs = _rect_qs(request.user)
    rect = qs.filter(pk=pk).first()
    if rect is None:
        raise PermissionDenied("对象不存在或无权访问")
    form = ResponseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action")
        fn = {
            "answer": inspection.answer_rectification,
            "close": inspection.close_rectification,
            "return": inspection.return_rectification,
        }.get(action)
        if fn is None:
            form.add_error(None, "未知操作")
        else:
            try:
                fn(request.user, rect, form.cleaned_data["text"])
            except inspection.RectificationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "已保存")
                return redirect("matrix_rectification", pk=rect.pk)
    return render(
        request,
        "matrix/rectification_detail.html",
        {
            "rect": rect,
            "form": form,
            "can_answer": rect.status == "issued"
            and can(request.user, "answer_rectification", rect),
            "can_close": rect.status == "answered"
            and can(request.user, "send_rectification", rect),
        },
    )


def duplicates_view(request):
    _need(request, "view_supervision")
    accounts = _accounts(request)
    days = (
        min(365, max(7, int(request.GET.get("days", 60) or 60)))
        if str(request.GET.get("days", "60")).isdigit()
        else 60
    )
    since = timezone.now() - dt.timedelta(days=days)
    shares = duplicates.duplicate_shares(accounts, since)
    total = sum(r["total"] for r in shares)
    dup = sum(r["dup"] for r in shares)
    return render(
        request,
        "matrix/duplicates.html",
        {
            "shares": shares,
            "clusters": duplicates.clusters(accounts, since),
            "days": days,
            "total": total,
            "dup": dup,
            "share": round(100 * dup / total, 1) if total else 0,
        },
    )


def counterfeits_view(request):
    _need(request, "view_supervision")
    if request.method == "POST":
        seen = (
            SeenAccount.objects.filter(pk=request.POST.get("seen"))
            .select_related("best_match__department")
            .first()
        )
        if seen is None:
            raise PermissionDenied("对象不存在或无权访问")
        try:
            counterfeit.decide_seen(request.user, seen, request.POST.get("status", ""))
        except ValueError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"“{seen.name}”已标记为{seen.get_status_display()}")
        return redirect("matrix_counterfeits")
    qs = (
        SeenAccount.objects.select_related("best_match")
        .exclude(status=SeenStatus.CLEAR)
        .order_by("-similarity")
    )
    return render(
        request,
        "matrix/counterfeits.html",
        {"seen": qs[:300], "alerts": qs.filter(status=SeenStatus.ALERT).count()},
    )


def rankings_view(request):
    _need(request, "view_supervision")
    today = timezone.localdate()
    try:
        month = (
            dt.date.fromisoformat(request.GET.get("month", "") + "-01")
            if request.GET.get("month")
            else today.replace(day=1)
        )
    except ValueError:
        month = today.replace(day=1)
    platform = request.GET.get("platform", "wechat")
    if platform not in dict(PLATFORM_CHOICES):
        platform = "wechat"
    group = request.GET.get("group", "")
    value = request.GET.get("value", "")
    accounts = _accounts(request)
    rows = influence.ranking(month, accounts, platform=platform, group=group, value=value)
    from govhub.core.models import Level

    groups = {
        by: influence.group_ranking(month, accounts, by, platform)
        for by in ("level", "kind", "department")
    }
    months = influence.selectable_months(today)
    return render(
        request,
        "matrix/rankings.html",
        {
            "rows": rows,
            "month": month,
            "months": months,
            "platform": platform,
            "platforms": PLATFORM_CHOICES,
            "group": group,
            "value": value,
            "levels": Level.choices,
            "kinds": AccountKind.choices,
            "groups": groups,
        },
    )


def matrix_home(request):
    return redirect(reverse("matrix_inspection"))

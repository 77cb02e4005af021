"""Back-office pages of content safety: the dictionaries and the leaders list (administrators
change them, reviewers and editors read them), their import and export, and a page to check a
text by hand. Views parse input, call ``actions`` and render."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from govhub.core.errors import FieldErrors
from govhub.core.permissions import can
from govhub.safety import actions
from govhub.safety.findings import SEVERITY_LABELS
from govhub.safety.lexicon import BASE_EDITION, KINDS, LEVELS
from govhub.safety.models import DictionaryRevision, LeaderEntry, Term
from govhub.safety.store import current_lexicon, dictionary_version


def _need(request, action: str) -> None:
    if not can(request.user, action):
        raise PermissionDenied(
            "无权查看此页面" if action.startswith("view") else "只有管理员可以修改词库"
        )


def _ctx(request, **kw) -> dict:
    return {
        "can_manage": can(request.user, "manage_dictionary"),
        "kinds": KINDS,
        "levels": LEVELS,
        "edition": BASE_EDITION,
        **kw,
    }


def dictionary_view(request):
    _need(request, "view_dictionary")
    lex = current_lexicon()
    kind = request.GET.get("kind", "")
    q = (request.GET.get("q") or "").strip()
    origin = request.GET.get("origin", "")
    entries = [e for e in lex.entries if (not kind or e.kind == kind)]
    if q:
        entries = [e for e in entries if q in e.term or q in e.correction or q in e.note]
    if origin:
        entries = [e for e in entries if e.origin == origin]
    local = {(t.kind, t.term): t for t in Term.objects.all()}
    switched_off = [t for t in local.values() if not t.enabled]
    rows = [
        {
            "entry": e,
            "kind_label": KINDS.get(e.kind, e.kind),
            "severity_label": SEVERITY_LABELS.get(e.severity, "按类别默认"),
            "local": local.get((e.kind, e.term)),
        }
        for e in entries
    ]
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    counts = {k: sum(1 for e in lex.entries if e.kind == k) for k in KINDS}
    return render(
        request,
        "safety/dictionary.html",
        _ctx(
            request,
            page=page,
            kind=kind,
            q=q,
            origin=origin,
            counts=counts,
            total=len(lex.entries),
            switched_off=switched_off,
            version=dictionary_version(),
            revisions=DictionaryRevision.objects.select_related("actor")[:8],
        ),
    )


def term_edit(request, pk: int | None = None):
    _need(request, "manage_dictionary")
    term = get_object_or_404(Term, pk=pk) if pk else None
    initial = {}
    if term is None and request.GET.get("kind"):
        # 停用或覆盖基础版词条：表单带上它的内容
        initial = {
            k: request.GET.get(k, "") for k in ("kind", "term", "correction", "note", "source")
        }
    errors: dict[str, str] = {}
    data = request.POST if request.method == "POST" else None
    if request.method == "POST":
        if request.POST.get("delete") and term is not None:
            actions.delete_term(request.user, term)
            messages.success(request, f"已删除本地词条“{term.term}”")
            return redirect("safety_dictionary")
        try:
            saved = actions.save_term(request.user, request.POST.dict(), term)
        except FieldErrors as exc:
            errors = exc.errors
        else:
            messages.success(request, f"已保存“{saved.term}”，新的检查立即生效")
            return redirect(f"{_url('safety_dictionary')}?q={saved.term}")
    return render(
        request,
        "safety/term_form.html",
        _ctx(request, term=term, data=data, initial=initial, errors=errors),
    )


def _url(name: str) -> str:
    from django.urls import reverse

    return reverse(name)


def dictionary_import(request):
    _need(request, "manage_dictionary")
    result = None
    if request.method == "POST":
        f = request.FILES.get("file")
        if f is None:
            messages.error(request, "请选择 CSV 或 Excel 文件")
        elif f.size > 5 * 1024 * 1024:
            messages.error(request, "文件不能超过 5 MB")
        else:
            try:
                which = request.POST.get("what", "terms")
                fn = actions.import_leaders if which == "leaders" else actions.import_terms
                result = fn(request.user, f.read(), f.name)
            except actions.DictionaryError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request, f"导入完成：新增 {result['added']} 条，更新 {result['updated']} 条"
                )
    return render(request, "safety/import.html", _ctx(request, result=result))


def dictionary_export(request, fmt: str):
    _need(request, "view_dictionary")
    lex = current_lexicon()
    head = [
        "类别代码",
        "类别",
        "词语",
        "正确写法/新名称",
        "处理方式",
        "停用日期",
        "说明",
        "来源",
        "来源类型",
    ]
    rows = [
        [
            e.kind,
            KINDS.get(e.kind, e.kind),
            e.term,
            e.correction,
            SEVERITY_LABELS.get(e.severity, ""),
            e.since.isoformat() if e.since else "",
            e.note,
            e.source,
            "本地" if e.origin == "local" else f"基础版 {BASE_EDITION}",
        ]
        for e in lex.entries
    ]
    lead_head = ["姓名", "职务", "层级", "任职日期", "离任日期", "来源", "来源类型"]
    lead_rows = [
        [
            ld.name,
            ld.title,
            LEVELS.get(ld.level, ld.level),
            ld.start.isoformat() if ld.start else "",
            ld.end.isoformat() if ld.end else "",
            ld.source,
            "本地" if ld.origin == "local" else f"基础版 {BASE_EDITION}",
        ]
        for ld in lex.leaders
    ]
    stamp = timezone.localdate().strftime("%Y%m%d")
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = "词库"
        ws.append(head)
        for r in rows:
            ws.append(r)
        ws2 = wb.create_sheet("领导人名单")
        ws2.append(lead_head)
        for r in lead_rows:
            ws2.append(r)
        buf = io.BytesIO()
        wb.save(buf)
        resp = HttpResponse(
            buf.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        resp["Content-Disposition"] = f'attachment; filename="content-dictionary-{stamp}.xlsx"'
        return resp
    buf = io.StringIO()
    w = csv.writer(buf)
    if request.GET.get("what") == "leaders":
        w.writerow(lead_head)
        w.writerows(lead_rows)
        name = f"leaders-{stamp}.csv"
    else:
        w.writerow(head)
        w.writerows(rows)
        name = f"content-dictionary-{stamp}.csv"
    resp = HttpResponse("\ufeff" + buf.getvalue(), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


def leaders_view(request):
    _need(request, "view_dictionary")
    lex = current_lexicon()
    today = timezone.localdate()
    show = request.GET.get("show", "current")
    leaders = sorted(
        lex.leaders, key=lambda ld: (ld.level, ld.title, -(ld.start or dt.date.min).toordinal())
    )
    if show == "current":
        leaders = [ld for ld in leaders if ld.holds_on(today)]
    local = {(x.name, x.title, x.start): x for x in LeaderEntry.objects.all()}
    rows = [
        {
            "leader": ld,
            "level": LEVELS.get(ld.level, ld.level),
            "local": local.get((ld.name, ld.title, ld.start)),
        }
        for ld in leaders
    ]
    return render(request, "safety/leaders.html", _ctx(request, rows=rows, show=show, today=today))


def leader_edit(request, pk: int | None = None):
    _need(request, "manage_dictionary")
    entry = get_object_or_404(LeaderEntry, pk=pk) if pk else None
    initial = {}
    if entry is None and request.GET.get("name"):
        initial = {k: request.GET.get(k, "") for k in ("name", "title", "level", "start", "source")}
    errors: dict[str, str] = {}
    data = request.POST if request.method == "POST" else None
    if request.method == "POST":
        try:
            saved = actions.save_leader(request.user, request.POST.dict(), entry)
        except FieldErrors as exc:
            errors = exc.errors
        else:
            messages.success(request, f"已保存“{saved.title}{saved.name}”")
            return redirect("safety_leaders")
    return render(
        request,
        "safety/leader_form.html",
        _ctx(request, entry=entry, data=data, initial=initial, errors=errors),
    )


def check_view(request):
    """Paste a text and see its findings with positions and suggestions."""
    _need(request, "view_dictionary")
    from govhub.safety.checker import check_text
    from govhub.safety.panel import annotate

    text = (request.POST.get("text") or "")[:50000] if request.method == "POST" else ""
    findings = check_text(text) if text else []
    return render(
        request,
        "safety/check.html",
        _ctx(
            request,
            text=text,
            findings=findings,
            marked=annotate(text, findings),
            checked=bool(text),
        ),
    )

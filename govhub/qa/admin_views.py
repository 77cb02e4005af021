"""Back-office pages for the knowledge base beyond plain editing: import, export, unanswered."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render

from govhub.core.permissions import can, require
from govhub.qa import actions, engine
from govhub.qa.models import KnowledgeEntry, UnansweredQuestion

MAX_UPLOAD = 10 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(label="文件（CSV 或 Excel 表格，或每行一条记录的 JSON 文本）")


def tools(request):
    if not can(request.user, "manage_answers"):
        raise PermissionDenied
    report = None
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            form.add_error("file", "文件不能超过 10 MB")
        else:
            try:
                report = actions.import_entries(request.user, upload.name, upload.read())
            except actions.ImportError_ as exc:
                form.add_error("file", str(exc))
            else:
                if not report.errors:
                    messages.success(
                        request, f"导入完成：新增 {report.created} 条，更新 {report.updated} 条"
                    )
                    return redirect("qa_admin:tools")
    unanswered = engine.top_unanswered(30)
    return render(
        request,
        "qa/admin/tools.html",
        {
            "form": form,
            "report": report,
            "unanswered": unanswered,
            "entries": KnowledgeEntry.objects.count(),
            "top": KnowledgeEntry.objects.filter(hits__gt=0).order_by("-hits")[:10],
        },
    )


def export(request, fmt: str):
    require(request.user, "manage_answers")
    if fmt not in ("csv", "xlsx"):
        fmt = "csv"
    data = actions.export_entries(fmt)
    ctype = (
        "text/csv; charset=utf-8"
        if fmt == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    res = HttpResponse(data, content_type=ctype)
    res["Content-Disposition"] = f'attachment; filename="knowledge-base.{fmt}"'
    return res


def resolve_unanswered(request, pk: int):
    require(request.user, "manage_answers")
    if request.method == "POST":
        UnansweredQuestion.objects.filter(pk=pk).update(resolved=True)
        messages.success(request, "已标记为处理")
    return redirect("qa_admin:tools")

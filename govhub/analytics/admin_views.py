"""Back-office pages of analytics: dashboard, hot topics, department assessment, reports."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from govhub.analytics import assessment, charts, hotspots, reports
from govhub.analytics.models import INDICATORS, AssessmentScheme
from govhub.core.models import Department
from govhub.core.permissions import can, require, scope_roots
from govhub.matrix import actions, influence
from govhub.matrix.inspection import RULES
from govhub.matrix.models import Finding, Post, Severity


def _need(request, action="view_supervision"):
    if not can(request.user, action):
        require(request.user, action)
        raise PermissionDenied


def _regions(user) -> list[Department]:
    roots = sorted(scope_roots(user, "view_supervision"), key=lambda d: (d.depth, d.path))
    out = []
    for r in roots:
        out.append(r)
        out.extend(r.get_children())
    return list(dict.fromkeys(out))


def _region(request) -> Department:
    regions = _regions(request.user)
    code = request.GET.get("region") or request.POST.get("region")
    for r in regions:
        if r.code == code:
            return r
    if not regions:
        raise PermissionDenied("无权访问")
    return regions[0]


def _parse_date(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


def dashboard(request):
    """Supervision dashboard: output per day, findings per day, accounts by platform."""
    _need(request)
    accounts = actions.accounts_for(request.user)
    today = timezone.localdate()
    start = today - dt.timedelta(days=59)
    tz = timezone.get_current_timezone()
    posts = Post.objects.filter(
        account__in=accounts, published_at__gte=dt.datetime.combine(start, dt.time(), tz)
    )
    by_day: dict[dt.date, int] = {}
    reads_day: dict[dt.date, int] = {}
    for d, n, reads in (
        posts.annotate(day=TruncDate("published_at"))
        .values_list("day")
        .annotate(n=Count("id"), r=Sum("reads"))
        .values_list("day", "n", "r")
    ):
        by_day[d], reads_day[d] = n, reads or 0
    days = [start + dt.timedelta(days=i) for i in range(60)]
    labels = [f"{d:%m-%d}" for d in days]
    findings = dict(
        Finding.objects.filter(account__in=accounts, run_date__gte=start, severity=Severity.VETO)
        .values_list("run_date")
        .annotate(n=Count("id"))
        .values_list("run_date", "n")
    )
    latest = (
        Finding.objects.filter(account__in=accounts)
        .order_by("-run_date")
        .values_list("run_date", flat=True)
        .first()
    )
    rules = (
        Finding.objects.filter(account__in=accounts, run_date=latest)
        .values("rule")
        .annotate(n=Count("id"))
        .order_by("-n")
        if latest
        else []
    )
    by_platform = (
        accounts.filter(closed_on__isnull=True)
        .values("platform")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    from govhub.matrix.models import Platform

    pl = dict(Platform.choices)
    month_reads = (
        posts.filter(
            published_at__gte=dt.datetime.combine(today.replace(day=1), dt.time(), tz)
        ).aggregate(r=Sum("reads"))["r"]
        or 0
    )
    posts_series = {
        "发文数": [by_day.get(d, 0) for d in days],
        "否决项": [findings.get(d, 0) for d in days],
    }
    reads_series = {"阅读量": [reads_day.get(d, 0) for d in days]}
    rule_labels = [RULES.get(r["rule"], r["rule"]) for r in rules]
    rule_values = [r["n"] for r in rules]
    platform_labels = [pl.get(r["platform"], r["platform"]) for r in by_platform]
    platform_values = [r["n"] for r in by_platform]
    from govhub.participation import stats as participation_stats

    pf = participation_stats.figures()
    un_labels = [r["department"] for r in pf["unanswered_by_department"]]
    un_values = [r["unanswered"] for r in pf["unanswered_by_department"]]
    ctx = {
        "pf": pf,
        "chart_unanswered": charts.bar_chart(
            un_labels, un_values, title="各部门未答复留言", unit=" 条"
        ),
        "echarts": {
            "unanswered": charts.echarts_bar(
                un_labels, un_values, title="各部门未答复留言", unit="条"
            ),
            "posts": charts.echarts_line(labels, posts_series, title="近60天发文数与否决项"),
            "reads": charts.echarts_line(labels, reads_series, title="近60天阅读量"),
            "rules": charts.echarts_bar(
                rule_labels, rule_values, title="最近一次检查的问题分布", unit="个"
            ),
            "platforms": charts.echarts_bar(
                platform_labels, platform_values, title="账号平台分布", unit="个"
            ),
        },
        "accounts": accounts.filter(closed_on__isnull=True).count(),
        "posts_60": sum(by_day.values()),
        "month_reads": month_reads,
        "vetoes": sum(r["n"] for r in rules if r["rule"] != "text"),
        "chart_posts": charts.line_chart(
            labels, posts_series, title="近60天发文数与否决项", width=900
        ),
        "chart_reads": charts.line_chart(labels, reads_series, title="近60天阅读量", width=900),
        "chart_rules": charts.bar_chart(
            rule_labels, rule_values, title="最近一次检查的问题分布", unit=" 个"
        ),
        "chart_platforms": charts.bar_chart(
            platform_labels, platform_values, title="账号平台分布", unit=" 个"
        ),
    }
    ctx["services"] = _services_this_month(request.user, today)
    return render(request, "analytics/dashboard.html", ctx)


def _services_this_month(user, today: dt.date) -> dict:
    """This month's 好差评 ranking and service figures over the departments the person
    supervises."""
    from django.db.models import Q

    cond = Q(pk__in=[])
    for root in scope_roots(user, "view_supervision"):
        cond |= Q(path__startswith=root.path)
    start, end, _ = influence.month_bounds(today.replace(day=1))
    return reports.services_section(Department.objects.filter(cond), start, end, today)


def topics_view(request):
    _need(request)
    region = _region(request)
    today = timezone.localdate()
    end_d = _parse_date(request.GET.get("end"), today)
    start_d = _parse_date(request.GET.get("start"), end_d - dt.timedelta(days=30))
    if start_d >= end_d:
        start_d = end_d - dt.timedelta(days=30)
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(start_d, dt.time(), tz)
    end = dt.datetime.combine(end_d + dt.timedelta(days=1), dt.time(), tz)
    topics = hotspots.find_topics(start, end, region)
    if request.method == "POST" and can(request.user, "view_supervision", region):
        hotspots.save_snapshots(region, start, end, topics)
        messages.success(request, "已保存本期热点，用于判断持续热点")
    for t in topics:
        t.examples = [(i, hotspots.excerpt(i)) for i in t.items[:8]]
    return render(
        request,
        "analytics/topics.html",
        {
            "topics": topics,
            "region": region,
            "regions": _regions(request.user),
            "start": start_d,
            "end": end_d,
            "chart": charts.bar_chart(
                [t.label for t in topics[:12]], [t.heat for t in topics[:12]], title="热度"
            ),
        },
    )


def assessment_view(request):
    _need(request)
    region = _region(request)
    schemes = AssessmentScheme.objects.filter(region=region)
    scheme = schemes.filter(pk=request.GET.get("scheme") or 0).first() or assessment.default_scheme(
        region
    )
    today = timezone.localdate()
    end = _parse_date(request.GET.get("end"), today)
    start = _parse_date(request.GET.get("start"), end.replace(day=1) - dt.timedelta(days=60))
    if request.method == "POST":
        weights = {k: request.POST.get(f"w_{k}", "0") or "0" for k in INDICATORS}
        try:
            scheme = assessment.save_scheme(
                request.user,
                region,
                request.POST.get("name", ""),
                weights,
                scheme if scheme.pk else None,
            )
        except assessment.AssessmentError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "考核方案已保存")
            return redirect(f"{request.path}?region={region.code}&scheme={scheme.pk}")
    scores = assessment.assess(scheme, start, end)
    if request.GET.get("export") == "xlsx":
        data = assessment.export_xlsx(scheme, scores, start, end)
        resp = HttpResponse(
            data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        resp["Content-Disposition"] = (
            f'attachment; filename="assessment-{region.code}-{end:%Y%m%d}.xlsx"'
        )
        return resp
    keys = [k for k in INDICATORS if k in scheme.weights]
    rows = [
        {
            "s": s,
            "cells": [
                None if s.values.get(k) is None else round(100 * s.values[k], 1) for k in keys
            ],
        }
        for s in scores
    ]
    return render(
        request,
        "analytics/assessment.html",
        {
            "scheme": scheme,
            "schemes": schemes,
            "region": region,
            "regions": _regions(request.user),
            "indicators": [(k, v, scheme.weights.get(k, 0)) for k, v in INDICATORS.items()],
            "keys": [(k, INDICATORS[k]) for k in keys],
            "rows": rows,
            "start": start,
            "end": end,
            "chart": charts.bar_chart(
                [s.department.name for s in scores[:15]],
                [s.total for s in scores[:15]],
                title="部门得分",
            ),
        },
    )


def report_view(request):
    _need(request)
    region = _region(request)
    today = timezone.localdate()
    try:
        month = (
            dt.date.fromisoformat(request.GET["month"] + "-01")
            if request.GET.get("month")
            else today.replace(day=1)
        )
    except ValueError:
        month = today.replace(day=1)
    fmt = request.GET.get("format", "")
    if fmt == "pdf":
        data = reports.render_pdf(region, month)
        resp = HttpResponse(data, content_type="application/pdf")
        resp["Content-Disposition"] = (
            f'attachment; filename="report-{region.code}-{month:%Y%m}.pdf"'
        )
        return resp
    if fmt == "html":
        return HttpResponse(reports.render_html(region, month))
    months = influence.selectable_months(today)
    return render(
        request,
        "analytics/report_index.html",
        {"region": region, "regions": _regions(request.user), "months": months, "month": month},
    )

"""The monthly report (月度报告) of a region or a department: accounts, output, reach, inspection
findings, duplicates, rankings and hot topics, with charts, as HTML and as PDF (WeasyPrint,
Noto CJK embedded from Debian's fonts-noto-cjk)."""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.template.loader import render_to_string

from govhub.analytics import charts, hotspots
from govhub.core.models import Department
from govhub.matrix import duplicates, influence
from govhub.matrix.inspection import RULES
from govhub.matrix.models import Account, Finding, Post, Rectification, Severity

FONT_DIRS = ["/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/noto"]


def font_path(bold: bool = False) -> str | None:
    name = "NotoSansCJK-Bold.ttc" if bold else "NotoSansCJK-Regular.ttc"
    for d in FONT_DIRS:
        p = os.path.join(d, name)
        if os.path.exists(p):
            return p
    return None


def monthly_context(dept: Department, month: dt.date) -> dict:
    """Everything the monthly report shows for ``dept`` and its subtree."""
    month = month.replace(day=1)
    start, end, days = influence.month_bounds(month)
    accounts = Account.objects.filter(department__path__startswith=dept.path)
    open_accounts = accounts.filter(closed_on__isnull=True)
    posts = Post.objects.filter(account__in=accounts, published_at__gte=start, published_at__lt=end)
    totals = posts.aggregate(
        n=Count("id"), reads=Sum("reads"), likes=Sum("likes"), shares=Sum("shares")
    )
    per_day = dict(
        posts.annotate(day=TruncDate("published_at"))
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    day_labels, day_values = [], []
    for i in range(days):
        d = month + dt.timedelta(days=i)
        day_labels.append(f"{d.day}日")
        day_values.append(per_day.get(d, 0))
    last_run = (
        Finding.objects.filter(
            Q(account__in=accounts) | Q(department__path__startswith=dept.path),
            run_date__lt=end.date(),
        )
        .order_by("-run_date")
        .values_list("run_date", flat=True)
        .first()
    )
    findings = (
        list(
            Finding.objects.filter(
                Q(account__in=accounts)
                | Q(account__isnull=True, department__path__startswith=dept.path),
                run_date=last_run,
            ).select_related("account")
        )
        if last_run
        else []
    )
    by_rule = Counter(f.rule for f in findings)
    shares = duplicates.duplicate_shares(accounts, start)
    total_posts = sum(r["total"] for r in shares)
    dup_posts = sum(r["dup"] for r in shares)
    wechat = influence.ranking(month, open_accounts, platform="wechat")[:10]
    weibo = influence.ranking(month, open_accounts, platform="weibo")[:10]
    topics = hotspots.find_topics(start, end, dept)[:8]
    rects = Rectification.objects.filter(
        department__path__startswith=dept.path, issued_at__gte=start, issued_at__lt=end
    )
    return {
        "dept": dept,
        "month": month,
        "accounts_total": open_accounts.count(),
        "accounts_by_platform": list(
            open_accounts.values("platform").annotate(n=Count("id")).order_by("-n")
        ),
        "posts": totals["n"] or 0,
        "reads": totals["reads"] or 0,
        "likes": totals["likes"] or 0,
        "shares": totals["shares"] or 0,
        "silent": sum(1 for f in findings if f.rule == "silent"),
        "vetoes": sum(1 for f in findings if f.severity == Severity.VETO),
        "faults": sum(1 for f in findings if f.severity == Severity.FAULT),
        "findings": findings[:40],
        "run_date": last_run,
        "dup_share": round(100 * dup_posts / total_posts, 1) if total_posts else 0.0,
        "dup_posts": dup_posts,
        "wechat": wechat,
        "weibo": weibo,
        "topics": topics,
        "rectifications": rects.count(),
        "rect_closed": rects.filter(status="closed").count(),
        "chart_posts": charts.line_chart(day_labels, {"发文数": day_values}, title="每日发文数"),
        "chart_rules": charts.bar_chart(
            [RULES.get(k, k) for k in by_rule],
            list(by_rule.values()),
            title="检查问题分布",
            unit=" 个",
        ),
        "chart_wci": charts.bar_chart(
            [r["account"].name for r in wechat],
            [r["index"] for r in wechat],
            title="微信传播力指数 WCI 前十",
        ),
        "chart_topics": charts.bar_chart(
            [t.label for t in topics], [t.heat for t in topics], title="热点话题热度"
        ),
    }


def render_html(dept: Department, month: dt.date, *, for_pdf: bool = False) -> str:
    ctx = monthly_context(dept, month)
    ctx["for_pdf"] = for_pdf
    ctx["font_regular"] = font_path()
    ctx["font_bold"] = font_path(bold=True)
    return render_to_string("analytics/monthly_report.html", ctx)


def render_pdf(dept: Department, month: dt.date) -> bytes:
    """The report as PDF with the Noto CJK fonts embedded."""
    from weasyprint import HTML

    html = render_html(dept, month, for_pdf=True)
    return HTML(string=html, base_url="/").write_pdf()

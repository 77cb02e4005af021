"""Analytics API: hot topics, department assessment, monthly report."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.utils import timezone
from ninja import Router

from govhub.analytics import assessment, hotspots, reports
from govhub.analytics.models import AssessmentScheme
from govhub.core.errors import DomainError
from govhub.core.models import Department
from govhub.core.permissions import require

router = Router(tags=["统计分析 analytics"])
ROUTERS = [("/analytics", router)]


def _region(user, code: str) -> Department:
    dept = (
        Department.objects.filter(code=code).first()
        if code
        else Department.get_root_nodes().first()
    )
    if dept is None:
        raise DomainError("unknown_region", f"区域“{code}”不存在", status=404)
    require(user, "view_supervision", dept)
    return dept


EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 1, 1)


def _period(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    """The period asked for (default: the last 30 days), within years the data can hold: the
    previous period of the same length is compared too, and year 1 has none before it."""
    end = end or timezone.localdate()
    start = start or end - dt.timedelta(days=30)
    for name, value in (("start", start), ("end", end)):
        if not EARLIEST <= value < LATEST:
            raise DomainError(
                "bad_period",
                "日期应在 2000 年至 2099 年之间",
                details=[{"loc": ["query", name], "msg": "日期超出范围"}],
                status=422,
            )
    if start >= end:
        raise DomainError("bad_period", "开始日期应早于结束日期")
    return start, end


@router.get("/topics")
def topics(request, region: str = "", start: dt.date | None = None, end: dt.date | None = None):
    dept = _region(request.user, region)
    start, end = _period(start, end)
    tz = timezone.get_current_timezone()
    found = hotspots.find_topics(
        dt.datetime.combine(start, dt.time(), tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tz),
        dept,
    )
    return [
        {
            "label": t.label,
            "terms": t.terms,
            "volume": t.volume,
            "previous": t.previous,
            "heat": t.heat,
            "support": t.support,
            "towns": t.towns,
            "suggest_special_topic": t.stays_hot,
            "items": [{"kind": i.kind, "id": i.pk} for i in t.items],
        }
        for t in found
    ]


@router.get("/assessment")
def assess(
    request,
    region: str = "",
    scheme: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
):
    dept = _region(request.user, region)
    sch = (
        AssessmentScheme.objects.filter(pk=scheme, region=dept).first()
        if scheme
        else assessment.default_scheme(dept)
    )
    if sch is None:
        raise DomainError("unknown_scheme", "考核方案不存在", status=404)
    start, end = _period(start, end)
    return {
        "scheme": sch.name,
        "weights": sch.weights,
        "scores": [
            {
                "rank": s.rank,
                "department": s.department.code,
                "name": s.department.name,
                "total": s.total,
                "values": s.values,
            }
            for s in assessment.assess(sch, start, end)
        ],
    }


@router.get("/report")
def report(request, region: str = "", month: str = "", format: str = "html"):  # noqa: A002
    dept = _region(request.user, region)
    try:
        m = dt.date.fromisoformat(month + "-01") if month else timezone.localdate().replace(day=1)
    except ValueError:
        raise DomainError("bad_month", "month 应为 YYYY-MM")
    if not EARLIEST <= m < LATEST:
        raise DomainError("bad_month", "month 应在 2000 年至 2099 年之间")
    if format == "pdf":
        return HttpResponse(reports.render_pdf(dept, m), content_type="application/pdf")
    if format != "html":
        raise DomainError("bad_format", "format 应为 html 或 pdf")
    return HttpResponse(reports.render_html(dept, m), content_type="text/html; charset=utf-8")

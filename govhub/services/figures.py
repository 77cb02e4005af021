"""Monthly figures: 好差评 per department and the use of each 微查询 connector."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from govhub.services.models import CallbackTask, QueryConnector, QueryRun, Rating


def month_bounds(month: str = "") -> tuple[dt.date, dt.datetime, dt.datetime]:
    """The month named ``YYYY-MM`` (this month when empty or malformed) as aware bounds."""
    try:
        year, mon = (int(x) for x in month.split("-", 1))
        first = dt.date(year, mon, 1)
    except ValueError:
        first = timezone.localdate().replace(day=1)
    nxt = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    tz = timezone.get_current_timezone()
    return (
        first,
        dt.datetime.combine(first, dt.time.min, tzinfo=tz),
        dt.datetime.combine(nxt, dt.time.min, tzinfo=tz),
    )


@dataclass
class DepartmentRow:
    department: str
    total: int
    levels: list[int]  # counts for 5..1
    good_rate: float | None
    bad: int
    fixed_in_time: int
    fixed_rate: float | None


def ratings_by_department(start: dt.datetime, end: dt.datetime, departments=None) -> list:
    qs = Rating.objects.filter(created_at__gte=start, created_at__lt=end)
    if departments is not None:
        qs = qs.filter(department__in=departments)
    rows = (
        qs.values("department__name")
        .annotate(
            total=Count("pk"),
            l5=Count("pk", filter=Q(level=5)),
            l4=Count("pk", filter=Q(level=4)),
            l3=Count("pk", filter=Q(level=3)),
            l2=Count("pk", filter=Q(level=2)),
            l1=Count("pk", filter=Q(level=1)),
        )
        .order_by("department__name")
    )
    tasks = CallbackTask.objects.filter(
        rating__created_at__gte=start, rating__created_at__lt=end
    ).select_related("department")
    in_time: dict[str, int] = {}
    for t in tasks:
        if t.status == CallbackTask.Status.DONE and timezone.localdate(t.done_at) <= t.due_date:
            in_time[t.department.name] = in_time.get(t.department.name, 0) + 1
    out = []
    for r in rows:
        name, total = r["department__name"], r["total"]
        bad = r["l2"] + r["l1"]
        fixed = in_time.get(name, 0)
        out.append(
            DepartmentRow(
                department=name,
                total=total,
                levels=[r["l5"], r["l4"], r["l3"], r["l2"], r["l1"]],
                good_rate=round(100 * (total - bad) / total, 1) if total else None,
                bad=bad,
                fixed_in_time=fixed,
                fixed_rate=round(100 * fixed / bad, 1) if bad else None,
            )
        )
    # ranked: best share of good ratings first, then more ratings
    out.sort(key=lambda r: (-(r.good_rate or 0), -r.total))
    return out


def _p95(values: list[int]) -> int | None:
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]


def connector_figures(start: dt.datetime, end: dt.datetime) -> list[dict]:
    out = []
    for c in QueryConnector.objects.order_by("name"):
        runs = list(
            QueryRun.objects.filter(connector=c, at__gte=start, at__lt=end).values_list(
                "outcome", "duration_ms"
            )
        )
        failures = sum(1 for o, _ in runs if o in ("timeout", "error", "bad_answer"))
        out.append(
            {
                "connector": c,
                "uses": len(runs),
                "failures": failures,
                "failure_rate": round(100 * failures / len(runs), 1) if runs else None,
                "p95": _p95([d for o, d in runs if o != "cached"]),
            }
        )
    return out


def appointment_figures(first: dt.date, nxt: dt.date) -> list[dict]:
    """Per matter: bookings in the month, cancelled, attended, no-shows and the no-show rate."""
    from govhub.services.models import Booking

    rows = (
        Booking.objects.filter(slot__date__gte=first, slot__date__lt=nxt)
        .values("slot__guide__name")
        .annotate(
            total=Count("pk"),
            cancelled=Count("pk", filter=Q(status="cancelled")),
            attended=Count("pk", filter=Q(status="attended")),
            no_show=Count("pk", filter=Q(status="no_show")),
        )
        .order_by("slot__guide__name")
    )
    out = []
    for r in rows:
        decided = r["attended"] + r["no_show"]
        out.append(
            {
                "guide": r["slot__guide__name"],
                "total": r["total"],
                "cancelled": r["cancelled"],
                "attended": r["attended"],
                "no_show": r["no_show"],
                "no_show_rate": round(100 * r["no_show"] / decided, 1) if decided else None,
            }
        )
    return out

"""Monthly 好差评 figures per department, ranked (the national system ranks departments monthly).

Read by services' 好差评统计 page, the analytics monthly report and the supervision dashboard.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from govhub.ratings.models import CallbackTask, Rating


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
    overdue: int = 0  # 差评 not put right by their deadline (open past it, or closed late)
    rank: int = 0


def ratings_by_department(
    start: dt.datetime, end: dt.datetime, departments=None, today: dt.date | None = None
) -> list[DepartmentRow]:
    """Ratings given in [start, end) per responsible department, ranked: the largest share of
    差评 put right in time first (a department without 差评 counts as 100%), then the largest
    share of good ratings, then more ratings."""
    today = today or timezone.localdate()
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
    tasks = CallbackTask.objects.filter(rating__in=qs).values_list(
        "department__name", "status", "done_at", "due_date"
    )
    in_time: dict[str, int] = {}
    overdue: dict[str, int] = {}
    for name, status, done_at, due in tasks:
        if status == CallbackTask.Status.DONE and timezone.localdate(done_at) <= due:
            in_time[name] = in_time.get(name, 0) + 1
        elif status == CallbackTask.Status.DONE or today > due:
            overdue[name] = overdue.get(name, 0) + 1
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
                overdue=overdue.get(name, 0),
            )
        )
    out.sort(
        key=lambda r: (
            -(100.0 if r.fixed_rate is None else r.fixed_rate),
            -(r.good_rate or 0),
            -r.total,
        )
    )
    for no, row in enumerate(out, start=1):
        row.rank = no
    return out


def latest_level(target_type: str, ref: str = "pk"):
    """An annotation: the level of the newest rating of each row's target (None if unrated)."""
    from django.db.models import OuterRef, Subquery

    return Subquery(
        Rating.objects.filter(target_type=target_type, target_id=OuterRef(ref))
        .order_by("-created_at", "-pk")
        .values("level")[:1]
    )

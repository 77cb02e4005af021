"""Monthly figures: the use of each 微查询 connector and bookings per matter (好差评 per
department: ``govhub.ratings.figures``, re-exported here for the 好差评统计 page)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q

from govhub.ratings.figures import month_bounds, ratings_by_department  # noqa: F401 - re-exported
from govhub.services.models import QueryConnector, QueryRun


def _p95(values: list[int]) -> int | None:
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]


def connector_figures(start: dt.datetime, end: dt.datetime, departments=None) -> list[dict]:
    """Per connector: uses in [start, end), failures (timeout, HTTP error, unusable answer),
    their share, and the p95 duration of the calls that reached the backend."""
    out = []
    connectors = QueryConnector.objects.order_by("name")
    if departments is not None:
        connectors = connectors.filter(department__in=departments)
    for c in connectors:
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


def appointment_figures(first: dt.date, nxt: dt.date, departments=None) -> list[dict]:
    """Per matter: bookings in the month, cancelled, attended, no-shows and the no-show rate."""
    from govhub.services.models import Booking

    bookings = Booking.objects.filter(slot__date__gte=first, slot__date__lt=nxt)
    if departments is not None:
        bookings = bookings.filter(slot__department__in=departments)
    rows = (
        bookings.values("slot__guide__name")
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

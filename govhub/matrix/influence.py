"""Influence indices (传播力指数) and rankings.

WeChat: 新榜 WCI V14.2 as published. Four sub-indices share one form,
``0.70·ln(R+1) + 0.09·ln(10·Z+1) + 0.06·ln(10·L+1) + 0.15·ln(10·S+1)`` (R reads, Z 在看,
L likes, S shares), computed over: the period's daily averages (整体传播力, 60 %), the
per-article averages (篇均传播力, 20 %), the headline articles' averages (头条传播力, 10 %) and
the best article's values (峰值传播力, 10 %); WCI = (Σ wᵢ·Oᵢ)² × 1.2 × 10.
Departures (also in docs/matrix.md): the period is a calendar month and "daily" divides by the
days of that month the account existed; an account without headline flags uses all its
articles as headlines; shares are what the platform export calls 转发/分享.

Weibo (our own index, weights documented): reach 40 % (ln of daily reads), interaction 30 %
(ln of comments+shares+likes per post), service 20 % (share of citizens' messages answered within
3 days), approval 10 % (likes per interaction); each part scaled to 0–100 by a fixed ceiling so
that months compare.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.db import transaction
from django.db.models import Count, F, Max, Q, Sum
from django.utils import timezone

from govhub.matrix.indices import (  # noqa: F401 - re-exported
    WCI_WEIGHTS,
    WEIBO_WEIGHTS,
    MonthTotals,
    index_of,
    wci,
    wci_part,
    weibo_index,
)
from govhub.matrix.models import Account, InfluenceScore, Message, Platform, Post


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime, int]:
    first = month.replace(day=1)
    days = calendar.monthrange(first.year, first.month)[1]
    nxt = first + dt.timedelta(days=days)
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(first, dt.time(), tz),
        dt.datetime.combine(nxt, dt.time(), tz),
        days,
    )


def month_totals(month: dt.date, accounts=None) -> dict[int, MonthTotals]:
    """Aggregate every account's posts and messages of ``month`` in a few queries."""
    start, end, days = month_bounds(month)
    qs = Post.objects.filter(published_at__gte=start, published_at__lt=end)
    if accounts is not None:
        qs = qs.filter(account__in=accounts)
    head = Q(is_headline=True)
    aggs = {
        "n": Count("id"),
        "h_n": Count("id", filter=head),
    }
    for f in ("reads", "looks", "likes", "shares", "comments"):
        aggs[f"t_{f}"] = Sum(f)
    for f in ("reads", "looks", "likes", "shares"):
        aggs[f"h_{f}"] = Sum(f, filter=head)
        aggs[f"max_{f}"] = Max(f)
    out = {}
    for r in qs.values("account_id").annotate(**aggs):
        acc = r.pop("account_id")
        out[acc] = MonthTotals(
            days=days, **{k.removeprefix("t_"): int(v or 0) for k, v in r.items()}
        )
    msgs = Message.objects.filter(received_at__gte=start, received_at__lt=end)
    for r in msgs.values("account_id").annotate(
        total=Count("id"),
        fast=Count(
            "id",
            filter=Q(
                answered_at__isnull=False, answered_at__lte=F("received_at") + dt.timedelta(days=3)
            ),
        ),
    ):
        t = out.get(r["account_id"])
        if t is not None:
            t.messages, t.answered_3d = r["total"], r["fast"]
    return out


def compute_month(month: dt.date) -> int:
    """Compute and store every open account's index for ``month`` (idempotent)."""
    month = month.replace(day=1)
    totals = month_totals(month)
    platform = dict(Account.objects.values_list("id", "platform"))
    rows = []
    for acc_id, t in totals.items():
        value, parts = index_of(platform[acc_id], t)
        rows.append(InfluenceScore(account_id=acc_id, month=month, index=value, components=parts))
    with transaction.atomic():
        InfluenceScore.objects.filter(month=month).delete()
        InfluenceScore.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def previous_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def ranking(
    month: dt.date,
    accounts_qs,
    *,
    platform: str = Platform.WECHAT,
    group: str = "",
    value: str = "",
) -> list[dict]:
    """Accounts of ``platform`` ranked by their index in ``month``, optionally within one level,
    kind or department (``group`` = "level"/"kind"/"department", ``value`` its value), with the
    previous month's rank for the month-on-month change."""
    month = month.replace(day=1)
    qs = accounts_qs.filter(platform=platform)
    if group in {"level", "kind"} and value:
        qs = qs.filter(**{group: value})
    elif group == "department" and value:
        qs = qs.filter(department__code=value)

    def ranks(m):
        scores = list(
            InfluenceScore.objects.filter(month=m, account__in=qs)
            .select_related("account__department")
            .order_by("-index", "account__name")
        )
        return scores, {s.account_id: i for i, s in enumerate(scores, 1)}

    now, _ = ranks(month)
    prev_scores, prev = ranks(previous_month(month))
    prev_val = {s.account_id: s.index for s in prev_scores}
    out = []
    for i, s in enumerate(now, 1):
        p = prev.get(s.account_id)
        out.append(
            {
                "rank": i,
                "account": s.account,
                "index": s.index,
                "components": s.components,
                "prev_rank": p,
                "change": (p - i) if p else None,
                "prev_index": prev_val.get(s.account_id),
            }
        )
    return out


def group_ranking(
    month: dt.date, accounts_qs, by: str, platform: str = Platform.WECHAT
) -> list[dict]:
    """Average index per level, kind or department (for the rankings by group)."""
    field = {
        "level": "account__level",
        "kind": "account__kind",
        "department": "account__department__name",
    }[by]
    from django.db.models import Avg

    rows = (
        InfluenceScore.objects.filter(
            month=month.replace(day=1), account__in=accounts_qs.filter(platform=platform)
        )
        .values(field)
        .annotate(avg=Avg("index"), n=Count("id"))
        .order_by("-avg")
    )
    labels = {}
    if by == "level":
        from govhub.core.models import Level

        labels = dict(Level.choices)
    elif by == "kind":
        from govhub.matrix.models import AccountKind

        labels = dict(AccountKind.choices)
    return [
        {"group": labels.get(r[field], r[field]), "avg": round(r["avg"], 2), "n": r["n"]}
        for r in rows
    ]


def selectable_months(
    today: dt.date, *, earliest: dt.date | None = None, at_most: int = 24
) -> list[dt.date]:
    """Every month from the first one with data (or a year back) to this one, newest first:
    calendar arithmetic, so no month is skipped (31-day steps skip short months)."""
    if earliest is None:
        first = Post.objects.order_by("published_at").values_list("published_at", flat=True).first()
        earliest = timezone.localtime(first).date() if first else today
    y, m = today.year, today.month
    stop = (earliest.year, earliest.month)
    out: list[dt.date] = []
    while len(out) < at_most and ((y, m) >= stop or len(out) < 12):
        out.append(dt.date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out

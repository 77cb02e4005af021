"""Public statistics of the mailbox — the figures seed 001 had to count by hand.

Counted over valid letters (invalid and merged ones excluded): received, replied, replied on
time (reply date ≤ reply deadline), average working days from receipt to reply, satisfaction
(非常满意 + 满意 + 基本满意 among letters rated on 好差评's five levels; the newest rating counts); overall, by month of receipt and by lead department.
"""

from __future__ import annotations

from collections import defaultdict
from html import escape

from django.utils import timezone

from govhub.core import workdays
from govhub.letters.models import Letter, Status
from govhub.ratings.figures import latest_level
from govhub.ratings.models import RatingLevel


def _blank() -> dict:
    return {
        "received": 0,
        "replied": 0,
        "on_time": 0,
        "wd_total": 0,
        "rated": 0,
        "satisfied": 0,
        "unsatisfied": 0,
    }


def _finish(b: dict) -> dict:
    out = dict(b)
    out["on_time_rate"] = round(100 * b["on_time"] / b["replied"], 1) if b["replied"] else None
    out["avg_workdays"] = round(b["wd_total"] / b["replied"], 2) if b["replied"] else None
    out["satisfaction_rate"] = round(100 * b["satisfied"] / b["rated"], 1) if b["rated"] else None
    del out["wd_total"]
    return out


def compute(qs=None) -> dict:
    qs = (qs if qs is not None else Letter.objects.all()).exclude(
        status__in=[Status.INVALID, Status.MERGED]
    )
    rows = qs.annotate(rating_level=latest_level("letter")).values_list(
        "received_at", "replied_at", "reply_due", "rating_level", "department__name"
    )
    total, months, depts = _blank(), defaultdict(_blank), defaultdict(_blank)
    for received_at, replied_at, reply_due, level, dept in rows:
        received = timezone.localtime(received_at).date()
        buckets = [total, months[received.strftime("%Y-%m")]]
        if dept:
            buckets.append(depts[dept])
        for b in buckets:
            b["received"] += 1
        if replied_at:
            replied = timezone.localtime(replied_at).date()
            wd = max(0, workdays.working_days_between(received, replied))
            for b in buckets:
                b["replied"] += 1
                b["on_time"] += replied <= reply_due
                b["wd_total"] += wd
        if level:
            for b in buckets:
                b["rated"] += 1
                b["satisfied"] += level >= RatingLevel.BASIC
                b["unsatisfied"] += level <= RatingLevel.DISSATISFIED
    return {
        "total": _finish(total),
        "by_month": [{"month": m, **_finish(b)} for m, b in sorted(months.items())],
        "by_department": sorted(
            ({"department": d, **_finish(b)} for d, b in depts.items()),
            key=lambda r: -r["received"],
        ),
    }


def summary() -> dict:
    return compute()["total"]


def bar_chart_svg(
    rows: list[tuple[str, int, int]], series: tuple[str, str], width: int = 720, height: int = 260
) -> str:
    """A grouped bar chart as inline SVG, rendered on the server: readable without JavaScript,
    with a <title> on every bar for screen readers."""
    if not rows:
        return ""
    pad_l, pad_b, pad_t = 36, 40, 24
    top = max(max(a, b) for _, a, b in rows) or 1
    inner_w, inner_h = width - pad_l - 10, height - pad_b - pad_t
    group = inner_w / len(rows)
    bar = max(4.0, group * 0.35)
    colours = ("#1f5fa8", "#e08a1e")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(series[0])}与{escape(series[1])}按月统计" class="letters-chart">'
    ]
    for i in range(5):
        y = pad_t + inner_h * i / 4
        value = round(top * (4 - i) / 4)
        parts.append(
            f'<line x1="{pad_l}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{pad_l - 4}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{value}</text>'
        )
    for i, (label, a, b) in enumerate(rows):
        x = pad_l + i * group + group * 0.12
        for j, v in enumerate((a, b)):
            h = inner_h * v / top
            parts.append(
                f'<rect x="{x + j * bar:.1f}" y="{pad_t + inner_h - h:.1f}" width="{bar - 1:.1f}" '
                f'height="{h:.1f}" fill="{colours[j]}"><title>{escape(label)} {escape(series[j])} {v}</title></rect>'
            )
        parts.append(
            f'<text x="{x + bar:.1f}" y="{height - pad_b + 16}" font-size="11" '
            f'text-anchor="middle">{escape(label[2:] if len(label) == 7 else label)}</text>'
        )
    for j, name in enumerate(series):
        parts.append(
            f'<rect x="{pad_l + j * 80}" y="4" width="12" height="12" fill="{colours[j]}"/>'
            f'<text x="{pad_l + j * 80 + 16}" y="15" font-size="12">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)

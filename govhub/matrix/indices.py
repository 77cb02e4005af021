"""Pure index formulas (WCI V14.2 and our Weibo index), free of Django so that the Spark jobs
run the same code on their executors. See govhub.matrix.influence for the documentation."""

from __future__ import annotations

import math
from dataclasses import dataclass

WCI_WEIGHTS = (0.6, 0.2, 0.1, 0.1)
WEIBO_WEIGHTS = {"reach": 0.4, "interaction": 0.3, "service": 0.2, "approval": 0.1}
WEIBO_CEILINGS = {"reach": math.log(100_000 + 1), "interaction": math.log(10_000 + 1)}


def wci_part(reads: float, looks: float, likes: float, shares: float) -> float:
    return (
        0.70 * math.log(reads + 1)
        + 0.09 * math.log(10 * looks + 1)
        + 0.06 * math.log(10 * likes + 1)
        + 0.15 * math.log(10 * shares + 1)
    )


@dataclass
class MonthTotals:
    """An account's month, aggregated (what the index needs; also produced by the Spark job)."""

    days: int
    n: int
    reads: int
    looks: int
    likes: int
    shares: int
    comments: int
    h_n: int
    h_reads: int
    h_looks: int
    h_likes: int
    h_shares: int
    max_reads: int
    max_looks: int
    max_likes: int
    max_shares: int
    messages: int = 0
    answered_3d: int = 0


def wci(t: MonthTotals) -> tuple[float, dict]:
    """WCI V14.2 of one account-month."""
    if t.n == 0:
        return 0.0, {"daily": 0, "article": 0, "headline": 0, "peak": 0}
    d = max(1, t.days)
    daily = wci_part(t.reads / d, t.looks / d, t.likes / d, t.shares / d)
    art = wci_part(t.reads / t.n, t.looks / t.n, t.likes / t.n, t.shares / t.n)
    if t.h_n:
        head = wci_part(t.h_reads / t.h_n, t.h_looks / t.h_n, t.h_likes / t.h_n, t.h_shares / t.h_n)
    else:
        head = art
    peak = wci_part(t.max_reads, t.max_looks, t.max_likes, t.max_shares)
    w = WCI_WEIGHTS
    value = (w[0] * daily + w[1] * art + w[2] * head + w[3] * peak) ** 2 * 1.2 * 10
    parts = {"daily": daily, "article": art, "headline": head, "peak": peak}
    return round(value, 2), {k: round(v, 3) for k, v in parts.items()}


def weibo_index(t: MonthTotals) -> tuple[float, dict]:
    """Our Weibo index of one account-month (0–100)."""
    d = max(1, t.days)
    reach = min(1.0, math.log(t.reads / d + 1) / WEIBO_CEILINGS["reach"])
    inter_total = t.comments + t.shares + t.likes
    interaction = min(1.0, math.log(inter_total / max(1, t.n) + 1) / WEIBO_CEILINGS["interaction"])
    service = t.answered_3d / t.messages if t.messages else 1.0 if t.n else 0.0
    approval = t.likes / inter_total if inter_total else 0.0
    parts = {"reach": reach, "interaction": interaction, "service": service, "approval": approval}
    value = 100 * sum(WEIBO_WEIGHTS[k] * v for k, v in parts.items())
    return round(value, 2), {k: round(v, 3) for k, v in parts.items()}


def index_of(platform: str, t: MonthTotals) -> tuple[float, dict]:
    return weibo_index(t) if platform == "weibo" else wci(t)

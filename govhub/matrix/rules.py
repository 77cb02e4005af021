"""Pure rules of the nightly inspection, free of Django so that the Spark jobs run exactly the
same code on their executors as the in-process run."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

VETO, FAULT = "veto", "fault"


@dataclass
class AccountFacts:
    """What the rules need about one account (computed by the ORM or by Spark)."""

    account_id: int
    opened_on: dt.date | None
    has_interaction: bool
    last_post: dt.date | None  # local date of the latest post
    oldest_unanswered: dt.date | None  # local date of the oldest message still unanswered
    unanswered: int  # messages unanswered for longer than the threshold


def account_rules(facts: AccountFacts, today: dt.date, cfg) -> list[tuple[str, str, str]]:
    """(rule, severity, message) for one account; ``cfg`` has ``silent_days`` and
    ``unanswered_days``."""
    out = []
    started = facts.opened_on or dt.date.min
    if (today - started).days >= cfg.silent_days:
        if facts.last_post is None:
            out.append(("silent", VETO, f"开设以来未发布内容（超过 {cfg.silent_days} 天）"))
        else:
            days = (today - facts.last_post).days
            if days > cfg.silent_days:
                out.append(("silent", VETO, f"已 {days} 天未更新（阈值 {cfg.silent_days} 天）"))
    if not facts.has_interaction:
        out.append(("no_interaction", VETO, "未开通有效的互动功能"))
    if facts.oldest_unanswered is not None and facts.unanswered:
        days = (today - facts.oldest_unanswered).days
        if days > cfg.unanswered_days:
            out.append(
                (
                    "unanswered",
                    VETO,
                    f"{facts.unanswered} 条留言超过 {cfg.unanswered_days} 天未答复（最久 {days} 天）",
                )
            )
    return out

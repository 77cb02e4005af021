"""The nightly inspection (常态化检查) of every account and the portal against the national
indicators (国办《政府网站与政务新媒体检查指标》), and rectification notices (整改通知).

Rules (thresholds in :class:`InspectionSettings`):
- silent: no post for ``silent_days`` (14) → 单项否决
- no_interaction: the account has no effective interaction function → 单项否决
- unanswered: a citizen message left without answer for more than ``unanswered_days`` (90) → 否决
- portal_home: the portal home page not updated for ``portal_home_days`` (14) → 否决
- news_columns: ``news_column_count`` (5) or more news columns not updated within
  ``news_column_days`` (14) → 否决
- policy_columns: a notice/policy column not updated within ``policy_column_days`` (180) → 否决
- text: a published text with leaked personal data or a wrong official expression → 扣分项
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max, Min, Q
from django.utils import timezone

from govhub.core import audit
from govhub.core.errors import DomainError
from govhub.core.models import Department
from govhub.core.permissions import require
from govhub.matrix.models import (
    Account,
    Finding,
    InspectionSettings,
    Message,
    Post,
    Rectification,
    RectificationStatus,
    Severity,
)
from govhub.matrix.rules import AccountFacts, account_rules

RULES = {
    "silent": "长期未更新",
    "no_interaction": "无有效互动功能",
    "unanswered": "留言长期未答复",
    "portal_home": "门户首页长期未更新",
    "news_columns": "动态类栏目长期未更新",
    "policy_columns": "通知公告/政策文件栏目长期未更新",
    "text": "内容差错或泄露个人信息",
    "serious_wording": "严重表述错误",
    "personal_data": "泄露个人信息",
}


# --- text checks: the publishing engineer's checks, or our fallback -------------------------

TEXT_DAYS = 31
TEXT_CODES = {"id_number", "mobile", "bank_card", "wrong_expression", "forbidden_term"}


def check_text(text: str) -> list[tuple[str, str]]:
    """(code, message) for each serious wording error or piece of personal data of a published
    text, by the shared content checker (``govhub.safety``)."""
    from govhub.safety.checker import check_text as safety_check

    return [(f.code, f.message) for f in safety_check(text) if f.personal or f.serious]


def text_checker() -> Callable[[str], list[tuple[str, str]]]:
    """``check_text`` for a whole run (the checker is compiled once per dictionary version)."""
    return check_text


# --- the portal adapter -------------------------------------------------------------------


@dataclass
class ColumnState:
    title: str
    kind: str  # "home", "news", "policy"
    last_updated: dt.datetime | None


POLICY_WORDS = ("通知公告", "公告", "政策", "文件", "规划", "公示")


def column_kind(title: str, page=None) -> str:
    explicit = getattr(page, "column_kind", None) if page is not None else None
    if explicit in {"news", "policy"}:
        return explicit
    return "policy" if any(w in title for w in POLICY_WORDS) else "news"


def portal_columns() -> list[ColumnState]:
    """The portal's home page and its columns with their last update, read from Wagtail's page
    tree: the site's root page is the home page; each live child is a column (栏目), updated
    when it or any page under it was last published. A page class may say ``column_kind``."""
    from wagtail.models import Page, Site

    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None or site.root_page.depth < 2:
        return []
    home = site.root_page
    if (
        not home.live
        or not Page.objects.filter(depth__gt=home.depth, path__startswith=home.path).exists()
    ):
        return []
    home_last = Page.objects.filter(path__startswith=home.path, live=True).aggregate(
        m=Max("last_published_at")
    )["m"]
    states = [ColumnState(home.title, "home", home_last)]
    for col in home.get_children().live().specific():
        last = Page.objects.filter(path__startswith=col.path, live=True).aggregate(
            m=Max("last_published_at")
        )["m"]
        states.append(ColumnState(col.title, column_kind(col.title, col), last))
    return states


# --- the run ----------------------------------------------------------------------------


def _local_date(value: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(value).date() if value else None


def gather_facts(today: dt.date, cfg: InspectionSettings) -> list[tuple[Account, AccountFacts]]:
    accounts = list(
        Account.objects.filter(closed_on__isnull=True)
        .exclude(platform="portal")
        .select_related("department")
    )
    last = dict(
        Post.objects.values_list("account_id")
        .annotate(m=Max("published_at"))
        .values_list("account_id", "m")
    )
    cutoff = timezone.make_aware(
        dt.datetime.combine(today - dt.timedelta(days=cfg.unanswered_days), dt.time())
    )
    old = {
        r["account_id"]: r
        for r in Message.objects.filter(answered_at__isnull=True, received_at__lt=cutoff)
        .values("account_id")
        .annotate(m=Min("received_at"), n=Max("id"))
    }
    counts = {}
    for acc_id in old:
        counts[acc_id] = Message.objects.filter(
            account_id=acc_id, answered_at__isnull=True, received_at__lt=cutoff
        ).count()
    return [
        (
            a,
            AccountFacts(
                a.pk,
                a.opened_on,
                a.has_interaction,
                _local_date(last.get(a.pk)),
                _local_date(old.get(a.pk, {}).get("m")),
                counts.get(a.pk, 0),
            ),
        )
        for a in accounts
    ]


def portal_findings(
    columns: list[ColumnState], today: dt.date, cfg: InspectionSettings
) -> list[tuple[str, str, str, str]]:
    """(rule, severity, message, ref) for the portal."""
    out = []
    now = timezone.make_aware(dt.datetime.combine(today, dt.time(23, 59)))

    def age(c: ColumnState) -> int:
        return 10**6 if c.last_updated is None else (now - c.last_updated).days

    home = [c for c in columns if c.kind == "home"]
    if home and age(home[0]) > cfg.portal_home_days:
        out.append(
            (
                "portal_home",
                Severity.VETO,
                f"首页已 {age(home[0])} 天未更新（阈值 {cfg.portal_home_days} 天）",
                "",
            )
        )
    stale_news = [c for c in columns if c.kind == "news" and age(c) > cfg.news_column_days]
    if len(stale_news) >= cfg.news_column_count:
        names = "、".join(c.title for c in stale_news[:8])
        out.append(
            (
                "news_columns",
                Severity.VETO,
                f"{len(stale_news)} 个动态类栏目超过 {cfg.news_column_days} 天未更新：{names}",
                "",
            )
        )
    for c in columns:
        if c.kind == "policy" and age(c) > cfg.policy_column_days:
            out.append(
                (
                    "policy_columns",
                    Severity.VETO,
                    f"栏目“{c.title}”超过 {cfg.policy_column_days} 天未更新",
                    c.title[:120],
                )
            )
    return out


def run_inspection(today: dt.date | None = None, *, text_since: dt.datetime | None = None) -> dict:
    """Run every check for every open account and the portal; replaces the day's findings.
    Idempotent: running twice on a day gives the same rows."""
    today = today or timezone.localdate()
    cfg = InspectionSettings.current()
    rows: list[Finding] = []
    for acc, facts in gather_facts(today, cfg):
        for rule, sev, msg in account_rules(facts, today, cfg):
            rows.append(_finding(today, acc, rule, sev, msg, ""))
    # texts: the content sweep of every post and portal page (严重表述错误, 泄露个人信息)
    from govhub.matrix import content_sweep

    text_rows, content_stats = content_sweep.sweep(today, full=text_since is not None)
    rows += text_rows
    root = Department.get_root_nodes().first()
    for rule, sev, msg, ref in portal_findings(portal_columns(), today, cfg):
        rows.append(
            Finding(
                run_date=today,
                account=None,
                department=root,
                subject="门户网站",
                rule=rule,
                severity=sev,
                message=msg[:500],
                ref=ref,
            )
        )
    with transaction.atomic():
        Finding.objects.filter(run_date=today).delete()
        Finding.objects.bulk_create(rows, batch_size=1000)
    vetoes = sum(r.severity == Severity.VETO for r in rows)
    return {
        "findings": len(rows),
        "vetoes": vetoes,
        "faults": len(rows) - vetoes,
        **content_stats,
    }


def _finding(today, acc: Account, rule: str, sev: str, msg: str, ref: str) -> Finding:
    return Finding(
        run_date=today,
        account=acc,
        department=acc.department,
        subject=f"{acc.name}（{acc.get_platform_display()}）",
        rule=rule,
        severity=sev,
        message=msg[:500],
        ref=ref,
    )


def fault_table(accounts_qs, days: int = 30, today: dt.date | None = None) -> list[dict]:
    """Per account with findings: vetoes and faults on the latest run, and the daily trend of
    findings over ``days`` (for the sparkline)."""
    today = today or timezone.localdate()
    start = today - dt.timedelta(days=days - 1)
    latest = Finding.objects.filter(account__in=accounts_qs).aggregate(m=Max("run_date"))["m"]
    if latest is None:
        return []
    trend: dict[int, list[int]] = {}
    for acc_id, d in Finding.objects.filter(
        account__in=accounts_qs, run_date__gte=start
    ).values_list("account_id", "run_date"):
        trend.setdefault(acc_id, [0] * days)[(d - start).days] += 1
    rows: dict[int, dict] = {}
    for f in Finding.objects.filter(run_date=latest, account__in=accounts_qs).select_related(
        "account__department"
    ):
        r = rows.setdefault(
            f.account_id,
            {
                "account": f.account,
                "vetoes": [],
                "faults": [],
                "trend": trend.get(f.account_id, [0] * days),
            },
        )
        (r["vetoes"] if f.severity == Severity.VETO else r["faults"]).append(f)
    return sorted(
        rows.values(), key=lambda r: (-len(r["vetoes"]), -len(r["faults"]), r["account"].name)
    )


# --- rectification notices (整改通知) -------------------------------------------------------


class RectificationError(DomainError):
    pass


def _next_number(today: dt.date) -> str:
    prefix = f"ZG{today:%Y%m}"
    n = Rectification.objects.filter(number__startswith=prefix).count() + 1
    while Rectification.objects.filter(number=f"{prefix}-{n:04d}").exists():
        n += 1
    return f"{prefix}-{n:04d}"


def issue_rectification(user, account: Account, problems: str, deadline: dt.date) -> Rectification:
    """Send a rectification notice to the department owning ``account``."""
    require(user, "send_rectification", account)
    problems = (problems or "").strip()
    if not problems:
        raise RectificationError("empty", "请填写存在的问题")
    today = timezone.localdate()
    if deadline < today:
        raise RectificationError("deadline", "整改期限不能早于今天")
    with transaction.atomic():
        rect = Rectification.objects.create(
            number=_next_number(today),
            account=account,
            department=account.department,
            problems=problems[:5000],
            deadline=deadline,
            issued_by=user,
            issued_at=timezone.now(),
        )
        audit.record(
            actor=user,
            action="matrix_rectification_issued",
            obj=rect,
            summary={
                "number": rect.number,
                "account": account.pk,
                "deadline": deadline.isoformat(),
            },
        )
    return rect


def answer_rectification(user, rect: Rectification, response: str) -> Rectification:
    """The owner reports what was rectified (反馈整改情况)."""
    require(user, "answer_rectification", rect)
    if rect.status != RectificationStatus.ISSUED:
        raise RectificationError("state", "只有“已下发”的整改通知可以反馈")
    if not (response or "").strip():
        raise RectificationError("empty", "请填写整改情况")
    with transaction.atomic():
        rect = Rectification.objects.select_for_update().get(pk=rect.pk)
        if rect.status != RectificationStatus.ISSUED:
            raise RectificationError("state", "只有“已下发”的整改通知可以反馈")
        rect.status = RectificationStatus.ANSWERED
        rect.response = response.strip()[:5000]
        rect.answered_at = timezone.now()
        rect.save(update_fields=["status", "response", "answered_at"])
        audit.record(
            actor=user,
            action="matrix_rectification_answered",
            obj=rect,
            summary={"number": rect.number},
        )
    return rect


def close_rectification(user, rect: Rectification, note: str = "") -> Rectification:
    """The supervisor accepts the rectification (办结)."""
    require(user, "send_rectification", rect)
    with transaction.atomic():
        rect = Rectification.objects.select_for_update().get(pk=rect.pk)
        if rect.status != RectificationStatus.ANSWERED:
            raise RectificationError("state", "只有“已反馈”的整改通知可以办结")
        rect.status = RectificationStatus.CLOSED
        rect.closed_at = timezone.now()
        rect.close_note = (note or "")[:300]
        rect.save(update_fields=["status", "closed_at", "close_note"])
        audit.record(
            actor=user,
            action="matrix_rectification_closed",
            obj=rect,
            summary={"number": rect.number},
        )
    return rect


def return_rectification(user, rect: Rectification, note: str) -> Rectification:
    """The supervisor sends an insufficient rectification back (退回重新整改)."""
    require(user, "send_rectification", rect)
    if not (note or "").strip():
        raise RectificationError("empty", "请填写退回理由")
    with transaction.atomic():
        rect = Rectification.objects.select_for_update().get(pk=rect.pk)
        if rect.status != RectificationStatus.ANSWERED:
            raise RectificationError("state", "只有“已反馈”的整改通知可以退回")
        rect.status = RectificationStatus.ISSUED
        rect.close_note = note.strip()[:300]
        rect.save(update_fields=["status", "close_note"])
        audit.record(
            actor=user,
            action="matrix_rectification_returned",
            obj=rect,
            summary={"number": rect.number},
        )
    return rect


@dataclass
class IdleAccount:
    """An open account with no post for ``days`` days as of a date (僵尸/长期未更新账号)."""

    account: Account
    last_post: dt.date | None
    days: int

    @property
    def suggestion(self) -> str:
        name = self.account.department.name
        if self.last_post is None:
            return f"请{name}尽快发布首条内容；确无运维力量的，按程序注销或关停并向社会公告"
        if self.days >= 60:
            return (
                f"下发整改通知，请{name}5个工作日内恢复更新、每周至少发布1条；"
                "确无运维力量的，按程序关停或整合到县融媒体账号"
            )
        return f"提醒{name}恢复更新，保持每周至少发布1条，两周内复查"


def idle_accounts(accounts_qs, as_of: dt.date, min_days: int | None = None) -> list[IdleAccount]:
    """Open accounts (the portal aside) whose last post before ``as_of`` is ``min_days`` (the
    inspection's silence threshold, 14) or more days old, the longest idle first. Computed from
    the posts themselves, so it holds for any month, with or without a nightly run in it."""
    if min_days is None:
        min_days = InspectionSettings.current().silent_days
    tz = timezone.get_current_timezone()
    cutoff = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), tz)
    accounts = list(
        accounts_qs.filter(closed_on__isnull=True)
        .exclude(platform="portal")
        .exclude(opened_on__gt=as_of)
        .select_related("department")
        .annotate(last=Max("posts__published_at", filter=Q(posts__published_at__lt=cutoff)))
    )
    out = []
    for acc in accounts:
        last = _local_date(acc.last)
        since = last or acc.opened_on
        days = (as_of - since).days if since else min_days
        if days >= min_days:
            out.append(IdleAccount(acc, last, days))
    out.sort(key=lambda r: (-r.days, r.account.name))
    return out

"""The portal's national self-check (网站自查): every veto and deduction indicator of the State
Council's 政府网站与政务新媒体检查指标 applied to the county's own portal, in the inspection's
own form (单项否决 / 扣分 / 加分), with the items that will fail next if nothing is done.

Sources: the page tree (home page and column updates, empty columns), the nightly content
sweep (严重表述错误, 泄露个人信息 on portal pages), the letters (messages unanswered for more
than three months within the past year), the hourly availability probe (weekly share of
failures against the 5 % line), and the internal links of every live page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.cache import cache
from django.utils import timezone

VETO, DEDUCT, BONUS = "veto", "deduct", "bonus"
GROUP_LABELS = {VETO: "单项否决", DEDUCT: "扣分", BONUS: "加分"}
PASS, FAIL, WARN = "pass", "fail", "warn"
STATUS_LABELS = {PASS: "达标", FAIL: "不达标", WARN: "需关注"}
NEWS_DAYS, POLICY_DAYS, HOME_DAYS = 14, 180, 14
STALE_COLUMNS_VETO = 5
UNANSWERED_DAYS = 90
SOON_COLUMN_DAYS, SOON_LETTER_DAYS = 3, 10
CACHE_KEY = "analytics:selfcheck"


@dataclass
class Item:
    group: str
    indicator: str
    status: str
    detail: str
    links: list[tuple[str, str]] = field(default_factory=list)

    @property
    def group_label(self) -> str:
        return GROUP_LABELS[self.group]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass
class Upcoming:
    due: dt.date
    indicator: str
    detail: str


@dataclass
class Report:
    day: dt.date
    items: list[Item]
    upcoming: list[Upcoming]
    availability: dict
    computed_at: dt.datetime

    @property
    def vetoed(self) -> bool:
        return any(i.group == VETO and i.status == FAIL for i in self.items)

    def of(self, group: str) -> list[Item]:
        return [i for i in self.items if i.group == group]


def _age(last: dt.datetime | None, now: dt.datetime) -> int | None:
    return None if last is None else (now - last).days


def _columns(today: dt.date):
    """(home, columns) with last update and whether each column is empty."""
    from wagtail.models import Page, Site

    from govhub.matrix.inspection import column_kind

    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        return None, []
    home = site.root_page
    pages = Page.objects.live().filter(path__startswith=home.path)
    home_last = (
        pages.order_by("-last_published_at").values_list("last_published_at", flat=True).first()
    )
    cols = []
    for col in home.get_children().live().specific():
        below = pages.filter(path__startswith=col.path, depth__gt=col.depth)
        last = (
            below.order_by("-last_published_at").values_list("last_published_at", flat=True).first()
        )
        cols.append(
            {
                "title": col.title,
                "kind": column_kind(col.title, col),
                "last": last or col.last_published_at,
                "empty": not below.exists(),
                "url": col.url or "",
            }
        )
    return {"title": home.title, "last": home_last}, cols


def _content_findings(rule: str):
    from govhub.matrix.models import Finding

    latest = (
        Finding.objects.filter(account__isnull=True)
        .order_by("-run_date")
        .values_list("run_date", flat=True)
        .first()
    )
    if latest is None:
        return None, []
    return latest, list(Finding.objects.filter(run_date=latest, account__isnull=True, rule=rule))


def _letters(today: dt.date, now: dt.datetime):
    from govhub.letters.models import Letter, Status

    year_ago = now - dt.timedelta(days=365)
    open_statuses = [
        Status.RECEIVED,
        Status.DISPATCHED,
        Status.HANDLING,
        Status.REVIEWING,
        Status.REOPENED,
    ]
    unanswered = Letter.objects.filter(
        received_at__gte=year_ago, replied_at__isnull=True, status__in=open_statuses
    )
    late = unanswered.filter(received_at__lt=now - dt.timedelta(days=UNANSWERED_DAYS))
    soon = unanswered.filter(
        received_at__lt=now - dt.timedelta(days=UNANSWERED_DAYS - SOON_LETTER_DAYS),
        received_at__gte=now - dt.timedelta(days=UNANSWERED_DAYS),
    ).values_list("received_at", flat=True)
    total = Letter.objects.filter(received_at__gte=year_ago).exclude(
        status__in=[Status.INVALID, Status.MERGED]
    )
    replied = total.filter(replied_at__isnull=False)
    return late.count(), list(soon), total.count(), replied.count()


def _dead_links() -> list[tuple[str, str]]:
    """(page title, href) of every internal link of a live page that does not open."""
    from wagtail.models import Page, Site

    from govhub.safety.links import internal_link_alive, is_internal
    from govhub.safety.text import parse_html

    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        return []
    dead: list[tuple[str, str]] = []
    seen: dict[str, bool] = {}
    for page in (
        Page.objects.live().filter(path__startswith=site.root_page.path).specific().iterator()
    ):
        for name in ("body", "intro", "content"):
            value = getattr(page, name, None)
            if not value:
                continue
            for href in parse_html(str(value)).links:
                if not is_internal(href):
                    continue
                if href not in seen:
                    seen[href] = internal_link_alive(href)
                if not seen[href]:
                    dead.append((page.title, href))
    return dead


def self_check(today: dt.date | None = None, *, use_cache: bool = True) -> Report:
    """The self-check report of ``today`` (cached for an hour; ``use_cache=False`` recomputes)."""
    today = today or timezone.localdate()
    if use_cache:
        cached = cache.get(CACHE_KEY)
        if cached is not None and cached.day == today:
            return cached
    from govhub.safety.probe import VETO_SHARE, weekly_availability

    now = timezone.make_aware(dt.datetime.combine(today, dt.time(23, 59)))
    items: list[Item] = []
    upcoming: list[Upcoming] = []

    # 站点无法访问
    av = weekly_availability(today)
    if av["probes"] == 0:
        items.append(
            Item(
                VETO,
                "站点无法访问",
                WARN,
                "近 7 天没有可用性探测记录：请确认后台任务在运行（每小时探测一次）",
            )
        )
    else:
        detail = f"近 7 天探测 {av['probes']} 次，{av['failed']} 次超过 15 秒未打开或出错，占 {av['share']:.1%}（否决线 5%）"
        items.append(Item(VETO, "站点无法访问", FAIL if av["veto"] else PASS, detail))
        expected = max(av["probes"], 24 * 7)
        allowed = int(expected * VETO_SHARE) - av["failed"]
        if not av["veto"] and av["failed"] and allowed <= 3:
            upcoming.append(
                Upcoming(
                    today,
                    "站点无法访问",
                    f"本周再有 {max(allowed, 0) + 1} 次探测失败即达到 5% 否决线",
                )
            )

    # 首页不更新、栏目不更新
    home, cols = _columns(today)
    if home is None:
        items.append(Item(VETO, "首页不更新", WARN, "尚未设置门户首页"))
    else:
        age = _age(home["last"], now)
        items.append(
            Item(
                VETO,
                "首页不更新",
                FAIL if age is None or age > HOME_DAYS else PASS,
                "首页从未更新"
                if age is None
                else f"首页最近 {age} 天前更新（超过 {HOME_DAYS} 天否决）",
            )
        )
        if age is not None and HOME_DAYS - SOON_COLUMN_DAYS <= age <= HOME_DAYS:
            upcoming.append(
                Upcoming(
                    home["last"].date() + dt.timedelta(days=HOME_DAYS + 1),
                    "首页不更新",
                    f"首页已 {age} 天未更新",
                )
            )
    stale, empty = [], []
    for c in cols:
        limit = NEWS_DAYS if c["kind"] == "news" else POLICY_DAYS
        age = _age(c["last"], now)
        if c["empty"]:
            empty.append(c)
        elif age is not None and age > limit:
            stale.append((c, age, limit))
        elif age is not None and limit - SOON_COLUMN_DAYS <= age <= limit:
            upcoming.append(
                Upcoming(
                    c["last"].date() + dt.timedelta(days=limit + 1),
                    "栏目不更新",
                    f"栏目“{c['title']}”已 {age} 天未更新（{'动态类 2 周' if limit == NEWS_DAYS else '通知公告/政策文件类 6 个月'}）",
                )
            )
    count = len(stale) + len(empty)
    names = "、".join(
        [f"{c['title']}（{a} 天）" for c, a, _ in stale] + [f"{c['title']}（空白）" for c in empty]
    )
    items.append(
        Item(
            VETO,
            "栏目不更新",
            FAIL if count >= STALE_COLUMNS_VETO else (WARN if count else PASS),
            f"超期未更新或空白的栏目 {count} 个（累计 {STALE_COLUMNS_VETO} 个否决）"
            + (f"：{names}" if names else ""),
        )
    )
    if 0 < count < STALE_COLUMNS_VETO:
        upcoming.append(
            Upcoming(
                today, "栏目不更新", f"再有 {STALE_COLUMNS_VETO - count} 个栏目超期或空白即单项否决"
            )
        )

    # 严重表述错误、泄露个人信息（夜间内容巡查）
    run_date, wording = _content_findings("serious_wording")
    _run, personal = _content_findings("personal_data")
    when = f"（{run_date:%Y-%m-%d} 夜间巡查）" if run_date else "（尚未运行夜间巡查）"
    items.append(
        Item(
            VETO,
            "严重错别字、严重表述错误",
            FAIL if wording else (PASS if run_date else WARN),
            (f"门户页面有 {len(wording)} 处严重表述错误" if wording else "未发现严重表述错误")
            + when,
            [(f.message[:80], f"/admin/matrix/finding/{f.pk}/source/") for f in wording[:10]],
        )
    )
    items.append(
        Item(
            VETO,
            "安全、泄密事故（泄露个人信息）",
            FAIL if personal else (PASS if run_date else WARN),
            (f"门户页面有 {len(personal)} 处个人信息" if personal else "未发现泄露的个人信息")
            + when,
            [(f.message[:80], f"/admin/matrix/finding/{f.pk}/source/") for f in personal[:10]],
        )
    )

    # 互动回应差
    late, soon, total, replied = _letters(today, now)
    items.append(
        Item(
            VETO,
            "互动回应差",
            FAIL if late else PASS,
            f"近一年有 {late} 封留言超过 3 个月未答复"
            if late
            else "近一年没有超过 3 个月未答复的留言",
        )
    )
    for received in sorted(soon)[:20]:
        due = timezone.localtime(received).date() + dt.timedelta(days=UNANSWERED_DAYS + 1)
        upcoming.append(
            Upcoming(
                due, "互动回应差", f"{timezone.localtime(received):%Y-%m-%d} 收到的留言仍未答复"
            )
        )

    # 扣分：链接不可用
    dead = _dead_links()
    items.append(
        Item(
            DEDUCT,
            "链接不可用",
            FAIL if dead else PASS,
            f"站内有 {len(dead)} 个链接无法打开" if dead else "站内链接均可打开",
            [(f"{title}：{href}", href) for title, href in dead[:10]],
        )
    )
    items.append(
        Item(
            DEDUCT,
            "空白栏目",
            FAIL if empty else PASS,
            ("空白栏目：" + "、".join(c["title"] for c in empty)) if empty else "没有空白栏目",
        )
    )
    # 加分
    share = replied / total if total else 0
    items.append(
        Item(
            BONUS,
            "互动交流答复及时",
            PASS if total and share >= 0.95 else WARN,
            f"近一年留言 {total} 封，已答复 {replied} 封（{share:.0%}）"
            if total
            else "近一年没有留言",
        )
    )
    items.append(Item(BONUS, "适老化与无障碍", PASS, "门户提供长辈模式（大字、高对比）和繁简切换"))
    report = Report(today, items, sorted(upcoming, key=lambda u: u.due), av, timezone.now())
    cache.set(CACHE_KEY, report, 3600)
    return report

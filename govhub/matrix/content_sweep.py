"""The nightly content sweep (内容巡查): the shared checker over everything already published —
every post of every account in the registry and every live page of the portal.

Serious wording errors (严重表述错误: state and institution names, leaders' names and titles,
outdated names, political expressions) and leaked personal data (泄露个人信息) become inspection
findings (单项否决, as the national indicators treat them) that supervisors turn into
rectification notices (整改通知) like the silence checks. Each finding names the sentence and
keeps its position in ``ref`` (``post:<id>:<start>-<end>`` or ``page:<id>:<start>-<end>``), so
the back office links to the exact sentence.

The first run checks everything; later runs check what was published (or edited) since the
last run and carry the earlier findings of unchanged texts over — unless the dictionaries
changed, when everything is checked again.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

from govhub.matrix.models import Account, Finding, NightlyRun, Post, Severity
from govhub.safety.checker import checker_for
from govhub.safety.findings import Finding as TextFinding
from govhub.safety.store import current_lexicon
from govhub.safety.text import html_to_text

RULE_WORDING = "serious_wording"
RULE_PERSONAL = "personal_data"
RULES = {RULE_WORDING: "严重表述错误", RULE_PERSONAL: "泄露个人信息"}
PAGE_FIELDS = ("summary", "intro", "body", "content")
_SENTENCE_END = "。！？!?\n；;"


def sentence_of(text: str, start: int, end: int) -> str:
    a = max((text.rfind(ch, 0, start) for ch in _SENTENCE_END), default=-1) + 1
    bs = [text.find(ch, end) for ch in _SENTENCE_END]
    b = min([x for x in bs if x >= 0] or [len(text)])
    return text[a : b + 1].strip()


def _rule(f: TextFinding) -> str | None:
    if f.personal:
        return RULE_PERSONAL
    if f.serious:
        return RULE_WORDING
    return None


def _message(title: str, f: TextFinding, text: str) -> str:
    sentence = sentence_of(text, f.start, f.end)
    if f.personal:
        # the sentence itself would repeat the personal data: mask it
        from govhub.core.pii import redact_text

        sentence = redact_text(sentence)
    fix = f"，应为“{f.suggestion}”" if f.suggestion and not f.personal else ""
    return f"《{title[:40]}》{f.label}：“{f.excerpt}”{fix}。原句：{sentence[:200]}"[:500]


def post_text(title: str, text: str) -> str:
    return f"{title}\n{text}"


def page_text(page) -> str:
    parts = [page.title]
    for name in PAGE_FIELDS:
        value = getattr(page, name, None)
        if value:
            parts.append(html_to_text(str(value)))
    return "\n".join(parts)


def _previous_state(today: dt.date) -> tuple[dt.date | None, str | None, dt.datetime | None]:
    last = (
        NightlyRun.objects.filter(finished_at__isnull=False, started_at__date__lt=today)
        .order_by("-started_at")
        .first()
    )
    previous = (
        Finding.objects.filter(run_date__lt=today, rule__in=list(RULES))
        .order_by("-run_date")
        .values_list("run_date", flat=True)
        .first()
    )
    stats = (last.stats or {}) if last else {}
    version = (stats.get("inspection") or {}).get("content_version") or stats.get("content_version")
    return previous, version, (last.started_at if last else None)


def sweep(today: dt.date, *, full: bool = False) -> tuple[list[Finding], dict]:
    """Finding rows for today's run (not saved: ``run_inspection`` saves all rows together)."""
    lexicon = current_lexicon()
    checker = checker_for(lexicon)
    previous, version, last_started = _previous_state(today)
    incremental = not full and last_started is not None and version == lexicon.version
    since = last_started - dt.timedelta(days=2) if incremental else None
    rows: list[Finding] = []
    checked_posts = checked_pages = 0

    # carried over: findings of texts not changed since the last run
    if incremental and previous is not None:
        for f in Finding.objects.filter(run_date=previous, rule__in=list(RULES)).select_related(
            "account__department", "department"
        ):
            kind, _, rest = f.ref.partition(":")
            pk = int(rest.split(":")[0]) if rest.split(":")[0].isdigit() else None
            if (
                kind == "post"
                and pk
                and Post.objects.filter(
                    pk=pk, published_at__lt=since, account__closed_on__isnull=True
                ).exists()
                or kind == "page"
                and pk
                and _page_unchanged(pk, since)
            ):
                rows.append(_copy(f, today))

    posts = Post.objects.filter(account__closed_on__isnull=True)
    if since is not None:
        posts = posts.filter(published_at__gte=since)
    flagged: list[tuple[int, int, str, TextFinding, str]] = []
    for post_id, acc_id, title, text, published in posts.values_list(
        "id", "account_id", "title", "text", "published_at"
    ).iterator(chunk_size=2000):
        full_text = post_text(title, text)
        checked_posts += 1
        as_of = timezone.localtime(published).date() if published else today
        for f in checker.check(full_text, as_of=as_of):
            if _rule(f):
                flagged.append((post_id, acc_id, title, f, full_text))
    if flagged:
        accounts = Account.objects.select_related("department").in_bulk({x[1] for x in flagged})
        for post_id, acc_id, title, f, full_text in flagged:
            acc = accounts[acc_id]
            rows.append(
                Finding(
                    run_date=today,
                    account=acc,
                    department=acc.department,
                    subject=f"{acc.name}（{acc.get_platform_display()}）",
                    rule=_rule(f),
                    severity=Severity.VETO,
                    message=_message(title, f, full_text),
                    ref=f"post:{post_id}:{f.start}-{f.end}",
                )
            )
    rows_pages, checked_pages = _portal_rows(today, checker, since)
    rows += rows_pages
    stats = {
        "content_version": lexicon.version,
        "content_posts_checked": checked_posts,
        "content_pages_checked": checked_pages,
        "content_findings": len(rows),
        "content_incremental": incremental,
    }
    return _unique(rows), stats


def _portal_rows(today, checker, since) -> tuple[list[Finding], int]:
    from wagtail.models import Page, Site

    from govhub.core.models import Department

    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        return [], 0
    pages = Page.objects.live().filter(path__startswith=site.root_page.path).specific()
    if since is not None:
        pages = pages.filter(last_published_at__gte=since)
    root = Department.get_root_nodes().first()
    rows, n = [], 0
    for page in pages.iterator(chunk_size=500):
        text = page_text(page)
        n += 1
        as_of = (
            timezone.localtime(page.last_published_at).date() if page.last_published_at else today
        )
        for f in checker.check(text, as_of=as_of):
            rule = _rule(f)
            if rule:
                rows.append(
                    Finding(
                        run_date=today,
                        account=None,
                        department=root,
                        subject="门户网站",
                        rule=rule,
                        severity=Severity.VETO,
                        message=_message(page.title, f, text),
                        ref=f"page:{page.pk}:{f.start}-{f.end}",
                    )
                )
    return rows, n


def _page_unchanged(pk: int, since) -> bool:
    from wagtail.models import Page

    return Page.objects.filter(pk=pk, live=True, last_published_at__lt=since).exists()


def _copy(f: Finding, today: dt.date) -> Finding:
    return Finding(
        run_date=today,
        account=f.account,
        department=f.department,
        subject=f.subject,
        rule=f.rule,
        severity=f.severity,
        message=f.message,
        ref=f.ref,
    )


def _unique(rows: list[Finding]) -> list[Finding]:
    seen, out = set(), []
    for r in rows:
        key = (r.subject, r.rule, r.ref)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


_REF = re.compile(r"^(post|page):(\d+):(\d+)-(\d+)$")


def parse_ref(ref: str) -> tuple[str, int, int, int] | None:
    m = _REF.match(ref or "")
    if not m:
        return None
    return m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4))

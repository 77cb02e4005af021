"""Demo content of analytics: the default assessment scheme, this and last month's topics, and
the portal's page views of the past 70 days (an access log in nginx's format, written as
visitors would leave it, then counted by the same code that reads the real log)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from govhub.analytics import assessment, hotspots
from govhub.analytics.models import DEFAULT_WEIGHTS, AssessmentScheme


def build(county) -> None:
    if not AssessmentScheme.objects.filter(region=county.root).exists():
        assessment.save_scheme(
            county.user("supervisor"),
            county.root,
            "2026年度政务公开与新媒体考核",
            dict(DEFAULT_WEIGHTS),
        )
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    for back in (60, 30):
        end = dt.datetime.combine(today - dt.timedelta(days=back - 30), dt.time(), tz)
        start = end - dt.timedelta(days=30)
        hotspots.save_snapshots(
            county.root, start, end, hotspots.find_topics(start, end, county.root)
        )
    build_page_views(county)


LOG_DAYS = 70
AGENTS = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 MicroMessenger/8.0.47",
    "Mozilla/5.0 (Linux; Android 14; V2307A) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36",
]


def write_access_log(county, path) -> int:
    """Visits of the portal's live pages as nginx logs them (combined format), plus the
    static files and robots a real log carries, which the counter must skip."""
    from wagtail.models import Page, Site

    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        return 0
    home = site.root_page
    pages = list(
        Page.objects.live().descendant_of(home, inclusive=True).values_list("url_path", "depth")
    )
    if not pages:
        return 0
    rng = county.rng
    root = home.url_path.rstrip("/")
    weights = [
        8.0 if depth == home.depth else 3.0 if depth == home.depth + 1 else 1.0
        for _, depth in pages
    ]
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    lines = []
    for back in range(LOG_DAYS, 0, -1):
        day = today - dt.timedelta(days=back)
        n = 90 + rng.randint(0, 60) + (40 if day.weekday() < 5 else 0)
        for url_path, _ in rng.choices(pages, weights, k=n):
            when = dt.datetime.combine(day, dt.time(rng.randint(7, 22), rng.randint(0, 59)), tz)
            target = url_path.removeprefix(root) or "/"
            ip = f"10.{rng.randint(1, 254)}.{rng.randint(1, 254)}.{rng.randint(1, 254)}"
            stamp = when.strftime("%d/%b/%Y:%H:%M:%S %z")
            agent = rng.choice(AGENTS)
            lines.append(f'{ip} - - [{stamp}] "GET {target} HTTP/1.1" 200 18234 "-" "{agent}"')
            if rng.random() < 0.3:
                lines.append(
                    f'{ip} - - [{stamp}] "GET /static/portal/portal.css HTTP/1.1" 200 9120 '
                    f'"-" "{agent}"'
                )
        lines.append(
            f'66.249.66.1 - - [{day:%d/%b/%Y}:03:00:00 +0800] "GET / HTTP/1.1" 200 18234 "-" '
            '"Mozilla/5.0 (compatible; Baiduspider/2.0)"'
        )
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    return len(lines)


def build_page_views(county) -> None:
    from govhub.channels.models import PageView
    from govhub.channels.pageviews import collect_page_views

    if PageView.objects.exists():
        return
    path = settings.VAR_DIR / "demo-nginx-access.log"
    if not write_access_log(county, path):
        return
    today = timezone.localdate()
    for back in range(LOG_DAYS, 0, -1):
        collect_page_views(today - dt.timedelta(days=back), path)

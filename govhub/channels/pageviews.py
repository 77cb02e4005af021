"""Page views of the portal (门户访问量), counted from nginx's access log.

Why the log and not a counter in the app: published pages are static files nginx serves
itself (``deploy/nginx.conf``: ``try_files $uri/index.html``), so most citizens' visits never
reach Django; and a counter that writes on every GET would make reading a page change the
database. The log sees every visit, costs the page nothing, and can be re-read: counting a day
again overwrites that day's rows, so the job is idempotent.

The log is nginx's ``combined`` format (``GOVHUB_ACCESS_LOG``, default
``<GOVHUB_VAR_DIR>/nginx-access.log``). Counted: successful GETs (200/304) of pages, not
static files, uploads, the back office or the API, and not robots (user agents naming a bot,
spider or crawler).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Sum

from govhub.channels.models import PageView

LINE = re.compile(
    r'^\S+ \S+ \S+ \[(?P<day>\d{2}/\w{3}/\d{4}):[^\]]*\] "(?P<method>[A-Z]+) (?P<target>\S+)[^"]*" '
    r'(?P<status>\d{3}) \S+ "[^"]*" "(?P<agent>[^"]*)"'
)
SKIP_PREFIXES = (
    "/static/",
    "/media/",
    "/admin/",
    "/api/",
    "/django-admin/",
    "/documents/",
    "/_private/",
    "/wechat/",
    "/mode/",
    "/script/",
    "/report-error/",
)
ROBOTS = re.compile(r"bot|spider|crawl|slurp|curl|wget|python-requests", re.I)
ASSET = re.compile(r"\.(?!html?$)\w{1,5}$")


def access_log_path() -> Path:
    return Path(os.environ.get("GOVHUB_ACCESS_LOG") or Path(settings.VAR_DIR) / "nginx-access.log")


def page_path(target: str) -> str | None:
    """The page a request target is, as the portal's URL path (``/a/b/``), or None."""
    path = target.split("?", 1)[0].split("#", 1)[0]
    if not path.startswith("/") or path.startswith(SKIP_PREFIXES):
        return None
    if path.endswith("/index.html"):
        path = path[: -len("index.html")]
    if ASSET.search(path):
        return None
    return path if path.endswith("/") else path + "/"


def count_lines(lines: Iterable[str], day: dt.date) -> Counter:
    """Views per page path on ``day`` in log lines (other days' lines are ignored)."""
    stamp = f"{day.day:02d}/{day:%b}/{day.year}"
    out: Counter = Counter()
    for line in lines:
        if stamp not in line:
            continue
        m = LINE.match(line)
        if not m or m["day"] != stamp or m["method"] != "GET":
            continue
        if m["status"] not in ("200", "304") or ROBOTS.search(m["agent"]):
            continue
        path = page_path(m["target"])
        if path:
            out[path] += 1
    return out


def _page_ids(paths: Iterable[str]) -> dict[str, int]:
    """Wagtail page ids of URL paths on the default site (pages known by id only here)."""
    from wagtail.models import Page, Site

    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        return {}
    root = site.root_page.url_path  # e.g. /home/
    wanted = {root.rstrip("/") + p: p for p in paths}
    return {
        wanted[u]: pk
        for pk, u in Page.objects.filter(url_path__in=list(wanted)).values_list("id", "url_path")
    }


def collect_page_views(day: dt.date, log_path: Path | str | None = None) -> dict[str, int]:
    """Count ``day``'s page views from the access log into ``PageView`` (re-running a day
    replaces its rows)."""
    path = Path(log_path) if log_path else access_log_path()
    if not path.exists():
        return {"pages": 0, "views": 0}
    with path.open(encoding="utf-8", errors="replace") as fh:
        counts = count_lines(fh, day)
    ids = _page_ids(counts)
    with transaction.atomic():
        PageView.objects.filter(date=day).delete()
        PageView.objects.bulk_create(
            [
                PageView(date=day, path=p[:300], page_id=ids.get(p), views=n)
                for p, n in counts.items()
            ]
        )
    return {"pages": len(counts), "views": sum(counts.values())}


def views_by_page(start: dt.date, end: dt.date) -> dict[int, int]:
    """Views per portal page id in [start, end)."""
    return dict(
        PageView.objects.filter(date__gte=start, date__lt=end, page_id__isnull=False)
        .values_list("page_id")
        .annotate(n=Sum("views"))
        .values_list("page_id", "n")
    )

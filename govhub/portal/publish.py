"""Pages rendered at publish time (静态发布), so the portal holds at peak (seed 002).

Every anonymous, standard-mode page (home, column lists and their numbered pages, articles,
专题, feeds) is written under ``settings.PUBLISHED_ROOT`` mirroring its URL
(``/news/abc/`` → ``news/abc/index.html``, ``/news/rss.xml`` → ``news/rss.xml``). nginx serves
those files directly (deploy/nginx.conf); without nginx the portal's catch-all view serves
them. When a page is published, unpublished, deleted or moved, ``refresh_*`` re-renders every
page whose content depends on it — the page, each ancestor column's list pages and feeds, the
government-information catalogue, the 专题 pages and the home page — and deletes files whose
URL no longer exists. They run in the publish transaction's ``on_commit``, i.e. before the
publishing request returns, so "published" means "visible to everyone".

Every HTML page is written in each of the four variants a visitor can choose — standard,
长者模式, 繁體 and both — the variants under ``.variants/<name>/`` (feeds are the same bytes in every
variant and are copied), so a 长者模式 or 繁體 visitor is served a file too, at nginx's static
rate; nginx picks the directory from the ``gh_elder`` / ``gh_script`` cookies. A publish re-renders
(or deletes) a URL in every variant at once, so no variant goes stale.

Why our own writer rather than a static-site generator (wagtail-bakery): we need to render a
handful of dependent URLs per publish, synchronously, not to bake the whole site.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.test import RequestFactory
from wagtail.models import Page

from govhub.portal import address

log = logging.getLogger(__name__)
FEED_NAMES = ("rss.xml", "atom.xml")
# the site address the files were rendered for: other address, other links → render again
ADDRESS_MARKER = ".site-url"
# the directory of the non-standard variants, beside the standard files; no page URL starts with a
# dot, and ``file_for`` refuses such paths, so the variant files are never reached by their path
VARIANT_DIR = ".variants"
# variant name → the cookies that select it (govhub.portal.views: ELDER_COOKIE, SCRIPT_COOKIE);
# "" is the standard page. deploy/nginx.conf maps the same cookie values to the same directories.
VARIANTS: dict[str, dict[str, str]] = {
    "": {},
    "elder": {"gh_elder": "1"},
    "hant": {"gh_script": "hant"},
    "elder-hant": {"gh_elder": "1", "gh_script": "hant"},
}


def root() -> Path:
    return Path(settings.PUBLISHED_ROOT)


def variant_root(variant: str = "") -> Path:
    return root() / VARIANT_DIR / variant if variant else root()


def file_for(url: str, variant: str = "") -> Path | None:
    """The file that holds a URL's published rendering in a variant (None for unsafe paths)."""
    rel = unquote(url.split("?", 1)[0]).lstrip("/")
    if any(part.startswith(".") for part in rel.split("/")) or "\x00" in rel:
        return None
    # no page has such an address, and the file system would refuse the name (a 500)
    if len(rel) > 1000 or any(len(part.encode()) > 200 for part in rel.split("/")):
        return None
    if rel == "" or rel.endswith("/"):
        rel += "index.html"
    elif "." not in rel.rsplit("/", 1)[-1]:
        rel += "/index.html"
    return variant_root(variant) / rel


def _request_for(url: str, variant: str = ""):
    """A visitor's request as it reaches the site at its own address (GOVHUB_SITE_URL), so
    whatever the page builds from the request (feeds' links) names that address too; it carries
    the cookies of the variant."""
    request = RequestFactory().get(
        url, HTTP_HOST=address.netloc() or "localhost", secure=address.scheme() == "https"
    )
    request.user = AnonymousUser()
    request.COOKIES = dict(VARIANTS[variant])
    return request


def is_feed(url: str) -> bool:
    return url.split("?", 1)[0].rsplit("/", 1)[-1] in FEED_NAMES


def render(url: str, variant: str = "") -> bytes | None:
    """The bytes an anonymous visitor in ``variant`` gets for ``url`` (None unless 200): the
    live view's output, 繁 conversion included, byte for byte."""
    from govhub.portal.views import apply_script, render_live

    request = _request_for(url, variant)
    try:
        response = render_live(request, unquote(url).lstrip("/"))
    except Http404:
        return None
    if hasattr(response, "render"):
        response.render()
    if response.status_code != 200:
        return None
    return apply_script(request, response).content


def write(url: str, content: bytes, variant: str = "") -> None:
    target = file_for(url, variant)
    if target is None:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as fh:
        fh.write(content)
    os.chmod(tmp, 0o644)
    os.replace(tmp, target)  # atomic: a visitor never reads half a file


def remove(url: str) -> None:
    """Delete a URL's file in every variant."""
    for variant in VARIANTS:
        target = file_for(url, variant)
        if target is not None and target.exists():
            target.unlink()


def remove_tree(url: str) -> None:
    """Delete a page's directory with everything below it (unpublished or moved subtree), in
    every variant."""
    for variant in VARIANTS:
        target = file_for(url, variant)
        if target is None:
            continue
        directory = target.parent
        base = variant_root(variant)
        if directory != base and directory.is_dir() and base in directory.parents:
            shutil.rmtree(directory)


def render_and_write(urls: Iterable[str]) -> int:
    """Render each URL in every variant; write it, or delete its files when it no longer
    renders. A feed is rendered once and copied (no variant changes a feed)."""
    count = 0
    for url in dict.fromkeys(urls):
        content = render(url)
        if content is None:
            remove(url)
            continue
        for variant in VARIANTS:
            if variant and not is_feed(url):
                variant_content = render(url, variant)
                if variant_content is None:  # cannot differ from the standard page; be safe
                    remove(url)
                    break
                write(url, variant_content, variant)
            else:
                write(url, content, variant)
        else:
            count += 1
    return count


def _page_url(page: Page) -> str | None:
    url = page.get_url()
    if not url or url.startswith("http"):
        return url and "/" + url.split("/", 3)[-1]
    return url


def column_urls(column) -> list[str]:
    """A column's list pages, its feeds; stale higher list pages are deleted on the way."""
    from govhub.portal.models import ColumnPage

    column = column.specific
    base = _page_url(column)
    if not base or not isinstance(column, ColumnPage):
        return [base] if base else []
    n = column.page_count()
    urls = [base] + [f"{base}page/{k}/" for k in range(2, n + 1)]
    urls += [base + name for name in FEED_NAMES]
    for variant in VARIANTS:
        pages_dir = file_for(base + "page/", variant)
        if pages_dir is not None and pages_dir.parent.is_dir():
            for child in pages_dir.parent.iterdir():
                if child.name.isdigit() and int(child.name) > n:
                    shutil.rmtree(child)
    return urls


def dependent_urls(ancestor_ids: Iterable[int]) -> list[str]:
    """Pages whose content lists articles below these ancestors, plus home and 专题."""
    from govhub.portal.models import SpecialTopicPage, TopicIndexPage

    urls: list[str] = []
    for anc in Page.objects.filter(pk__in=list(ancestor_ids), depth__gt=1).live().specific():
        urls += column_urls(anc)
    for topic in Page.objects.live().type(SpecialTopicPage, TopicIndexPage):
        url = _page_url(topic)
        if url:
            urls.append(url)
    return urls


def _ancestor_ids(page: Page) -> list[int]:
    return list(Page.objects.ancestor_of(page).values_list("pk", flat=True))


def refresh_after_publish(page_id: int) -> int:
    """Re-render a just-published page and every page that lists it."""
    page = Page.objects.filter(pk=page_id).specific().first()
    if page is None:
        return 0
    urls: list[str] = []
    if page.live:
        url = _page_url(page)
        if url:
            urls += column_urls(page) if _is_column(page) else [url]
    return render_and_write(urls + dependent_urls(_ancestor_ids(page)))


def refresh_after_unpublish(old_url: str | None, ancestor_ids: list[int]) -> int:
    if old_url:
        remove_tree(old_url)
    return render_and_write(dependent_urls(ancestor_ids))


def refresh_after_move(page_id: int, old_url: str | None, old_ancestor_ids: list[int]) -> int:
    """The old URLs disappear (subtree deleted), the subtree is rendered at its new place,
    and both the old and the new parents' lists are refreshed."""
    page = Page.objects.filter(pk=page_id).first()
    if old_url:
        remove_tree(old_url)
    if page is None:
        return render_and_write(dependent_urls(old_ancestor_ids))
    urls = []
    for p in Page.objects.descendant_of(page, inclusive=True).live().specific():
        url = _page_url(p)
        if url:
            urls += column_urls(p) if _is_column(p) else [url]
    return render_and_write(urls + dependent_urls(old_ancestor_ids + _ancestor_ids(page)))


def _is_column(page: Page) -> bool:
    from govhub.portal.models import ColumnPage

    return issubclass(page.specific_class or Page, ColumnPage)


def rendered_for() -> str | None:
    """The site address the published files were rendered for (None: nothing published)."""
    try:
        return (root() / ADDRESS_MARKER).read_text(encoding="utf-8").strip()
    except OSError:
        return None


_CURRENT: dict = {}


def files_current() -> bool:
    """Whether the published files were rendered for today's site address: after the address
    changes (another PORT for `make demo`), stale files are not served until re-rendered."""
    marker = root() / ADDRESS_MARKER
    try:
        stamp = marker.stat().st_mtime_ns
    except OSError:
        return False
    key = (str(marker), stamp, address.site_url())
    if _CURRENT.get("key") != key:
        _CURRENT.update(key=key, ok=rendered_for() == address.site_url())
    return _CURRENT["ok"]


def publish_all() -> int:
    """Render the whole live site (demo build, `govhub portal_publish`)."""
    if root().exists():
        shutil.rmtree(root())
    root().mkdir(parents=True, exist_ok=True)
    (root() / ADDRESS_MARKER).write_text(address.site_url() + "\n", encoding="utf-8")
    urls: list[str] = []
    for p in Page.objects.live().filter(depth__gt=1).specific().order_by("path"):
        url = _page_url(p)
        if not url:
            continue
        urls += column_urls(p) if _is_column(p) else [url]
    return render_and_write(urls)

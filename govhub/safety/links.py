"""Links in a text: internal ones resolved against the site, external ones fetched.

Internal links (a path, or an address on ``SITE_URL``) must open: a Django view, a live
Wagtail page (routed from the default site's root, whatever view serves pages), a stored file.
External links are fetched with a short timeout and a cap on redirects (a link that hangs or
redirects forever costs at most ``timeout`` seconds), never to a private or loopback address
(no probing of the internal network from the server), and their domain is checked against the
block list of the dictionaries. Results are cached for an hour.
"""

from __future__ import annotations

import concurrent.futures
import ipaddress
import socket
import time
from collections.abc import Callable, Iterable
from urllib.parse import urljoin, urlsplit

from govhub.safety.findings import DEFAULT_SEVERITY, Finding

PAGE_VIEWS = {"page", "wagtail_serve", "serve", "serve_page"}
USER_AGENT = "govhub-linkcheck/1.0"
_extra_resolvers: list[tuple[str, Callable[[str], bool]]] = []


def register_resolver(prefix: str, alive: Callable[[str], bool]) -> None:
    """Let an app answer for its own paths (publishing: ``/publishing/p/<id>/``)."""
    _extra_resolvers.append((prefix, alive))


def is_internal(href: str) -> bool:
    from django.conf import settings

    return (href.startswith("/") and not href.startswith("//")) or bool(
        settings.SITE_URL and href.startswith(settings.SITE_URL)
    )


def internal_link_alive(href: str) -> bool:
    """Does a link to this site open (a view, a live page, a stored file)?"""
    from django.conf import settings
    from django.core.files.storage import default_storage
    from django.urls import Resolver404, resolve

    path = href.split("#", 1)[0].split("?", 1)[0]
    if settings.SITE_URL and path.startswith(settings.SITE_URL):
        path = path[len(settings.SITE_URL) :] or "/"
    if not path.startswith("/"):
        path = "/" + path
    if path.startswith(settings.MEDIA_URL):
        return default_storage.exists(path[len(settings.MEDIA_URL) :])
    if path.startswith(settings.STATIC_URL):
        from django.contrib.staticfiles import finders

        return bool(finders.find(path[len(settings.STATIC_URL) :]))
    for prefix, alive in _extra_resolvers:
        if path.startswith(prefix):
            return alive(path)
    try:
        match = resolve(path)
    except Resolver404:
        return False
    if match.url_name in PAGE_VIEWS or getattr(match.func, "__name__", "") in PAGE_VIEWS:
        return _page_alive(path)
    return True


def _page_alive(path: str) -> bool:
    from django.http import Http404
    from wagtail.models import Site

    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        return False
    from django.http import HttpRequest

    request = HttpRequest()  # routable pages (column feeds, pages) read the request
    request.path = request.path_info = path
    request.method = "GET"
    request.META = {"SERVER_NAME": "localhost", "SERVER_PORT": "80"}
    components = [c for c in path.split("/") if c]
    try:
        result = site.root_page.specific.route(request, components)
    except Http404:
        return False
    page = getattr(result, "page", None) or result[0]
    return bool(page.live)


def _blocked(host: str, blocked: Iterable[str]) -> str | None:
    host = (host or "").lower().rstrip(".")
    for d in blocked:
        if host == d or host.endswith("." + d):
            return d
    return None


def _private(host: str) -> bool:
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    for info in infos:
        try:
            ip = ipaddress.ip_address(info[4][0])
        except ValueError:
            continue
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved:
            return True
    return False


def fetch_status(url: str, timeout: float = 5.0, max_redirects: int = 5) -> tuple[bool, str]:
    """(opens, reason) for an external address; never waits longer than ``timeout`` seconds
    in all (connect, each read, and the redirects together)."""
    import requests
    from django.conf import settings

    deadline = time.monotonic() + timeout
    allow_private = getattr(settings, "SAFETY_LINKCHECK_ALLOW_PRIVATE", False)
    session = requests.Session()
    current = url
    for _ in range(max_redirects + 1):
        parts = urlsplit(current)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return False, "地址格式不正确"
        if not allow_private and _private(parts.hostname):
            return False, "链接指向内网地址"
        left = deadline - time.monotonic()
        if left <= 0:
            return False, f"{timeout:.0f} 秒内未打开"
        try:
            with session.get(
                current,
                timeout=(min(left, 3.05), min(left, timeout)),
                allow_redirects=False,
                stream=True,
                headers={"User-Agent": USER_AGENT},
            ) as r:
                if r.is_redirect or r.status_code in (301, 302, 303, 307, 308):
                    current = urljoin(current, r.headers.get("Location", ""))
                    continue
                if r.status_code >= 400:
                    return False, f"打开时返回错误 {r.status_code}"
                return True, ""
        except requests.Timeout:
            return False, f"{timeout:.0f} 秒内未打开"
        except requests.RequestException as exc:
            return False, f"无法连接（{type(exc).__name__}）"
    return False, "重定向次数过多"


def check_links(
    hrefs: Iterable[str],
    *,
    blocked_domains: Iterable[str] = (),
    external: bool = True,
    timeout: float = 5.0,
    severity: dict[str, str] | None = None,
) -> list[Finding]:
    """Findings for the links of a text (each link once): dead internal links, blocked domains,
    external links that do not open."""
    from django.core.cache import cache

    sev = severity or DEFAULT_SEVERITY
    out: list[Finding] = []
    blocked_domains = list(blocked_domains)
    todo = []
    for href in dict.fromkeys(h.strip() for h in hrefs if h and h.strip()):
        if href.startswith(("mailto:", "tel:", "#", "javascript:", "data:")):
            continue
        if is_internal(href):
            if sev.get("dead_link") and not internal_link_alive(href):
                out.append(
                    Finding(
                        "dead_link",
                        sev["dead_link"],
                        f"站内链接 {href[:120]} 无法打开",
                        excerpt=href[:120],
                        suggestion="改为有效链接或删除",
                    )
                )
            continue
        host = urlsplit(href if "//" in href else "http://" + href).hostname or ""
        hit = _blocked(host, blocked_domains)
        if hit and sev.get("blocked_link"):
            out.append(
                Finding(
                    "blocked_link",
                    sev["blocked_link"],
                    f"链接 {href[:120]} 指向被屏蔽的网站（{hit}）",
                    excerpt=href[:120],
                    suggestion="删除该链接",
                )
            )
            continue
        if external and sev.get("external_link") and href.startswith(("http://", "https://")):
            todo.append(href)
    if todo:
        results: dict[str, tuple[bool, str]] = {}
        missing = []
        for href in todo:
            cached = cache.get("safety:link:" + href)
            if cached is not None:
                results[href] = tuple(cached)
            else:
                missing.append(href)
        if missing:
            with concurrent.futures.ThreadPoolExecutor(max_workers=min(8, len(missing))) as pool:
                for href, res in zip(
                    missing, pool.map(lambda u: fetch_status(u, timeout), missing), strict=True
                ):
                    results[href] = res
                    cache.set("safety:link:" + href, list(res), 3600 if res[0] else 600)
        for href in todo:
            ok, reason = results[href]
            if not ok:
                out.append(
                    Finding(
                        "external_link",
                        sev["external_link"],
                        f"外部链接 {href[:120]} {reason}",
                        excerpt=href[:120],
                        suggestion="核实后改为有效链接或删除",
                    )
                )
    return out

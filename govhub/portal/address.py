"""The site's own address (``GOVHUB_SITE_URL``): the one source of every absolute link.

Feeds, the sitemap, canonical links, robots.txt, published files and links sent out to WeChat
or by mail are written for readers who are not on the page, so they cannot be relative; they
must name the address the site is really served at, never the host a request happened to carry
(a publish-time render has no visitor) nor Wagtail's Site record (``localhost:80`` by default).
``make demo`` derives the address from ``HOST``/``PORT``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings


def site_url() -> str:
    """``http(s)://host[:port]`` without a trailing slash."""
    return settings.SITE_URL.rstrip("/")


def absolute(path: str) -> str:
    """The absolute address of a site path (an absolute URL is returned unchanged)."""
    if not path:
        path = "/"
    if path.startswith(("http://", "https://")):
        return path
    if not path.startswith("/"):
        path = "/" + path
    return site_url() + path


def scheme() -> str:
    return urlsplit(site_url()).scheme or "http"


def netloc() -> str:
    """``host[:port]`` as it appears in links (port only when not the scheme's default)."""
    return urlsplit(site_url()).netloc


def host_and_port() -> tuple[str, int]:
    """(hostname, port) for Wagtail's Site record and publish-time requests."""
    parts = urlsplit(site_url())
    return parts.hostname or "localhost", parts.port or (443 if parts.scheme == "https" else 80)


def sync_site() -> bool:
    """Point the default Wagtail Site at the site's address (so Wagtail's own ``full_url``
    agrees with ours); True when it changed."""
    from wagtail.models import Site

    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        return False
    hostname, port = host_and_port()
    if (site.hostname, site.port) == (hostname, port):
        return False
    site.hostname, site.port = hostname, port
    site.save(update_fields=["hostname", "port"])
    return True

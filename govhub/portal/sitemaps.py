"""sitemap.xml over every public live page."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from wagtail.models import Page, PageViewRestriction

from govhub.portal import address


class PortalSitemap(Sitemap):
    limit = 5000

    def items(self):
        restricted = PageViewRestriction.objects.values_list("page__path", flat=True)
        qs = Page.objects.live().filter(depth__gt=1).order_by("path")
        for path in restricted:
            qs = qs.exclude(path__startswith=path)
        return qs

    def location(self, item) -> str:
        return item.url or "/"

    def get_domain(self, site=None) -> str:
        """The site's own address, not the host the request carried (a proxy's upstream)."""
        return address.netloc()

    def get_protocol(self, protocol=None) -> str:
        return address.scheme()

    def lastmod(self, item):
        return item.last_published_at

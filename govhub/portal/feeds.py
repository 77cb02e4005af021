"""RSS 2.0 and Atom 1.0 feeds per column (``/<column>/rss.xml``, ``/<column>/atom.xml``); the
home page's feeds cover the whole site. Every link names the site's own address (address.py):
a feed reader has no page to resolve a relative link against."""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from govhub.portal import address

FEED_SIZE = 30


class ColumnRssFeed(Feed):
    feed_type = Rss201rev2Feed

    def __call__(self, request, *args, column=None, **kwargs):
        self._column = column
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request, *args, **kwargs):
        return self._column

    def title(self, column) -> str:
        return f"{column.title} - {settings.WAGTAIL_SITE_NAME}"

    def link(self, column) -> str:
        return address.absolute(column.url)

    def description(self, column) -> str:
        return column.intro or f"{settings.WAGTAIL_SITE_NAME}{column.title}栏目最新信息"

    def feed_url(self, column) -> str:
        return address.absolute(f"{column.url}rss.xml")

    def items(self, column):
        return column.articles().select_related("department")[:FEED_SIZE]

    def item_title(self, item) -> str:
        return item.title

    def item_description(self, item) -> str:
        return item.summary or item.title

    def item_link(self, item) -> str:
        return address.absolute(item.url)

    def item_pubdate(self, item):
        return item.date

    def item_author_name(self, item) -> str:
        return item.department.name if item.department_id else settings.WAGTAIL_SITE_NAME


class ColumnAtomFeed(ColumnRssFeed):
    feed_type = Atom1Feed
    subtitle = ColumnRssFeed.description

    def feed_url(self, column) -> str:
        return address.absolute(f"{column.url}atom.xml")


class SiteRssFeed(ColumnRssFeed):
    """The whole site's newest articles (``/rss.xml``, advertised on every page)."""

    def get_object(self, request, *args, **kwargs):
        return None

    def title(self, obj) -> str:
        return f"{settings.WAGTAIL_SITE_NAME}最新信息"

    def link(self, obj) -> str:
        return address.absolute("/")

    def description(self, obj) -> str:
        return f"{settings.WAGTAIL_SITE_NAME}门户网站各栏目最新发布的信息"

    def feed_url(self, obj) -> str:
        return address.absolute("/rss.xml")

    def items(self, obj):
        from govhub.portal.models import ArticlePage

        return (
            ArticlePage.objects.live()
            .public()
            .select_related("department")
            .order_by("-date", "-pk")[:FEED_SIZE]
        )


class SiteAtomFeed(SiteRssFeed):
    feed_type = Atom1Feed
    subtitle = SiteRssFeed.description

    def feed_url(self, obj) -> str:
        return address.absolute("/atom.xml")

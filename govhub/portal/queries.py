"""Read-side helpers for the portal templates: navigation and the home page's blocks."""

from __future__ import annotations

from django.utils import timezone

from govhub.portal import models as m

INTERACTION_LINKS = [
    ("领导信箱", "/letters/", "给县领导写信，全程可查办理进度"),
    ("智能问答", "/qa/", "常见问题，随问随答"),
    ("我为政府网站找错", "/report-error/", "发现错别字、错链、过时信息请告诉我们"),
    ("在线调查", "/participation/surveys/", "民意调查，说出您的看法"),
    ("意见征集", "/participation/consultations/", "政策草案公开征求意见"),
    ("来信选登", "/letters/archive/", "已办结来信的办理结果公开"),
]
# the site map's 互动交流 and 订阅 section: services outside the page tree
SERVICE_PAGES = [
    ("领导信箱", "/letters/", "写信、查询办理进度"),
    ("我要写信", "/letters/write/", "给县领导写信"),
    ("信件查询", "/letters/track/", "凭查询码查看办理进度和答复"),
    ("来信选登", "/letters/archive/", "已办结来信的办理结果"),
    ("来信统计", "/letters/stats/", "来信数量、办结率和满意度"),
    ("问题地图", "/letters/map/", "群众反映问题的分布"),
    ("智能问答", "/qa/", "常见问题，随问随答"),
    ("办事服务", "/services/", "办事指南、便民查询、好差评"),
    ("在线调查", "/participation/surveys/", "民意调查"),
    ("意见征集", "/participation/consultations/", "政策草案公开征求意见"),
    ("留言板", "/participation/board/", "给政府部门留言"),
    ("站内搜索", "/search/", "搜索政策、办事、通知"),
    ("我为政府网站找错", "/report-error/", "错别字、错链、过时信息"),
    ("全站 RSS 订阅", "/rss.xml", "各栏目最新信息"),
    ("全站 Atom 订阅", "/atom.xml", "各栏目最新信息"),
]

SERVICE_LINKS = [
    ("公积金提取", "公积金 提取"),
    ("养老保险缴费", "养老保险 缴费"),
    ("医保报销", "医保 报销"),
    ("入学报名", "入学 报名"),
    ("居住证办理", "居住证"),
    ("低保申请", "低保"),
    ("就业补贴", "就业 补贴"),
    ("不动产登记", "不动产登记"),
]


def nav_columns(home: m.Page | None) -> list[m.Page]:
    """Top navigation: the home page's columns, catalogue and topic index shown in menus."""
    if home is None:
        return []
    return list(home.get_children().live().in_menu().only("title", "url_path", "path", "depth"))


NAV_KEY = "govhub:portal:nav:v1"
NAV_TTL = 300  # seconds; nav_changed drops it on every change sooner


def site_chrome(request) -> dict:
    """What every portal page's header and footer show — the columns (title, url) and the
    site's PortalSettings — for this request's host, from the shared cache: a live page, a
    form's answer (the letter's confirmation) would otherwise spend a site lookup and two
    queries on them. Dropped by ``nav_changed`` on publish, unpublish, move, any page or site
    saved or deleted, and the settings saved."""
    from wagtail.models import Site

    from govhub.core import hotcache

    host = request.get_host() if request is not None else ""
    cached = hotcache.peek(NAV_KEY) or {}
    if host in cached:
        return cached[host]
    site = Site.find_for_request(request) if request is not None else None
    home = site.root_page if site else None
    chrome = {
        "columns": [{"title": p.title, "url": p.get_url(request)} for p in nav_columns(home)],
        "portal": m.PortalSettings.for_site(site) if site else None,
    }
    hotcache.put(NAV_KEY, {**cached, host: chrome}, NAV_TTL)
    return chrome


def nav_changed(**_kwargs) -> None:
    """Signal receiver (portal.signals): the cached header and footer are dropped."""
    from govhub.core import hotcache

    hotcache.drop(NAV_KEY)


def site_map() -> dict:
    """网站地图: the page tree down to sub-columns (articles are reached from their columns),
    one section per top-level column, plus the services outside the tree."""
    from wagtail.models import Site

    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    home = site.root_page if site else None
    sections: list[tuple[m.Page, list[tuple[m.Page, int]]]] = []
    if home is not None:
        kinds = (
            m.ColumnPage,
            m.GovInfoCatalogPage,
            m.GovInfoCategoryPage,
            m.TopicIndexPage,
            m.SpecialTopicPage,
        )
        pages = (
            m.Page.objects.live()
            .public()
            .descendant_of(home)
            .type(*kinds)
            .filter(depth__lte=home.depth + 3)
            .order_by("path")
        )
        for page in pages:
            level = page.depth - home.depth
            if level == 1:
                sections.append((page, []))
            elif sections and page.path.startswith(sections[-1][0].path):
                sections[-1][1].append((page, level - 1))
    return {"home": home, "sections": sections, "services": SERVICE_PAGES}


def home_blocks(home: m.HomePage) -> dict:
    """Everything the home page shows, in a handful of queries."""
    headlines = []
    if home.headline_column_id:
        headlines = list(home.headline_column.articles()[:8])
    notices = []
    if home.notice_column_id:
        notices = list(home.notice_column.articles()[:8])
    catalog = m.GovInfoCatalogPage.objects.live().child_of(home).first()
    categories = list(catalog.categories()) if catalog else []
    govinfo_latest = []
    if catalog:
        govinfo_latest = list(
            m.ArticlePage.objects.live()
            .descendant_of(catalog)
            .select_related("department")
            .order_by("-date")[:6]
        )
    topics = list(
        m.SpecialTopicPage.objects.live()
        .descendant_of(home)
        .filter(is_current=True)
        .order_by("-start_date", "-pk")[:3]
    )
    service_column = m.ColumnPage.objects.live().child_of(home).filter(title="办事服务").first()
    columns = list(
        m.ColumnPage.objects.live()
        .child_of(home)
        .filter(show_in_nav=True)
        .exclude(
            pk__in=[
                home.headline_column_id or 0,
                home.notice_column_id or 0,
                service_column.pk if service_column else 0,
            ]
        )
        .not_type(m.GovInfoCategoryPage)[:6]
    )
    column_blocks = [(c, list(c.articles()[:5])) for c in columns]
    return {
        "headlines": headlines,
        "lead": headlines[0] if headlines else None,
        "notices": notices,
        "catalog": catalog,
        "categories": categories,
        "govinfo_latest": govinfo_latest,
        "topics": topics,
        "column_blocks": column_blocks,
        "interaction_links": INTERACTION_LINKS,
        "service_links": SERVICE_LINKS,
        "service_column": service_column,
        "today": timezone.localdate(),
    }

"""Read-side helpers for the portal templates: navigation and the home page's blocks."""

from __future__ import annotations

from django.utils import timezone

from govhub.portal import models as m

INTERACTION_LINKS = [
    ("领导信箱", "/letters/", "给县领导写信，全程可查办理进度"),
    ("智能问答", "/qa/", "常见问题，随问随答"),
    ("我为政府网站找错", "/report-error/", "发现错别字、错链、过时信息请告诉我们"),
    ("在线调查", "/participation/", "民意征集与在线调查"),
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

"""A small portal built in a test: home, two columns, articles, a notice, the catalogue, a 专题."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone
from wagtail.models import Page, Site

from govhub.portal.models import (
    ArticlePage,
    ColumnPage,
    DocType,
    GovInfoCatalogPage,
    GovInfoCategoryPage,
    HomePage,
    NoticePage,
    PortalSettings,
    SpecialTopicPage,
    TopicIndexPage,
)


def when(days_ago: int) -> datetime:
    return timezone.make_aware(datetime(2026, 11, 1, 9, 0)) - timedelta(days=days_ago)


def article(parent, title: str, body: str, days_ago: int = 1, cls=ArticlePage, **extra):
    tags = extra.pop("tags", None)
    page = cls(
        title=title,
        date=when(days_ago),
        body=f"<p>{body}</p>",
        summary=body[:60],
        doc_type=extra.pop("doc_type", DocType.NEWS),
        **extra,
    )
    parent.add_child(instance=page)
    if tags:
        page.tags.add(*tags)
        page.save()
    return page


def build_site(news_count: int = 25) -> dict:
    root = Page.get_first_root_node()
    if root is None:  # a transactional test flushed the tree Wagtail's migration made
        from django.contrib.contenttypes.models import ContentType
        from wagtail.models import Locale

        Locale.objects.get_or_create(language_code="zh-hans")
        root = Page.add_root(
            instance=Page(
                title="Root", slug="root", content_type=ContentType.objects.get_for_model(Page)
            )
        )
    home = root.add_child(instance=HomePage(title="示范县人民政府", slug="shifan"))
    site = Site.objects.filter(is_default_site=True).first()
    if site:
        old = site.root_page
        site.root_page = home
        site.save()
        if old.depth == 2 and type(old.specific) is Page:
            old.delete()
    else:
        site = Site.objects.create(hostname="localhost", root_page=home, is_default_site=True)
    PortalSettings.objects.update_or_create(
        site=site,
        defaults={
            "sponsor": "示范县人民政府办公室",
            "site_code": "0000000001",
            "icp_number": "示ICP备00000001号",
        },
    )
    news = home.add_child(instance=ColumnPage(title="政务要闻", slug="yaowen", show_in_menus=True))
    notices = home.add_child(instance=ColumnPage(title="通知公告", slug="tzgg", show_in_menus=True))
    service = home.add_child(instance=ColumnPage(title="办事服务", slug="bsfw", show_in_menus=True))
    HomePage.objects.filter(pk=home.pk).update(headline_column=news, notice_column=notices)
    articles = [
        article(
            news,
            f"全县重点项目建设推进会第{i}次会议召开",
            "会议研究部署重点项目建设。",
            days_ago=i + 2,
        )
        for i in range(news_count)
    ]
    gjj = article(
        service,
        "住房公积金提取办理指南",
        "职工租房可以提取住房公积金，每月最高1500元，可在网上办理公积金提取。",
        doc_type=DocType.GUIDE,
    )
    pension = article(
        service,
        "城乡居民基本养老保险缴费指南",
        "城乡居民养老保险缴费档次分为多个档次，可通过手机银行缴费。",
        doc_type=DocType.GUIDE,
    )
    notice = article(
        notices,
        "关于城乡居民医疗保险集中参保缴费的通知",
        "医保缴费时间为9月至12月。",
        cls=NoticePage,
        doc_type=DocType.NOTICE,
        issuer="县医疗保障局",
    )
    catalog = home.add_child(
        instance=GovInfoCatalogPage(title="政府信息公开", slug="xxgk", organisation_code="ORG123")
    )
    policy_cat = catalog.add_child(
        instance=GovInfoCategoryPage(title="政策文件", slug="zcwj", code="ZCWJ")
    )
    policy = article(
        policy_cat,
        "示范县住房公积金提取管理办法",
        "为规范住房公积金提取管理，制定本办法。",
        doc_type=DocType.POLICY,
        doc_number="示政办发〔2026〕3号",
        valid_from=date(2026, 1, 1),
        valid_until=date(2030, 12, 31),
    )
    topics = home.add_child(instance=TopicIndexPage(title="专题专栏", slug="zhuanti"))
    topic = topics.add_child(
        instance=SpecialTopicPage(
            title="民生保障专题", slug="minsheng", tag="民生", intro="民生政策汇集"
        )
    )
    return {
        "home": home,
        "news": news,
        "notices": notices,
        "service": service,
        "articles": articles,
        "gjj": gjj,
        "pension": pension,
        "notice": notice,
        "catalog": catalog,
        "policy_cat": policy_cat,
        "policy": policy,
        "topic": topic,
    }

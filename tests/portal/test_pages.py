"""Page types through HTTP: what a citizen sees on the home, column, article and catalogue pages."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from govhub.portal import govinfo
from govhub.portal.models import ArticlePage

pytestmark = pytest.mark.django_db


def test_home_shows_headlines_notices_govinfo_services_interaction_and_footer(client, site):
    html = client.get("/").content.decode()
    for text in [
        "政务要闻",
        "通知公告",
        "政府信息公开",
        "办事服务",
        "互动交流",
        "/letters/",
        "/qa/",
    ]:
        assert text in html
    assert "全县重点项目建设推进会第0次会议召开" in html
    assert "关于城乡居民医疗保险集中参保缴费的通知" in html
    assert "网站标识码：0000000001" in html and "示ICP备00000001号" in html
    assert "主办单位：示范县人民政府办公室" in html
    assert 'class="skip-link" href="#main"' in html


def test_column_list_pages_by_path_and_refuses_missing_pages(client, site):
    first = client.get("/yaowen/")
    assert first.status_code == 200
    assert "第 1/2 页" in first.content.decode()
    second = client.get("/yaowen/page/2/").content.decode()
    # 25 articles, newest first: the oldest (days_ago=26, i=24) is on page 2
    assert "第24次会议" in second and "第0次会议" not in second
    assert '<link rel="canonical" href="http://127.0.0.1:8000/yaowen/page/2/">' in second
    missing = client.get("/yaowen/page/9/")
    assert missing.status_code == 404
    assert "页面不存在" in missing.content.decode()


def test_article_page_shows_document_number_index_number_and_validity(client, site):
    policy = site["policy"]
    entry = govinfo.assign_index_number(policy)
    assert entry.number == "ORG123/ZCWJ-2026-0001"
    html = client.get(policy.url).content.decode()
    assert "示政办发〔2026〕3号" in html
    assert "ORG123/ZCWJ-2026-0001" in html
    assert "有效" in html
    assert '<meta property="og:title" content="示范县住房公积金提取管理办法">' in html
    # second article in the category gets the next sequence number; numbers never change
    assert govinfo.assign_index_number(policy).number == entry.number


def test_article_first_load_is_small(client, site):
    """Under 100 KB with every stylesheet and script it links (images aside); the one script
    is a deferred enhancement: the chat entry is a plain link without it."""
    import re

    from django.contrib.staticfiles import finders

    response = client.get(site["gjj"].url)
    html = response.content.decode()
    assets = re.findall(
        r'<(?:link rel="stylesheet"|script) [^>]*(?:href|src)="/static/([^"?]+)', html
    )
    assert "portal/portal.css" in assets
    for tag in re.findall(r"<script[^>]*>", html):
        assert "defer" in tag and "src=" in tag, tag  # no inline or render-blocking script
    assert '<a id="qa-entry" class="qa-entry" href="/qa/"' in html
    total = len(response.content) + sum(Path(finders.find(a)).stat().st_size for a in assets)
    assert total < 100 * 1024, total


def test_cover_image_needs_alt_text_and_validity_must_be_ordered(site):
    from datetime import date

    page = ArticlePage.objects.get(pk=site["gjj"].pk)
    page.cover_id = 999  # any image: clean() must refuse it without alt text
    page.valid_from, page.valid_until = date(2026, 5, 1), date(2026, 1, 1)
    with pytest.raises(ValidationError) as err:
        page.clean()
    assert "替代文字" in str(err.value) and "有效期至" in str(err.value)


def test_unknown_url_gives_chinese_404_with_search(client, site):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html and 'action="/search/"' in html


def test_feeds_sitemap_robots(client, site, settings):
    rss = client.get("/yaowen/rss.xml")
    assert rss.status_code == 200 and rss["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(rss.content).find("channel")
    assert channel.find("title").text.startswith("政务要闻")
    assert len(channel.findall("item")) == 25
    atom = client.get("/yaowen/atom.xml")
    entries = ET.fromstring(atom.content).findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == 25
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "/yaowen/" in sitemap and site["gjj"].url in sitemap
    robots = client.get("/robots.txt").content.decode()
    assert f"Sitemap: {settings.SITE_URL}/sitemap.xml" in robots


def test_elder_mode_and_traditional_script_are_remembered_without_javascript(client, site):
    response = client.get("/mode/elder/?next=/yaowen/")
    assert response.status_code == 302 and response["Location"] == "/yaowen/"
    html = client.get("/yaowen/").content.decode()
    assert '<body class="elder">' in html and "退出长者模式" in html
    client.get("/mode/standard/?next=/")
    assert '<body class="">' in client.get("/").content.decode()
    client.get("/script/hant/?next=/")
    html = client.get("/").content.decode()
    assert "政務要聞" in html and "簡體" in html or "简体" in html
    assert client.get("/script/hans/?next=https://evil.example/")["Location"] == "/"


def test_special_topic_lists_curated_and_tagged_articles(client, site):
    from govhub.portal.models import SpecialTopicItem

    SpecialTopicItem.objects.create(page=site["topic"], article=site["gjj"])
    site["pension"].tags.add("民生")
    site["pension"].save()
    html = client.get(site["topic"].url).content.decode()
    assert "住房公积金提取办理指南" in html and "城乡居民基本养老保险缴费指南" in html


def test_error_report_becomes_a_site_error_letter(client, county, site):
    from govhub.letters.models import Letter
    from govhub.portal.models import SiteErrorReport

    bad = client.post("/report-error/", {"kind": "typo", "description": "错"})
    assert bad.status_code == 200 and "问题描述至少 5 个字" in bad.content.decode()
    bad_phone = client.post(
        "/report-error/", {"kind": "typo", "description": "首页标题有错别字", "contact": "12ab"}
    )
    assert "格式不正确" in bad_phone.content.decode()
    assert not SiteErrorReport.objects.exists() and not Letter.objects.exists()
    ok = client.post(
        "/report-error/",
        {"kind": "typo", "description": "首页通知标题有错别字", "page_url": "/tzgg/"},
    )
    html = ok.content.decode()
    assert "感谢您的反馈" in html
    report = SiteErrorReport.objects.get()
    letter = Letter.objects.get()
    assert report.page_url == "/tzgg/" and report.letter_code == letter.tracking_code
    assert letter.channel == "site_error"
    assert letter.tracking_code in html


@pytest.mark.parametrize(
    ("model", "parent_key"),
    [
        ("articlepage", "news"),
        ("noticepage", "notices"),
        ("columnpage", "news"),
        ("govinfocategorypage", "catalog"),
        ("articlepage", "policy_cat"),
    ],
)
def test_editor_gets_the_chinese_add_forms_in_the_back_office(client, site, model, parent_key):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("chief", "c@example.com", "pw-12345678")
    client.force_login(admin)
    response = client.get(f"/admin/pages/add/portal/{model}/{site[parent_key].pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    if model in ("articlepage", "noticepage"):
        for label in ["文号", "来源部门", "有效期至", "题图替代文字", "附件"]:
            assert label in html


def test_footer_settings_are_edited_in_the_back_office(client, site):
    from django.contrib.auth import get_user_model
    from wagtail.models import Site

    admin = get_user_model().objects.create_superuser("chief", "c@example.com", "pw-12345678")
    client.force_login(admin)
    site_id = Site.objects.get(is_default_site=True).pk
    response = client.get(f"/admin/settings/portal/portalsettings/{site_id}/")
    assert response.status_code == 200 and "网站标识码" in response.content.decode()

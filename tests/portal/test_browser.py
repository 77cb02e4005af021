"""The portal in Chromium: home, column, article, search, elder mode, phone width, keyboard only,
JavaScript off; axe-core finds no serious or critical WCAG violations on any of them."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def assert_accessible(page, name: str) -> None:
    results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]})
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{name}: {bad}"


@pytest.fixture
def portal(published_root):
    from govhub.portal import search
    from tests.portal.site import build_site

    pages = build_site()
    search.reindex_all()
    return pages


def test_home_and_column_by_keyboard_alone(page, live_server, portal):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到主要内容"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    screenshot(page, "portal-home")
    assert_accessible(page, "home")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="政务要闻").click()
    page.wait_for_url("**/yaowen/")
    assert page.locator("h1").inner_text() == "政务要闻"
    next_link = page.get_by_role("link", name="下一页")
    next_link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/yaowen/page/2/")
    screenshot(page, "portal-column")
    assert_accessible(page, "column")


def test_article_and_elder_mode_work_with_javascript_off(chromium, live_server, portal):
    context = chromium.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}, locale="zh-CN"
    )
    page = context.new_page()
    try:
        page.goto(live_server.url + portal["policy"].url)
        assert page.locator("h1").inner_text() == "示范县住房公积金提取管理办法"
        assert page.locator("table.docinfo").is_visible()
        screenshot(page, "portal-article")
        small = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        page.get_by_role("link", name="长者模式（大字体）").click()
        page.wait_for_selector("body.elder")
        big = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        assert big >= small * 1.25
        page.goto(live_server.url + "/")  # remembered by cookie on the next page
        assert page.locator("body.elder").count() == 1
        screenshot(page, "portal-elder-home")
    finally:
        context.close()
    # axe needs JavaScript: check the elder pages in a normal context with the cookie set
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(live_server.url + "/mode/elder/?next=" + portal["policy"].url)
        assert page.locator("body.elder").count() == 1
        assert_accessible(page, "elder article")
        page.goto(live_server.url + "/")
        assert_accessible(page, "elder home")
    finally:
        context.close()


def test_search_highlights_and_explains(page, live_server, portal):
    page.goto(live_server.url + "/")
    page.get_by_role("searchbox", name="站内搜索").fill("公积金 提取")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/**")
    first = page.locator(".hit").first
    assert "住房公积金提取办理指南" in first.inner_text()
    assert first.locator("mark").count() >= 2
    screenshot(page, "portal-search")
    assert_accessible(page, "search")
    page.goto(live_server.url + "/search/?q=%F0%9F%98%80&page=abc")
    assert "没有可检索的文字" in page.locator(".notes").inner_text()
    assert_accessible(page, "search message")


def test_article_reads_well_at_phone_width(chromium, live_server, portal):
    context = chromium.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    try:
        page.goto(live_server.url + portal["gjj"].url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        font = page.evaluate(
            "parseFloat(getComputedStyle(document.querySelector('.article .body')).fontSize)"
        )
        assert font >= 16
        screenshot(page, "portal-article-phone")
        assert_accessible(page, "phone article")
    finally:
        context.close()

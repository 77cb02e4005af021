"""A citizen on a phone (375×812, zh-CN) uses the portal: the home page, a search in the
county's words (a synonym, pinyin, a near miss), an article, elder mode on every kind of public
page, the site map and the site's feed. Nothing is wider than the phone; everything reads Chinese;
the feed's links name the address the site is served at (a random port here, not 8000)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from playwright.sync_api import expect

FITS = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
# the elements reaching past the screen's right edge, for the failure message
WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .slice(-3).map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').slice(0, 40))"""
LATIN_WORD = re.compile(r"\b[A-Za-z]{4,}\b")
ADDRESSES = re.compile(r"\S+@\S+|https?://\S+")  # e-mail and web addresses are no English
ALLOWED_LATIN = {"Atom", "gongjijin"}


def assert_fits_and_reads_chinese(page, where: str) -> None:
    width, client = page.evaluate(FITS)
    assert width <= client, (
        f"{where}: {width}px wide on a {client}px phone: {page.evaluate(WIDEST)}"
    )
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    text = ADDRESSES.sub(" ", page.inner_text("body"))
    words = set(LATIN_WORD.findall(text)) - ALLOWED_LATIN
    assert not words, f"{where}: English words {sorted(words)}"


def search_from_the_box(page, words: str) -> None:
    page.fill("#site-q, #q", words)
    page.keyboard.press("Enter")
    page.wait_for_load_state()


def test_citizen_finds_reads_and_subscribes_on_a_phone(site):
    page = site.citizen()
    page.goto(site.url + "/")
    expect(page.locator(".brand")).to_contain_text("示范县人民政府")
    assert_fits_and_reads_chinese(page, "首页")
    ask = page.locator("#qa-entry")
    expect(ask).to_be_visible()
    box = ask.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375, box  # 在线咨询 on screen
    expect(page.locator("main").get_by_role("link", name="RSS")).to_be_visible()
    site.shot(page, "home")

    # 供暖: the county's synonym list also searches 供热
    search_from_the_box(page, "供暖")
    expect(page.locator(".words")).to_contain_text("同时搜索了同义词：供热")
    first = page.locator(".hit h2 a").first
    expect(first).to_contain_text("供热")
    assert_fits_and_reads_chinese(page, "搜索 供暖")
    site.shot(page, "search-synonym")

    # gongjijin: pinyin typed without switching the keyboard
    search_from_the_box(page, "gongjijin")
    expect(page.locator(".words")).to_contain_text("已把拼音“gongjijin”按“公积金”搜索")
    expect(page.locator(".hit h2 a").first).to_contain_text("公积金")
    site.shot(page, "search-pinyin")

    # 公基金: a near miss, put right
    search_from_the_box(page, "公基金")
    expect(page.locator(".suggest")).to_contain_text("您是不是要找：公积金")
    expect(page.locator(".hit h2 a").first).to_contain_text("公积金")
    assert_fits_and_reads_chinese(page, "搜索 公基金")
    site.shot(page, "search-suggestion")

    # the article
    title = page.locator(".hit h2 a").first.inner_text()
    page.locator(".hit h2 a").first.click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text(title)
    assert_fits_and_reads_chinese(page, "文章")
    site.shot(page, "article")

    # 长者模式: larger type, on the article, the leader's mailbox and the site map alike
    standard_size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    page.get_by_role("link", name="长者模式（大字体）").click()
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_class("elder")
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") > standard_size
    assert_fits_and_reads_chinese(page, "文章（长者模式）")
    site.shot(page, "article-elder")
    page.goto(site.url + "/letters/")
    expect(page.locator("html")).to_have_class("elder")
    assert (
        page.evaluate(
            "parseFloat(getComputedStyle(document.querySelector('main .letters') || document.body).fontSize)"
        )
        >= 20
    )
    assert_fits_and_reads_chinese(page, "领导信箱（长者模式）")
    site.shot(page, "letters-elder")
    page.goto(site.url + "/search/?q=" + "公积金提取" * 1000)  # 5,000 characters in the address
    expect(page.locator(".notes")).to_contain_text("搜索词过长，已按前 100 个字搜索。")
    assert_fits_and_reads_chinese(page, "很长的搜索词（长者模式）")
    page.get_by_role("link", name="退出长者模式").click()
    page.wait_for_load_state()
    expect(page.locator("html")).not_to_have_class("elder")

    # the footer's 网站地图 is a page for people
    page.locator("footer").get_by_role("link", name="网站地图").click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text("网站地图")
    expect(page.locator("main")).to_contain_text("政务要闻")
    expect(page.locator("main")).to_contain_text("领导信箱")
    assert_fits_and_reads_chinese(page, "网站地图")
    site.shot(page, "site-map")

    # the site-wide feed the home page advertises, with links to this very site
    page.goto(site.url + "/")
    href = page.locator('link[rel="alternate"][type="application/rss+xml"]').get_attribute("href")
    feed = page.request.get(site.url + href)
    assert feed.ok and feed.headers["content-type"].startswith("application/rss+xml")
    channel = ET.fromstring(feed.body()).find("channel")
    links = [i.findtext("link") for i in channel.findall("item")]
    assert len(links) == 30 and all(link.startswith(site.url + "/") for link in links), links[:3]
    assert "localhost" not in feed.text() and ":8000/" not in feed.text()
    page.goto(links[0])
    assert_fits_and_reads_chinese(page, "订阅中的文章")

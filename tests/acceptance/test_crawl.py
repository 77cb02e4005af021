"""Every page each person can reach speaks Chinese, shows no raw codes and no dead links, and
every public page fits a 375 px phone.

Each demo login walks the back office from its menu, the citizen walks the portal from its home
page, its sitemap and its search box (crawler.py says how). One walk per person per test
session, shared by the checks below; each failure names the person, the page and the word or
link, so whoever owns that page can fix it. The figures (pages read, links checked, findings,
seconds per person) are printed at the end of the run; every finding, by owner, is written to
tests/screenshots/acceptance/crawl-report.txt.
"""

from __future__ import annotations

import os
import time

import pytest
from playwright.sync_api import expect

from govhub.core.demo import DEMO_LOGINS
from tests.acceptance import crawler
from tests.acceptance.conftest import PHONE, Session
from tests.conftest import SCREENSHOTS

ROLES = [*DEMO_LOGINS, "citizen"]
WALKS: dict[str, crawler.Crawl] = {}
FIGURES: list[str] = []
_SHARED_STATUS: dict[str, str] = {}
_SHARED_PATTERNS: dict[str, set[str]] = {}
_VOCABULARY: list[crawler.Vocabulary] = []
REPORT = os.path.join(SCREENSHOTS, "acceptance", "crawl-report.txt")


def walk(demo_site, role: str) -> crawler.Crawl:
    """The walk of one person, done once per test session."""
    if role in WALKS:
        return WALKS[role]
    if not _VOCABULARY:
        with demo_site.db():
            _VOCABULARY.append(crawler.build_vocabulary())
    cookies: dict[str, str] = {}
    if role != "citizen":
        session = Session(demo_site, f"crawl-{role}")
        try:
            page = session.login(role)
            cookies = {c["name"]: c["value"] for c in page.context.cookies()}
        finally:
            session.close()
    writes_before = len(demo_site.get_writes)
    walker = crawler.Crawler(
        demo_site.url,
        role,
        cookies,
        _VOCABULARY[0],
        back_office=role != "citizen",
        shared_status=_SHARED_STATUS,
        shared_patterns=_SHARED_PATTERNS,
        stale=2 if role == "admin" else 1,
    )
    seeds = ["/admin/"] if role != "citizen" else crawler.public_seeds(demo_site.url)
    result = walker.run(seeds)
    for path, verb, table in demo_site.get_writes[writes_before:]:
        result.findings.append(crawler.Finding("get-writes", role, path, f"{verb} {table}"))
    WALKS[role] = result
    FIGURES.append(
        f"{role:<13} {len(result.pages):>5} 页  {len(result.links):>5} 个链接  "
        f"{result.sampled_out:>5} 个同类链接未重复打开  {len(result.findings):>4} 处问题  "
        f"{result.seconds:6.1f} 秒"
    )
    # the whole walk so far, every finding by owner, kept with the screenshots
    os.makedirs(os.path.dirname(REPORT), exist_ok=True)
    with open(REPORT, "w", encoding="utf-8") as out:
        out.write(crawler.report(list(WALKS.values())))
    return result


def _assert_none(result: crawler.Crawl, *checks: str, what: str) -> None:
    found = [f for f in result.findings if f.check in checks]
    assert not found, f"{result.role}: {what}\n" + crawler.summarize(found)


@pytest.mark.parametrize("role", ROLES)
def test_no_english_words(demo_site, role):
    _assert_none(walk(demo_site, role), "english", what="页面上有英文")


@pytest.mark.parametrize("role", ROLES)
def test_no_raw_codes(demo_site, role):
    _assert_none(walk(demo_site, role), "raw-code", what="页面上有未翻译的代码值")


@pytest.mark.parametrize("role", ROLES)
def test_no_dead_links(demo_site, role):
    _assert_none(
        walk(demo_site, role),
        "dead-link",
        "foreign-link",
        what="链接打不开（或指向外网、跳到登录页、没有权限）",
    )


@pytest.mark.parametrize("role", ROLES)
def test_following_a_link_changes_nothing(demo_site, role):
    _assert_none(walk(demo_site, role), "get-writes", what="打开链接（GET）就改动了数据")


# overflow is layout: it needs the browser; every public page the citizen's walk read
_OVERFLOW_JS = """() => {
  const doc = document.documentElement;
  if (doc.scrollWidth <= doc.clientWidth) return null;
  // name an element by its tag, id and classes, with its parents' names until one has a class
  const name = (el) => {
    let parts = [];
    for (let e = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
      const cls = typeof e.className === 'string' && e.className.trim()
        ? '.' + e.className.trim().split(/\\s+/).join('.') : '';
      parts.unshift(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + cls);
      if (e.id || cls) break;
    }
    return parts.join(' > ');
  };
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right > doc.clientWidth + 1 && r.width > 0) {
      const parent = el.parentElement && el.parentElement.getBoundingClientRect();
      if (!parent || parent.right <= doc.clientWidth + 1) {
        wide.push(name(el) + ' ' + Math.round(r.right) + 'px');
      }
    }
    if (wide.length >= 3) break;
  }
  return {width: doc.scrollWidth, client: doc.clientWidth, wide};
}"""


def test_public_pages_fit_a_phone(demo_site, site):
    result = walk(demo_site, "citizen")
    page = site.citizen()
    assert page.viewport_size == PHONE
    started = time.monotonic()
    wide = []
    for url in result.html_pages:
        page.goto(url, wait_until="load")
        overflow = page.evaluate(_OVERFLOW_JS)
        if overflow:
            wide.append(
                crawler.Finding(
                    "overflow",
                    "citizen",
                    url.removeprefix(demo_site.url),
                    f"{overflow['width']}px > {overflow['client']}px",
                    "; ".join(overflow["wide"]),
                )
            )
    FIGURES.append(
        f"{'375px':<13} {len(result.html_pages):>5} 页在手机宽度下打开 "
        f"{time.monotonic() - started:6.1f} 秒"
    )
    if wide:
        page.goto(demo_site.url + wide[0].page)
        site.shot(page, "first-overflow")
    assert not wide, "这些公开页面在 375px 手机上需要横向滚动:\n" + "\n".join(map(str, wide))


@pytest.mark.parametrize("role", DEMO_LOGINS)
def test_menu_and_dashboard_read_chinese_in_the_browser(demo_site, site, role):
    """What the script draws (the sidebar and its submenus, the account menu) is checked where it
    is drawn, with every submenu opened in turn."""
    if not _VOCABULARY:
        with demo_site.db():
            _VOCABULARY.append(crawler.build_vocabulary())
    page = site.login(role)
    page.goto(site.url + "/admin/")
    sidebar = page.locator("[data-wagtail-sidebar]")
    expect(sidebar.locator(".sidebar-main-menu")).to_be_visible()
    texts = [page.inner_text("body")]
    # the buttons that open a submenu or the account menu (not 注销, a form's submit button)
    toggles = sidebar.locator("button[aria-haspopup]")
    for i in range(toggles.count()):
        toggles.nth(i).click()
        texts.append(sidebar.inner_text())
        page.keyboard.press("Escape")
    site.shot(page, f"menu-{role}")
    found = [
        crawler.Finding(kind, role, "/admin/（浏览器中）", subject, detail)
        for text in texts
        for line in text.splitlines()
        for kind, subject, detail in _VOCABULARY[0].problems(line)
    ]
    assert not found, "菜单或控制面板上有英文或代码值:\n" + crawler.summarize(found)

"""A citizen's phone behind the proxy, and someone forging X-Forwarded-For from it: once the
address is over the 找错 and 留言板 limits, the next submission gets a Chinese page saying so,
with what was typed still in the form; a new forged left-hand value does not reset the count."""

from __future__ import annotations

import itertools

import pytest

from govhub.core import ratelimit

REAL = "198.51.100.77"  # the address nginx saw and set
_n = itertools.count(1)


@pytest.fixture
def one_each(monkeypatch):
    for scope in ("report-error", "participation-post"):
        monkeypatch.setitem(ratelimit.LIMITS, scope, (1, 600))


def _forge(page):
    # an appending proxy would pass the client's made-up value on the left of the real one
    page.set_extra_http_headers({"X-Forwarded-For": f"10.0.{next(_n)}.1, {REAL}"})


def test_error_reports_over_the_limit_get_a_chinese_page_keeping_the_text(site, one_each):
    citizen = site.citizen()
    for i, expect_refused in ((1, False), (2, True)):
        _forge(citizen)
        citizen.goto(site.url + "/report-error/")
        citizen.select_option("select[name=kind]", "typo")
        text = f"首页第{i}条通知里“公示”写成了“公式”，请更正。"
        citizen.fill("textarea[name=description]", text)
        citizen.locator("form.stack [type=submit]").click()
        citizen.wait_for_load_state()
        body = citizen.inner_text("body")
        if expect_refused:
            assert "太频繁" in body and "12345" in body
            assert citizen.locator("textarea[name=description]").input_value() == text
            site.shot(citizen, "report-error-refused")
        else:
            assert "太频繁" not in body
            site.shot(citizen, "report-error-accepted")


def test_board_posts_over_the_limit_keep_what_was_typed(site, one_each):
    citizen = site.citizen()
    results = []
    for i in range(2):
        _forge(citizen)
        citizen.goto(site.url + "/participation/board/new/")
        citizen.select_option("select[name=column]", index=1)
        citizen.fill("input[name=title]", f"东街路灯不亮{i}")
        citizen.fill(
            "textarea[name=text]", "东街社区门口的路灯坏了两周，晚上出行不便，请尽快修复。"
        )
        citizen.locator("form [type=submit]").last.click()
        citizen.wait_for_load_state()
        results.append(citizen.inner_text("body"))
    assert "太频繁" not in results[0]
    assert "太频繁" in results[1]
    assert citizen.locator("input[name=title]").input_value() == "东街路灯不亮1"
    site.shot(citizen, "board-post-refused")

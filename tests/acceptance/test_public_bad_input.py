"""Bad input on the public site, as a citizen on a phone: a 5,000-character search in the URL and
a letter form whose security token ran out while it was being written. Each gets a Chinese page
that says what happened; what was typed is not lost."""

from __future__ import annotations

import re
from urllib.parse import quote

from playwright.sync_api import expect

CONTENT = (
    "我家住城关镇东街社区3号楼，今年冬季供暖开始后室内温度一直只有14度左右，"
    "物业说要等热力公司通知，已经两周了还没有解决，家里有老人和小孩，请尽快协调处理。"
)


def test_a_5000_character_search_gets_a_chinese_answer(site):
    citizen = site.citizen()
    response = citizen.goto(site.url + "/search/?q=" + quote("供暖" * 2500))
    assert response.status == 200
    text = citizen.inner_text("body")
    assert re.search(r"[\u4e00-\u9fff]{4}", text)
    assert not re.search(r"URI Too Long|Request-URI|Bad Request|Server Error", text)
    site.shot(citizen, "long-search")


def test_a_letter_form_whose_token_ran_out_keeps_what_was_typed(site):
    citizen = site.citizen()
    citizen.goto(site.url + "/letters/write/")
    citizen.fill("textarea[name=content]", CONTENT)
    citizen.fill("input[name=subject]", "小区供暖温度不达标")
    site.shot(citizen, "typed")

    # hours later: the browser's form token is gone (cookies cleared, or a new day's token)
    citizen.context.clear_cookies()
    citizen.locator("form:has(textarea[name=content]) [type=submit]").first.click()
    citizen.wait_for_load_state()
    expect(citizen.get_by_role("heading", level=1)).to_contain_text("页面已过期")
    kept = citizen.locator("textarea[readonly]")
    assert [kept.nth(i).input_value() for i in range(kept.count())] == [CONTENT]
    assert "CSRF" not in citizen.inner_text("body")
    site.shot(citizen, "token-ran-out")

    citizen.get_by_role("button", name="重新提交").click()
    citizen.wait_for_load_state()
    assert "页面已过期" not in citizen.inner_text("body")
    # back on the letter form (or past it): the typed letter came through intact
    if citizen.locator("textarea[name=content]").count():
        assert citizen.locator("textarea[name=content]").input_value() == CONTENT
    site.shot(citizen, "sent-again")

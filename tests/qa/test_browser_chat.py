"""In Chromium: the staff WeChat simulator, and the chat entry on the portal's pages."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.conftest import screenshot
from tests.wechat.helpers import make_account, make_entries

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UNKNOWN = "县里的体育馆晚上几点关门"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def test_staff_simulator_shows_the_knowledge_base_answer_and_the_letter_offer(page, live_server):
    from govhub.core.demo import DEMO_PASSWORD, build_core

    county = build_core()
    account = make_account(county.dept("rmt"))
    make_entries()
    page.goto(live_server.url + "/admin/login/")
    page.fill("input[name=username]", "editor")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")
    page.goto(live_server.url + f"/admin/wechat/{account.pk}/simulator/")

    page.fill("#sim-input", "怎么办理居住证")
    page.press("#sim-input", "Enter")
    answer = page.locator(".bubble.bot").last
    answer.wait_for()
    assert "派出所" in answer.inner_text()

    page.fill("#sim-input", UNKNOWN)
    page.press("#sim-input", "Enter")
    page.locator(".bubble.bot").nth(1).wait_for()
    fallback = page.locator(".bubble.bot").nth(1).inner_text()
    assert "转给工作人员" in fallback and "留言给县长信箱" in fallback
    assert "<xml>" in page.locator("#sim-xml").text_content()
    screenshot(page, "wechat-simulator")


def test_the_chat_entry_on_a_portal_page_answers_and_hands_over(page, live_server):
    from govhub.inbox.models import InboxMessage

    make_entries()
    page.goto(live_server.url + "/letters/write/")
    entry = page.locator("#qa-entry")
    assert entry.get_attribute("href") == "/qa/"
    entry.click()
    panel = page.locator("#qa-panel")
    panel.wait_for()
    page.fill("#qa-pinput", "公积金怎么提取")
    page.press("#qa-pinput", "Enter")
    page.locator(".qa-pbot", has_text="公积金中心").wait_for()

    page.fill("#qa-pinput", UNKNOWN)
    page.press("#qa-pinput", "Enter")
    page.locator(".qa-pbot button", has_text="转人工客服").click()
    page.locator(".qa-pbot", has_text="已转给工作人员").wait_for()
    assert panel.locator("a[href='/letters/write/']").count() == 1
    screenshot(page, "qa-chat-entry")
    assert InboxMessage.objects.filter(channel="chat", text_redacted=UNKNOWN).count() == 1
    assert page.url.endswith("/letters/write/")  # the visitor never left the page


def test_without_javascript_the_entry_is_a_link_to_the_qa_page(chromium, live_server):
    make_entries()
    context = chromium.new_context(java_script_enabled=False, locale="zh-CN")
    try:
        pg = context.new_page()
        pg.goto(live_server.url + "/letters/write/")
        pg.click("#qa-entry")
        pg.wait_for_url("**/qa/")
        pg.fill("#qa-q", "公积金怎么提取")
        pg.click("form.qa-form button[type=submit]")
        assert "公积金中心" in pg.inner_text(".qa-answer")
        assert pg.locator("#qa-entry").count() == 0  # the /qa/ page is the chat itself
    finally:
        context.close()

import pytest
from playwright.sync_api import expect

from tests.conftest import screenshot
from tests.factories import restore_wagtail_defaults

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_logs_into_the_chinese_back_office(page, live_server):
    from govhub.core.demo import DEMO_PASSWORD, build_core

    restore_wagtail_defaults()  # an earlier transactional test flushed what migrations made
    build_core()
    page.goto(live_server.url + "/admin/login/")
    page.fill("input[name=username]", "editor")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")
    # the dashboard's panels finish laying out after the load event on a busy machine
    expect(page.locator("body")).to_contain_text("网站摘要", timeout=15_000)
    body = page.inner_text("body")
    assert "王晓燕" in body
    assert "我的岗位" in body and "县融媒体中心" in body and "编辑" in body
    screenshot(page, "admin-dashboard")

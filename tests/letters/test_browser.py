"""A citizen writes a letter in Chromium, gets the code, and a dispatcher dispatches it."""

import pytest

from tests.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_citizen_writes_and_dispatcher_dispatches_in_the_browser(page, live_server):
    from govhub.core.demo import DEMO_PASSWORD, build_core
    from govhub.letters.models import Letter

    build_core()
    page.goto(live_server.url + "/letters/write/")
    page.fill("#id_subject", "西街路灯不亮")
    page.fill("#id_content", "西街社区路口的路灯坏了两个星期，晚上很黑，请尽快修理。")
    page.fill("#id_phone", "13812340000")
    page.click("#submit-letter")
    code = page.inner_text("#tracking-code").strip()
    screenshot(page, "letters-submitted")
    letter = Letter.objects.get()
    assert letter.tracking_code == code

    page.goto(live_server.url + "/admin/login/")
    page.fill("input[name=username]", "dispatcher")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.goto(live_server.url + f"/admin/letters/{letter.pk}/")
    page.select_option("#dispatch-dept", label="县城市管理综合执法局")
    page.click("form[action$='/act/dispatch/'] button[type=submit]")
    page.wait_for_selector("#letter-status")
    assert page.inner_text("#letter-status") == "待签收"
    screenshot(page, "letters-dispatched")

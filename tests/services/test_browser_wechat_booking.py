"""A citizen books from WeChat's browser (phone, MicroMessenger user agent): the page passes
silently through WeChat's web authorisation (the fake), the booking carries the openid, and the
next day's reminder goes to the WeChat fake, not by SMS."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from govhub.channels import sms
from govhub.channels.models import OutboundMessage, WeChatTemplate
from govhub.channels.outbox import run_outbox
from govhub.services import actions
from govhub.services.models import Booking
from tests.conftest import screenshot
from tests.factories import make_department, make_user
from tests.fakes.wechat_messaging import FakeWeChatMessaging
from tests.services.helpers import make_guide
from tests.wechat.helpers import make_account

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WX_UA = (
    "Mozilla/5.0 (Linux; Android 13; V2148A) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 "
    "MMWEBID/2247 MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64 Weixin NetType/WIFI "
    "Language/zh_CN ABI/arm64"
)


@pytest.fixture
def wx():
    api = FakeWeChatMessaging().start()
    yield api
    api.stop()


def test_booking_from_wechats_browser_is_reminded_through_wechat(chromium, live_server, wx):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    dept = make_department(name="县民政局")
    guide = make_guide(department=dept, name="内地居民结婚登记")
    (slot,) = actions.publish_slots(
        make_user(superuser=True), guide, "婚姻登记处", tomorrow, "09:00-10:00", 3
    )
    account = make_account(dept, api_base=wx.url)
    WeChatTemplate.objects.create(account=account, purpose="appointment_reminder", template_id="t1")
    wx.templates.add("t1")
    wx.oauth_user = "o-menu-citizen"
    wx.out_of_window.add("o-menu-citizen")  # came from the menu, never wrote to the account
    sms.gateway.cache_clear()
    sms.LoggingSmsGateway.outbox = []

    context = chromium.new_context(
        viewport={"width": 375, "height": 812},
        locale="zh-CN",
        user_agent=WX_UA,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        book_url = f"{live_server.url}/services/guides/{guide.pk}/book/"
        page.goto(book_url)  # → WeChat's authorize page (fake) → our callback → back here
        # (a browser keeps the authorize URL's #wechat_redirect across the redirects)
        assert page.url.split("#")[0] == book_url
        assert wx.log.count("/connect/oauth2/authorize") == 1
        assert wx.log.count("/sns/oauth2/access_token") == 1
        assert page.locator("h1").inner_text() == "预约办理"
        assert "通过本公众号发送提醒" in page.locator(".svc-note").inner_text()
        assert "o-menu-citizen" not in page.content()
        screenshot(page, "services-wechat-book")
        page.get_by_text("09:00—10:00").click()
        page.get_by_label("姓名").fill("张三")
        page.get_by_label("手机号（接收预约提醒）").fill("13800138000")
        page.get_by_role("button", name="确认预约").click()
        page.wait_for_selector("h1:has-text('预约成功')")
        assert "通过本公众号发送提醒" in page.inner_text("body")
        screenshot(page, "services-wechat-booked")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"the page scrolls sideways on a phone ({width}px)"
    finally:
        context.close()

    booking = Booking.objects.get()
    assert booking.channel == "wechat" and booking.openid == "o-menu-citizen"
    assert wx.log.count("/connect/oauth2/authorize") == 1  # once per session
    # the day before: the reminder job
    assert actions.queue_reminders(tomorrow) == 1
    run_outbox()
    msg = OutboundMessage.objects.get(kind="appointment_reminder")
    assert msg.platform == "wechat" and msg.state == "sent"
    (sent,) = wx.template_sent
    assert sent["touser"] == "o-menu-citizen" and sent["template_id"] == "t1"
    assert sent["data"]["character_string1"]["value"] == booking.code
    assert not OutboundMessage.objects.filter(platform="sms").exists()
    assert sms.LoggingSmsGateway.outbox == []

"""WeChat web authorisation (网页授权, snsapi_base) against the fake: inside WeChat's browser the
booking, comment and survey pages learn the visitor's openid once per session; a good code
gives the openid, a bad code or a forged state gives none and the page still works; outside
WeChat nothing changes. A booking or comment made with the openid is answered through WeChat."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client
from django.utils import timezone

from govhub.channels.models import OutboundMessage, WeChatTemplate
from govhub.services import actions
from govhub.services.models import Booking
from govhub.wechat import oauth
from tests.factories import make_department, make_user
from tests.fakes.fixtures import fast_outbox  # noqa: F401 - fixture
from tests.fakes.wechat_messaging import FakeWeChatMessaging
from tests.services.helpers import make_guide
from tests.wechat.helpers import make_account

pytestmark = pytest.mark.django_db

WX_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN"
)
TOMORROW = timezone.localdate() + dt.timedelta(days=1)
TOKEN_PATH = "/sns/oauth2/access_token"


@pytest.fixture
def wx():
    api = FakeWeChatMessaging().start()
    api.slow_seconds = 1.0
    yield api
    api.stop()


@pytest.fixture
def slot():
    dept = make_department(name="县民政局")
    guide = make_guide(department=dept, name="内地居民结婚登记")
    (s,) = actions.publish_slots(
        make_user(superuser=True), guide, "婚姻登记处", TOMORROW, "09:00-10:00", 5
    )
    return s


def _book_url(slot) -> str:
    return f"/services/guides/{slot.guide_id}/book/"


def _to_wechat(client: Client, url: str):
    """GET ``url`` in WeChat's browser; return the redirect to WeChat's authorize page."""
    r = client.get(url, HTTP_USER_AGENT=WX_UA)
    assert r.status_code == 302
    return r["Location"]


def _authorize(location: str) -> tuple[str, dict]:
    """What WeChat does with the authorize URL: redirect back with code and state."""
    r = requests.get(location.split("#")[0], allow_redirects=False, timeout=5)
    assert r.status_code == 302
    back = urlsplit(r.headers["Location"])
    return back.path, {k: v[0] for k, v in parse_qs(back.query).items()}


def test_outside_wechat_the_page_is_unchanged_and_no_call_is_made(wx, slot):
    make_account(slot.department, api_base=wx.url)
    c = Client()
    r = c.get(_book_url(slot), HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0) Chrome/120")
    assert r.status_code == 200 and "预约" in r.content.decode()
    assert wx.log.calls == []
    assert oauth.SESSION_STATE not in c.session


def test_good_code_round_trip_puts_the_openid_in_the_session_and_on_the_booking(wx, slot, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    make_account(slot.department, api_base=wx.url)
    wx.oauth_user = "o-citizen-good"
    c = Client()
    location = _to_wechat(c, _book_url(slot))
    url = urlsplit(location)
    query = parse_qs(url.query)
    assert location.startswith(wx.url + "/connect/oauth2/authorize?")
    assert location.endswith("#wechat_redirect")
    assert query["scope"] == ["snsapi_base"] and query["response_type"] == ["code"]
    assert query["appid"] == ["wx-fake-app"]
    assert query["redirect_uri"] == ["http://testserver/wechat/oauth/"]
    assert len(query["state"][0]) == 48 and query["state"][0].isalnum()

    path, params = _authorize(location)
    back = c.get(path, params, HTTP_USER_AGENT=WX_UA)
    assert back.status_code == 302 and back["Location"] == _book_url(slot)
    assert c.session[oauth.SESSION_OPENID] == "o-citizen-good"
    assert wx.log.count(TOKEN_PATH) == 1

    page = c.get(_book_url(slot), HTTP_USER_AGENT=WX_UA)  # no second round trip
    assert page.status_code == 200 and "o-citizen-good" not in page.content.decode()
    done = c.post(
        _book_url(slot),
        {"slot": slot.pk, "name": "张三", "phone": "13800138000"},
        HTTP_USER_AGENT=WX_UA,
    )
    assert "预约成功" in done.content.decode()
    assert "o-citizen-good" not in done.content.decode()
    booking = Booking.objects.get()
    assert booking.openid == "o-citizen-good" and booking.channel == "wechat"
    # the code is used once: replaying WeChat's return gives nothing more
    assert c.get(path, params, HTTP_USER_AGENT=WX_UA)["Location"] == "/"
    assert caplog.text and "o-citizen-good" not in caplog.text  # never logged, at any level


def test_bad_code_leaves_no_openid_and_the_page_works_with_sms(wx, slot):
    make_account(slot.department, api_base=wx.url)
    c = Client()
    location = _to_wechat(c, _book_url(slot))
    path, params = _authorize(location)
    params["code"] = "code-nobody-issued"
    back = c.get(path, params, HTTP_USER_AGENT=WX_UA)
    assert back.status_code == 302 and back["Location"] == _book_url(slot)
    assert wx.log.count(TOKEN_PATH) == 1  # WeChat was asked and answered 40029
    assert oauth.SESSION_OPENID not in c.session
    page = c.get(_book_url(slot), HTTP_USER_AGENT=WX_UA)
    assert page.status_code == 200  # not sent round again in this session
    c.post(
        _book_url(slot),
        {"slot": slot.pk, "name": "张三", "phone": "13800138000"},
        HTTP_USER_AGENT=WX_UA,
    )
    assert Booking.objects.get().openid == ""
    actions.queue_reminders(TOMORROW)
    assert OutboundMessage.objects.get().platform == "sms"


def test_forged_state_is_ignored_without_asking_wechat(wx, slot):
    make_account(slot.department, api_base=wx.url)
    c = Client()
    location = _to_wechat(c, _book_url(slot))
    path, params = _authorize(location)
    state = params["state"]
    # an attacker's own state (signed for another nonce) or a tampered one
    params["state"] = state[:16] + ("0" if state[16] != "0" else "1") + state[17:]
    back = c.get(path, params, HTTP_USER_AGENT=WX_UA)
    assert back.status_code == 302 and back["Location"] == "/"
    assert wx.log.count(TOKEN_PATH) == 0
    assert oauth.SESSION_OPENID not in c.session
    # a state from another session is refused too (the nonce lives in the session)
    other = Client()
    other_loc = _to_wechat(other, _book_url(slot))
    _, other_params = _authorize(other_loc)
    victim = Client()
    victim.get(_book_url(slot), HTTP_USER_AGENT=WX_UA)
    assert (
        victim.get(path, other_params, HTTP_USER_AGENT=WX_UA)["Location"] == "/"
        and oauth.SESSION_OPENID not in victim.session
    )
    assert wx.log.count(TOKEN_PATH) == 0


def test_wechat_unreachable_gives_no_500(slot):
    make_account(slot.department, api_base="http://127.0.0.1:9")  # nothing listens there
    c = Client()
    location = _to_wechat(c, _book_url(slot))
    state = parse_qs(urlsplit(location).query)["state"][0]
    back = c.get("/wechat/oauth/", {"code": "x", "state": state}, HTTP_USER_AGENT=WX_UA)
    assert back.status_code == 302 and back["Location"] == _book_url(slot)
    assert c.get(_book_url(slot), HTTP_USER_AGENT=WX_UA).status_code == 200


def test_when_wechat_never_comes_back_the_page_opens_next_time(wx, slot):
    make_account(slot.department, api_base=wx.url)
    c = Client()
    _to_wechat(c, _book_url(slot))  # e.g. WeChat shows "redirect_uri 域名与后台配置不一致"
    again = c.get(_book_url(slot), HTTP_USER_AGENT=WX_UA)
    assert again.status_code == 200 and "办理前一天会发短信提醒" in again.content.decode()


def test_without_an_account_wechat_browser_gets_the_page_directly(slot):
    r = Client().get(_book_url(slot), HTTP_USER_AGENT=WX_UA)
    assert r.status_code == 200


def test_a_booking_with_an_openid_is_reminded_through_wechat(wx, slot, fast_outbox):  # noqa: F811
    account = make_account(slot.department, api_base=wx.url)
    WeChatTemplate.objects.create(account=account, purpose="appointment_reminder", template_id="t1")
    wx.templates.add("t1")
    wx.out_of_window.add("o-in-wechat")  # booked from the menu, never wrote to the account
    actions.book(slot.pk, "张三", "13800138000", channel="wechat", openid="o-in-wechat")
    actions.book(slot.pk, "李四", "13900139000")
    assert actions.queue_reminders(TOMORROW) == 2
    msgs = {m.platform: m for m in OutboundMessage.objects.filter(kind="appointment_reminder")}
    assert set(msgs) == {"wechat", "sms"}
    assert msgs["wechat"].recipient == "o-in-wechat"
    from govhub.channels.outbox import run_outbox

    run_outbox()
    msgs["wechat"].refresh_from_db()
    assert msgs["wechat"].state == "sent"
    (sent,) = wx.template_sent
    assert sent["touser"] == "o-in-wechat" and sent["template_id"] == "t1"
    assert sent["data"]["time4"]["value"].startswith(f"{TOMORROW:%Y年%m月%d日}")


def test_a_comment_from_wechat_is_told_of_the_report_through_wechat(county, wx, fast_outbox):  # noqa: F811
    from govhub.participation import actions as p_actions
    from govhub.participation.models import Comment

    account = make_account(county.dept("cgj"), api_base=wx.url)
    assert account.pk
    editor = county.user("editor")
    consult = p_actions.create_consultation(
        editor,
        {
            "title": "城区停车管理办法（征求意见稿）",
            "body": "第一条 首30分钟免费。",
            "department": county.dept("cgj"),
        },
    )
    consult = p_actions.publish_consultation(editor, consult)
    url = f"/participation/consultations/{consult.pk}/"
    wx.oauth_user = "o-commenter"
    c = Client()
    path, params = _authorize(_to_wechat(c, url))
    assert c.get(path, params, HTTP_USER_AGENT=WX_UA)["Location"] == url
    c.post(url, {"text": "建议首1小时免费。"}, HTTP_USER_AGENT=WX_UA)
    comment = Comment.objects.get()
    assert comment.openid == "o-commenter" and comment.channel == "wechat"
    p_actions.queue_report_notices(consult)
    msg = OutboundMessage.objects.get(kind="participation_notice")
    assert msg.platform == "wechat" and msg.recipient == "o-commenter"


def test_a_survey_in_wechat_is_answered_as_the_follower_without_an_sms_code(county, wx):
    from govhub.participation import actions as p_actions

    make_account(county.dept("cgj"), api_base=wx.url)
    survey = _open_survey(county, p_actions)
    url = f"/participation/surveys/{survey.pk}/"
    c = Client()
    path, params = _authorize(_to_wechat(c, url))
    c.get(path, params, HTTP_USER_AGENT=WX_UA)
    page = c.get(url, HTTP_USER_AGENT=WX_UA).content.decode()
    assert 'id="via-wechat"' in page and wx.oauth_user not in page


def _open_survey(county, p_actions):
    today = timezone.localdate()
    s = p_actions.create_survey(
        county.user("editor"),
        {
            "title": "政务服务满意度调查",
            "department": county.dept("rmt"),
            "opens_at": today - dt.timedelta(days=1),
            "closes_at": today + dt.timedelta(days=10),
            "results_public": True,
            "questions": "[单选] 您主要通过什么渠道了解县政府信息？\n- 政府网站\n- 政务微信",
        },
    )
    return p_actions.publish_survey(county.user("editor"), s)

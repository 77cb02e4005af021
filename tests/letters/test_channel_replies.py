"""Each step (received, dispatched, replied) told through the channel the letter came in by,
against the fake WeChat and Weibo servers on loopback: WeChat customer-service message inside
the 48-hour window, the account's template message outside it; Weibo private-message reply or
a comment on the mention; e-mail; SMS. Staff act through the back office and the API. Every
notice is an outbox message (kind letter_notice / letter_reply) sent after commit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from govhub.channels.models import OutboundMessage, WeChatTemplate
from govhub.channels.outbox import run_outbox
from govhub.channels.sms import LoggingSmsGateway
from govhub.letters.models import Letter, LetterEvent, Status
from tests.fakes.wechat_messaging import FakeWeChatMessaging
from tests.wechat.helpers import make_account

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _jobs_run_at_once(fast_outbox):
    """The outbox runs when a commit wakes it (a worker would); retries come at once."""


CS = "/cgi-bin/message/custom/send"
TPL = "/cgi-bin/message/template/send"


@pytest.fixture
def wechat():
    with FakeWeChatMessaging() as fake:
        yield fake


def _as(client, user):
    c = client.__class__()
    c.force_login(user)
    return c


def _wechat_letter(account, openid="o-citizen-1", phone=""):
    from govhub.wechat.handlers import submit_letter_from_wechat

    reply = submit_letter_from_wechat(
        account, openid, "村口的路灯坏了半个月，晚上走路很危险。", phone
    )
    assert "查询码" in reply
    return Letter.objects.get(citizen__wechat_openid=openid)


def _dispatch_and_reply(client, county, lt, capture, body="路灯已于今日修复。"):
    """Dispatcher, handler and reviewer through the back-office pages."""
    with capture(execute=True):
        r = _as(client, county.user("dispatcher")).post(
            f"/admin/letters/{lt.pk}/act/dispatch/", {"department": county.dept("rsj").pk}
        )
    assert r.status_code == 302
    handler = _as(client, county.user("handler"))
    handler.post(f"/admin/letters/{lt.pk}/act/accept/", {})
    handler.post(f"/admin/letters/{lt.pk}/act/draft/", {"body": body, "submit": "1"})
    with capture(execute=True):
        _as(client, county.user("rsj_reviewer")).post(
            f"/admin/letters/{lt.pk}/act/review/", {"decision": "approve"}
        )
    lt.refresh_from_db()
    assert lt.status == Status.REPLIED


def test_wechat_inside_48_hours_gets_customer_service_messages(
    client, county, wechat, django_capture_on_commit_callbacks
):
    account = make_account(county.dept("rmt"), api_base=wechat.url)
    with django_capture_on_commit_callbacks(execute=True):
        lt = _wechat_letter(account)
    # the conversation itself answered with the code: no second receipt
    assert wechat.sent == [] and lt.channel == "wechat"
    _dispatch_and_reply(client, county, lt, django_capture_on_commit_callbacks)
    texts = [m["text"]["content"] for m in wechat.sent]
    assert [m["touser"] for m in wechat.sent] == ["o-citizen-1", "o-citizen-1"]
    assert lt.tracking_code in texts[0] and "县人力资源和社会保障局" in texts[0]
    assert "路灯已于今日修复" in texts[1] and "答复" in texts[1]
    assert wechat.template_sent == []
    delivery = OutboundMessage.objects.get(kind="letter_reply", platform="wechat")
    assert delivery.state == "sent" and delivery.detail == "已发送客服消息"
    assert delivery.status_label == "已发送" and delivery.recipient == "o-citizen-1"


def test_wechat_outside_the_window_falls_back_to_the_accounts_template(
    client, county, wechat, django_capture_on_commit_callbacks
):
    account = make_account(county.dept("rmt"), api_base=wechat.url)
    # the administrator configures the template in the back office
    admin = _as(client, county.user("admin"))
    r = admin.post(
        "/admin/wechat_templates/new/",
        {
            "account": account.pk,
            "purpose": "letter_progress",
            "template_id": "tpl-letter-progress",
            "code_key": "character_string1",
            "status_key": "phrase2",
            "department_key": "thing3",
            "time_key": "time4",
            "enabled": "on",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    assert WeChatTemplate.objects.get(account=account).template_id == "tpl-letter-progress"
    wechat.templates.add("tpl-letter-progress")
    with django_capture_on_commit_callbacks(execute=True):
        lt = _wechat_letter(account, openid="o-late")
    wechat.out_of_window.add("o-late")  # WeChat answers 45015 to customer-service messages
    _dispatch_and_reply(client, county, lt, django_capture_on_commit_callbacks)
    assert wechat.sent == [] and wechat.log.count(CS) == 2
    assert len(wechat.template_sent) == 2
    first, second = wechat.template_sent
    assert first["touser"] == "o-late" and first["template_id"] == "tpl-letter-progress"
    assert first["url"].endswith("/letters/track/")
    assert first["data"]["character_string1"]["value"] == lt.tracking_code
    assert first["data"]["phrase2"]["value"] == "已分办"
    assert first["data"]["thing3"]["value"] == "县人力资源和社会保障局"
    assert first["data"]["time4"]["value"].startswith(f"{timezone.localdate():%Y年%m月%d日}")
    assert second["data"]["phrase2"]["value"] == "已答复"
    assert OutboundMessage.objects.get(kind="letter_reply", platform="wechat").detail == (
        "已发送模板消息"
    )
    page = _as(client, county.user("dispatcher")).get(f"/admin/letters/{lt.pk}/").content.decode()
    # two rows of 告知来信人 (分办, 答复) and the reply's 送达 line, all in the outbox's words
    assert "告知来信人" in page and page.count("已发送模板消息") == 3
    assert "微信公众号：已发送（已发送模板消息）" in page


def test_known_closed_window_goes_straight_to_the_template(
    county, wechat, django_capture_on_commit_callbacks
):
    from govhub.letters import actions as lc
    from govhub.wechat.models import Subscriber

    account = make_account(county.dept("rmt"), api_base=wechat.url)
    WeChatTemplate.objects.create(account=account, template_id="tpl-1")
    wechat.templates.add("tpl-1")
    lt = _wechat_letter(account, openid="o-quiet")
    Subscriber.objects.create(
        account=account, openid="o-quiet", last_message_at=timezone.now() - dt.timedelta(hours=49)
    )
    with django_capture_on_commit_callbacks(execute=True):
        lc.dispatch_letter(county.user("dispatcher"), lt, department=county.dept("jyj"))
    event = lt.events.get(kind="dispatched")
    assert [(n.platform, n.state) for n in event.notices.all()] == [("wechat", "sent")]
    assert wechat.log.count(CS) == 0 and len(wechat.template_sent) == 1
    # a worker that runs again sends nothing more
    assert run_outbox() == 0
    assert len(wechat.template_sent) == 1 and event.notices.count() == 1


def test_no_template_outside_the_window_waits_as_unconfigured_until_configured(
    client, county, wechat, django_capture_on_commit_callbacks
):
    from govhub.letters import actions as lc

    account = make_account(county.dept("rmt"), api_base=wechat.url)
    lt = _wechat_letter(account, openid="o-gone")
    wechat.out_of_window.add("o-gone")
    with django_capture_on_commit_callbacks(execute=True):
        lc.dispatch_letter(county.user("dispatcher"), lt, department=county.dept("jyj"))
    (notice,) = lt.events.get(kind="dispatched").notices.all()
    assert notice.state == "unconfigured" and "模板消息" in notice.last_error
    staff = client.__class__()
    staff.force_login(county.user("dispatcher"))
    page = staff.get(f"/admin/letters/{lt.pk}/").content.decode()
    assert "渠道未配置" in page and "未配置“信件进度”模板消息" in page
    assert run_outbox() == 0 and wechat.log.count(CS) == 1  # not retried by itself
    # the administrator configures the template; the notice is sent again, now as a template
    WeChatTemplate.objects.create(account=account, template_id="tpl-2")
    wechat.templates.add("tpl-2")
    from govhub.channels import outbox

    with django_capture_on_commit_callbacks(execute=True):
        outbox.requeue(notice, "管理员配置模板后重试")
    notice.refresh_from_db()
    assert notice.state == "sent" and len(wechat.template_sent) == 1


def test_a_failed_send_is_retried_once_and_never_doubled(
    county, wechat, django_capture_on_commit_callbacks
):
    from govhub.letters import actions as lc

    account = make_account(county.dept("rmt"), api_base=wechat.url)
    lt = _wechat_letter(account, openid="o-retry")
    wechat.fail_next(1, "500", paths=[CS])
    with django_capture_on_commit_callbacks(execute=True):
        lc.dispatch_letter(county.user("dispatcher"), lt, department=county.dept("jyj"))
    (notice,) = lt.events.get(kind="dispatched").notices.all()
    assert notice.state == "retrying" and wechat.sent == []
    run_outbox()  # the worker's next round
    notice.refresh_from_db()
    assert notice.state == "sent" and notice.attempts == 2 and len(wechat.sent) == 1
    run_outbox()  # run once more (a worker killed before the ack)
    assert len(wechat.sent) == 1 and wechat.log.count(CS) == 2


def test_email_and_sms_tell_each_step(client, county, django_capture_on_commit_callbacks):
    LoggingSmsGateway.outbox.clear()
    api = _as(client, county.user("dispatcher"))
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post(
            "/api/letters/",
            {
                "channel": "phone",
                "subject": "工资拖欠",
                "content": "电话反映：工地老板拖欠三个月工资。",
                "phone": "13700001234",
                "email": "citizen@example.cn",
            },
            content_type="application/json",
        )
    assert r.status_code == 201, r.content
    lt = Letter.objects.get(pk=r.json()["id"])
    assert [m.subject for m in mail.outbox] == ["您的来信已收到"]
    assert lt.tracking_code in mail.outbox[0].body
    assert lt.tracking_code in LoggingSmsGateway.outbox[-1][1]
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post(
            f"/api/letters/{lt.pk}/dispatch",
            {"department": "rsj"},
            content_type="application/json",
        )
    assert r.status_code == 200, r.content
    assert mail.outbox[-1].subject == "您的来信已分办"
    assert "县人力资源和社会保障局" in mail.outbox[-1].body
    assert "县人力资源和社会保障局" in LoggingSmsGateway.outbox[-1][1]
    assert LoggingSmsGateway.outbox[-1][0] == "13700001234"
    kinds = set(
        OutboundMessage.objects.filter(kind="letter_notice").values_list(
            "letter_event__kind", "platform"
        )
    )
    assert kinds == {
        ("received", "email"),
        ("received", "sms"),
        ("dispatched", "email"),
        ("dispatched", "sms"),
    }


def test_portal_letters_get_no_receipt_sms_but_every_later_step(
    client, county, django_capture_on_commit_callbacks
):
    from govhub.letters import actions as lc
    from tests.letters.helpers import letter

    LoggingSmsGateway.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        lt = letter()  # the portal page showed the code
    assert LoggingSmsGateway.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        lc.dispatch_letter(county.user("dispatcher"), lt, department=county.dept("rsj"))
    assert len(LoggingSmsGateway.outbox) == 1 and "已转交" in LoggingSmsGateway.outbox[0][1]
    assert not LetterEvent.objects.filter(kind="received", notices__platform="sms").exists()

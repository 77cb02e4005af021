"""Every state change through the back-office pages the staff use, and department isolation."""

from __future__ import annotations

import re

import pytest

from govhub.letters import router
from govhub.letters.models import Extension, Letter, Status
from tests.letters.helpers import letter, make_categories

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.force_login(user)
    return client


def _act(client, lt, action, **data):
    return client.post(f"/admin/letters/{lt.pk}/act/{action}/", data)


@pytest.fixture
def trained(county):
    make_categories(county)
    texts = [
        "拖欠工资 老板不发工资",
        "社保 养老保险 缴费",
        "劳动合同 加班费",
        "学校 招生 入学",
        "学费 教师 学生",
        "幼儿园 入园 学位",
        "物业 小区 漏水",
        "老旧小区 改造 房屋",
        "燃气 管道 住房",
    ] * 3
    labels = (["labour"] * 3 + ["education"] * 3 + ["construction"] * 3) * 3
    router.store_model(router.fit(texts, labels), metrics={}, source="test")


def test_whole_lifecycle_through_the_back_office(
    client, county, trained, django_capture_on_commit_callbacks, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from govhub.letters.deadlines import current_policy

    policy = current_policy()  # the dispatcher dispatches by hand, whatever the confidence
    policy.auto_dispatch_confidence = 1
    policy.save()
    lt = letter(subject="工资拖欠", content="老板拖欠工资三个月不发，要求支付工资。")
    page = (
        _as(client, county.user("dispatcher")).get("/admin/letters/?tab=dispatch").content.decode()
    )
    assert lt.tracking_code in page and "县人力资源和社会保障局" in page
    detail = client.get(f"/admin/letters/{lt.pk}/").content.decode()
    assert "分办建议" in detail and "依据词语" in detail and "其次" in detail and "工资" in detail
    _act(
        client,
        lt,
        "dispatch",
        department=county.dept("rsj").pk,
        co_departments=[county.dept("chengguan").pk],
    )
    lt.refresh_from_db()
    assert lt.status == Status.DISPATCHED and lt.department.code == "rsj"

    _as(client, county.user("handler"))
    assert lt.tracking_code in client.get("/admin/letters/?tab=handle").content.decode()
    _act(client, lt, "accept")
    _act(client, lt, "extension", days="2", reason="需到企业现场核查")
    _as(client, county.user("supervisor"))
    assert "待审批的延期申请" in client.get("/admin/letters/?tab=supervise").content.decode()
    _act(client, lt, "decide_extension", decision="approve")
    assert Extension.objects.get(letter=lt).status == "approved"
    _as(client, county.user("handler"))
    _act(client, lt, "draft", body="已责令企业支付。", submit="0")
    _act(client, lt, "draft", body="已责令企业于月底前支付拖欠工资。", submit="1")
    lt.refresh_from_db()
    assert lt.status == Status.REVIEWING
    # after 送审 the handler still reads the reply, but no longer edits it
    page = client.get(f"/admin/letters/{lt.pk}/").content.decode()
    assert 'id="reply-submitted"' in page and "已责令企业于月底前支付拖欠工资。" in page
    assert 'id="reply-body"' not in page
    _as(client, county.user("rsj_reviewer"))
    _act(client, lt, "review", decision="send_back", note="请写明金额")
    lt.refresh_from_db()
    assert lt.status == Status.HANDLING
    _as(client, county.user("handler"))
    _act(client, lt, "draft", body="已责令企业于月底前支付拖欠工资 3600 元。", submit="1")
    _as(client, county.user("rsj_reviewer"))
    with django_capture_on_commit_callbacks(execute=True):
        _act(client, lt, "review", decision="approve")
    lt.refresh_from_db()
    assert lt.status == Status.REPLIED
    assert {d.platform: d.state for d in lt.replies.get(status="approved").deliveries.all()} == {
        "portal": "sent",
        "sms": "sent",
    }
    page = client.get(f"/admin/letters/{lt.pk}/").content.decode()
    assert "送达：门户网站：已发送（可在网站查询）；短信：已发送（已发送短信）" in page
    from govhub.letters.actions import rate_letter

    rate_letter(lt, level=1, comment="答非所问", actor="citizen")
    _as(client, county.user("supervisor"))
    assert lt.tracking_code in client.get("/admin/letters/?tab=supervise").content.decode()
    _act(client, lt, "close", note="已核实答复到位")
    lt.refresh_from_db()
    assert lt.status == Status.CLOSED
    history = client.get(f"/admin/letters/{lt.pk}/").content.decode()
    for label in (
        "收到来信",
        "分办",
        "签收",
        "申请延期",
        "批准延期",
        "答复送审",
        "答复退回修改",
        "答复审核通过并发出",
        "办结",
    ):
        assert label in history
    table = re.search(r'id="letter-history">(.*?)</table>', history, re.S).group(1)
    for status in ("待分办", "待签收", "办理中", "答复待审核", "已答复", "不满意待督办", "已办结"):
        assert f"<td>{status}</td>" in table, status
    assert not set(re.findall(r"[a-z_]{4,}", re.sub(r"<[^>]+>", " ", table)))


def test_dispatcher_merges_marks_invalid_and_handler_returns(client, county):
    a = letter()
    b = letter(content="我在工地干了三个月，老板一直拖欠工资不发。再次反映！")
    assert b.suggestion["duplicates"][0]["tracking_code"] == a.tracking_code
    _as(client, county.user("dispatcher"))
    _act(client, b, "merge", into=a.tracking_code)
    c = letter(phone="13911112222", content="免费领取大礼包，点击链接")
    r = _act(client, c, "invalid", reason="")
    c.refresh_from_db()
    assert c.status == Status.RECEIVED  # no reason, nothing changed
    assert "请填写认定无效的理由" in client.get(r["Location"]).content.decode()
    _act(client, c, "invalid", reason="广告")
    _act(client, a, "dispatch", department=county.dept("jyj").pk)
    _as(client, county.user("jyj_handler"))
    _act(client, a, "return", reason="不属于教育局职责")
    a.refresh_from_db(), b.refresh_from_db(), c.refresh_from_db()
    assert (a.status, b.status, c.status) == (Status.RECEIVED, Status.MERGED, Status.INVALID)
    assert a.department is None


def test_a_handler_cannot_see_or_change_another_departments_letter(client, county):
    lt = letter()
    _as(client, county.user("dispatcher"))
    _act(client, lt, "dispatch", department=county.dept("rsj").pk)
    _as(client, county.user("jyj_handler"))
    assert lt.tracking_code not in client.get("/admin/letters/?tab=all").content.decode()
    refused = client.get(f"/admin/letters/{lt.pk}/")  # Wagtail turns 403 into a redirect home
    assert refused.status_code == 302 and refused["Location"] == "/admin/"
    refused = _act(client, lt, "accept")
    assert refused.status_code == 302 and refused["Location"] == "/admin/"
    lt.refresh_from_db()
    assert lt.status == Status.DISPATCHED
    # a handler cannot dispatch either
    _as(client, county.user("handler"))
    other = letter(phone="13500001111")
    refused = _act(client, other, "dispatch", department=county.dept("rsj").pk)
    assert refused["Location"] == "/admin/"
    assert Letter.objects.get(pk=other.pk).status == Status.RECEIVED


def test_phone_desk_records_a_letter_and_tells_the_citizen_the_code(
    client, county, django_capture_on_commit_callbacks, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    _as(client, county.user("dispatcher"))
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            "/admin/letters/record/",
            {
                "content": "电话反映：村里自来水停了三天",
                "phone": "13600001234",
                "name": "赵六",
                "channel": "phone",
            },
        )
    lt = Letter.objects.get()
    assert r.status_code == 302 and lt.channel == "phone"
    assert "13600001234" in client.get(f"/admin/letters/{lt.pk}/").content.decode()
    from govhub.channels.sms import LoggingSmsGateway

    assert any(lt.tracking_code in text for _, text in LoggingSmsGateway.outbox)
    r = client.post("/admin/letters/record/", {"content": "x", "phone": "999", "channel": "phone"})
    assert r.status_code == 200 and "手机号码格式不正确" in r.content.decode()
    assert Letter.objects.count() == 1


def test_administrator_edits_policy_and_rolls_back_the_router(client, county, trained):
    router.store_model(
        router.fit(["工资 社保"] * 3 + ["学校 学生"] * 3, ["labour"] * 3 + ["education"] * 3),
        metrics={},
        source="second",
    )
    _as(client, county.user("admin"))
    page = client.get("/admin/letters/policy/").content.decode()
    assert "v2（当前）" in page
    client.post("/admin/letters/router/1/activate/")
    from govhub.letters.models import LetterPolicy, RouterModel

    assert RouterModel.objects.get(active=True).version == 1
    r = client.post(
        "/admin/letters/policy/",
        {
            "dispatch_days": 0,
            "handle_days": 3,
            "reply_days": 5,
            "site_error_reply_days": 22,
            "remind_before_days": 1,
            "auto_dispatch_confidence": 0.8,
        },
    )
    assert r.status_code == 302 and LetterPolicy.objects.get().reply_days == 5
    _as(client, county.user("handler"))
    refused = client.get("/admin/letters/policy/")
    assert refused.status_code == 302 and refused["Location"] == "/admin/"


def test_the_letter_page_shows_the_place_and_the_photo(client, county):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (32, 24), "red").save(buf, format="JPEG")
    photo = SimpleUploadedFile("路灯.jpg", buf.getvalue(), content_type="image/jpeg")
    lt = letter(
        town_code="chengguan-v1",
        address="幸福小区门口",
        latitude=34.51,
        longitude=109.72,
        attachments=[photo],
    )
    att = lt.attachments.get()
    page = _as(client, county.user("dispatcher")).get(f"/admin/letters/{lt.pk}/").content.decode()
    assert "地点：城关镇 · 东街社区 · 幸福小区门口（来信人附有定位：北纬 34.5100°" in page
    assert f'<img src="/admin/letters/{lt.pk}/photos/{att.pk}/"' in page
    shown = client.get(f"/admin/letters/{lt.pk}/photos/{att.pk}/")
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    assert "attachment" not in shown.get("Content-Disposition", "")
    # another department's handler sees neither the letter nor its photo
    _as(client, county.user("jyj_handler"))
    assert client.get(f"/admin/letters/{lt.pk}/photos/{att.pk}/").status_code == 403


def test_record_is_offered_only_to_those_who_may_record(client, county):
    lt = letter()
    page = _as(client, county.user("dispatcher")).get("/admin/letters/").content.decode()
    assert "登记来信" in page
    _as(client, county.user("rsj_reviewer"))
    assert "登记来信" not in client.get("/admin/letters/").content.decode()
    _as(client, county.user("supervisor"))
    assert "登记来信" not in client.get(f"/admin/letters/{lt.pk}/").content.decode()


def test_the_phone_desk_chooses_town_then_village(client, county):
    _as(client, county.user("dispatcher"))
    page = client.get("/admin/letters/record/").content.decode()
    assert '<optgroup label="西河镇">' in page
    resp = client.post(
        "/admin/letters/record/",
        {
            "content": "西河村的桥栏杆断了。",
            "phone": "13512345678",
            "town": "xihe",
            "village": "chengguan-v1",
            "channel": "phone",
        },
    )
    assert resp.status_code == 200 and "东街社区不属于西河镇" in resp.content.decode()
    assert "西河村的桥栏杆断了。" in resp.content.decode()  # kept
    resp = client.post(
        "/admin/letters/record/",
        {
            "content": "西河村的桥栏杆断了。",
            "phone": "13512345678",
            "town": "xihe",
            "village": "xihe-v1",
            "address": "村口石桥",
            "channel": "phone",
        },
    )
    assert resp.status_code == 302
    assert Letter.objects.get().place == "西河镇 · 西河村 · 村口石桥"


def test_a_letter_with_many_reminders_and_co_handlers_is_listed_once(client, county):
    """The work queue has no DISTINCT (it made the count slow at 20,000 letters): a letter
    handled by several departments, with several 督办 and a pending extension, still appears
    once in each role's list."""
    import datetime as dt

    from govhub.letters import actions
    from govhub.letters.access import visible_letters
    from govhub.letters.models import Reminder, ReminderKind

    lt = letter(subject="路灯不亮", content="小区路灯坏了一个月。")
    actions.dispatch_letter(
        county.user("dispatcher"),
        lt,
        department=county.dept("rsj"),
        co_departments=[county.dept("chengguan"), county.dept("zjj")],
    )
    for user in ("dispatcher", "handler", "supervisor"):
        assert list(visible_letters(county.user(user)).filter(pk=lt.pk)) == [lt], user

    def shown() -> int:
        page = _as(client, county.user("supervisor")).get("/admin/letters/?tab=supervise")
        return page.content.decode().count(lt.tracking_code)

    day = dt.date.today()
    Reminder.objects.create(letter=lt, kind=ReminderKind.ESCALATE, stage="handle", deadline=day)
    once = shown()
    assert once >= 1
    Reminder.objects.create(
        letter=lt, kind=ReminderKind.ESCALATE, stage="reply", deadline=day + dt.timedelta(1)
    )
    Extension.objects.create(letter=lt, department=county.dept("rsj"), days=3, reason="核查")
    assert shown() == once + 1  # one more mention: the extension's own panel, not a second row


def _queue_html(client, user, query: str = "") -> str:
    resp = _as(client, user).get("/admin/letters/" + query)
    assert resp.status_code == 200
    return resp.content.decode()


def test_a_long_queue_says_how_many_at_least_and_every_page_is_reachable(
    client, county, monkeypatch
):
    """Past the cap the queue does not count every waiting letter (a whole-table count at each
    view, at tens of thousands of letters): it says 「共 N 封以上」 and still pages on."""
    from govhub.letters import admin_views

    monkeypatch.setattr(admin_views, "QUEUE_PER_PAGE", 2)
    monkeypatch.setattr(admin_views, "QUEUE_COUNT_CAP", 3)
    codes = [letter(route=False).tracking_code for _ in range(6)]
    dispatcher = county.user("dispatcher")
    first = _queue_html(client, dispatcher, "?tab=dispatch")
    assert "第 1 页，共 3 封以上" in first and "/3 页" not in first
    assert "?tab=dispatch&p=2" in first and "上一页" not in first
    assert [c for c in codes if c in first] == codes[:2]  # oldest first
    second = _queue_html(client, dispatcher, "?tab=dispatch&p=2")
    assert "第 2 页，共 5 封以上" in second and [c for c in codes if c in second] == codes[2:4]
    last = _queue_html(client, dispatcher, "?tab=dispatch&p=3")  # the count reaches the end
    assert "第 3/3 页，共 6 封" in last and "下一页" not in last
    assert [c for c in codes if c in last] == codes[4:]
    assert "第 3/3 页，共 6 封" in _queue_html(client, dispatcher, "?tab=dispatch&p=99")
    assert "第 1 页，共 3 封以上" in _queue_html(client, dispatcher, "?tab=dispatch&p=x")

    monkeypatch.setattr(admin_views, "QUEUE_COUNT_CAP", 1000)  # under the cap: exact
    assert "第 1/3 页，共 6 封" in _queue_html(client, dispatcher, "?tab=dispatch")
    # the 全部信件 tab's filters stay on its pages
    page = _queue_html(client, dispatcher, "?tab=all&status=received")
    assert "?tab=all&status=received&p=2" in page


def test_the_supervision_tab_lists_each_reason_once_and_nothing_else(client, county):
    """督办: overdue for dispatch or reply, reopened, a pending extension (whatever the status),
    escalated while open — the union of one query per reason, each letter once."""
    import datetime as dt

    from govhub.letters.models import Reminder, ReminderKind

    past = dt.date.today() - dt.timedelta(days=10)
    fresh, late, handling, reopened, extended, escalated, escalated_closed = (
        letter(route=False) for _ in range(7)
    )
    Letter.objects.filter(pk=late.pk).update(dispatch_due=past)
    Letter.objects.filter(pk=handling.pk).update(
        status=Status.HANDLING, department=county.dept("rsj"), reply_due=past
    )
    Letter.objects.filter(pk=reopened.pk).update(status=Status.REOPENED)
    Letter.objects.filter(pk=extended.pk).update(status=Status.REPLIED, dispatch_due=past)
    Extension.objects.create(letter=extended, department=county.dept("rsj"), days=3, reason="核查")
    Letter.objects.filter(pk=escalated_closed.pk).update(status=Status.CLOSED, dispatch_due=past)
    for lt in (escalated, escalated_closed):
        Reminder.objects.create(letter=lt, kind=ReminderKind.ESCALATE, stage="reply", deadline=past)
    page = _queue_html(client, county.user("supervisor"), "?tab=supervise")
    listing = page.split('<table class="listing">')[1]
    for lt in (late, handling, reopened, extended, escalated):
        assert listing.count(lt.tracking_code) == 1, lt
    for lt in (fresh, escalated_closed):
        assert lt.tracking_code not in page, lt


@pytest.mark.parametrize(
    "user,tabs",
    [
        ("dispatcher", ["dispatch", "all", "supervise"]),
        ("handler", ["handle", "all"]),
        ("supervisor", ["supervise", "all"]),
    ],
)
def test_the_queue_runs_the_same_few_queries_however_many_letters(client, county, user, tabs):
    """No query per row (the list reads only the columns it shows: a deferred field read in the
    template would cost one per letter), and the count is one bounded query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from govhub.letters import actions

    def queries(tab: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            _queue_html(client, county.user(user), f"?tab={tab}")
        return len(ctx.captured_queries)

    def add_letters() -> None:
        for _ in range(3):
            lt = letter(route=False)
            actions.dispatch_letter(
                county.user("dispatcher"), letter(route=False), department=county.dept("rsj")
            )
            Extension.objects.create(
                letter=lt, department=county.dept("rsj"), days=2, reason="核查"
            )

    add_letters()
    _queue_html(client, county.user(user), "")  # caches of the first request (menus, roles)
    few = {tab: queries(tab) for tab in tabs}
    add_letters()
    assert {tab: queries(tab) for tab in tabs} == few
    # the session, the user, its second factors, roles and Wagtail's menus (the same for every
    # admin page), then the count and the rows (the 督办 tab: and its pending extensions)
    assert max(few.values()) <= 27, few

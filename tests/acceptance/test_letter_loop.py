"""The leader's mailbox, from the citizen's phone to the citizen's rating, each step by the person
who owns it with their own demo login, asserting what that person sees in Chinese.

citizen (phone, 375×812) writes → dispatcher 分办 → handler 签收, 办理, drafts and 送审 →
rsj_reviewer (人社局's reply reviewer) approves → delivered (portal + SMS through the outbox) →
citizen reads the reply on the phone and rates it. Nobody logs in as admin.
"""

from __future__ import annotations

import io
import re

from playwright.sync_api import expect

# a matter that spans departments (the router is unsure: the dispatcher decides)
SUBJECT = "超市关门后会员卡和工资都要不回来"
CONTENT = (
    "城关镇东街社区的便民超市突然关门了，我在那里上班两个月的工资没结，家里老人办的会员卡里"
    "还有钱也退不了，不知道该找哪个部门，请领导帮忙协调。"
)
REPLY = (
    "您好！来信收悉。县人社局劳动保障监察大队已找到该超市经营者，责令其在十二月十五日前"
    "足额支付拖欠的两个月工资；会员卡退款已转县市场监管局协调。如逾期未支付，请拨打 12333。"
)
RAW_CODES = ("received", "dispatched", "handling", "reviewing", "replied", "closed")


def _photo(tmp_path) -> str:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 60, 40)).save(buf, format="JPEG")
    path = tmp_path / "超市门口.jpg"
    path.write_bytes(buf.getvalue())
    return str(path)


def _no_raw_codes(text: str) -> None:
    words = set(re.findall(r"[A-Za-z_]+", text))
    assert not words & set(RAW_CODES), words & set(RAW_CODES)
    assert "portal sent" not in text and "sms sent" not in text


def _table(page, selector: str) -> list[dict[str, str]]:
    """A listing as the person reads it: one dict per row, keyed by the column headings."""
    heads = page.locator(f"{selector} thead th").all_inner_texts()
    return [
        dict(zip(heads, row.locator("td").all_inner_texts(), strict=False))
        for row in page.locator(f"{selector} tbody tr").all()
    ]


def _open_letter(page, url: str, tab: str, subject: str) -> None:
    page.goto(f"{url}/admin/letters/?tab={tab}")
    page.get_by_role("link", name=subject).first.click()
    page.wait_for_load_state()


def _track(page, url: str, code: str, last4: str) -> None:
    """The citizen looks the letter up with its code and the phone's last four digits."""
    page.goto(url + "/letters/track/")
    page.fill("input[name=code]", code)
    page.fill("input[name=last4]", last4)
    page.get_by_role("button", name="查询").click()


def test_letter_from_the_phone_to_the_rating(site, tmp_path):
    url = site.url

    # --- the citizen writes on the phone; an empty form first shows every error at once ------
    citizen = site.citizen()
    citizen.goto(url + "/letters/write/")
    citizen.fill("#id_subject", SUBJECT)
    citizen.fill("#id_name", "刘先生")
    citizen.click("#submit-letter")
    summary = citizen.locator("#error-summary")
    expect(summary).to_contain_text("请填写来信内容")
    expect(summary).to_contain_text("请填写手机号码")
    expect(citizen.locator("#id_content-error")).to_contain_text("请填写来信内容")
    expect(citizen.locator("#id_phone-error")).to_contain_text("请填写手机号码")
    expect(citizen.locator("#id_subject")).to_have_value(SUBJECT)  # nothing typed is lost
    expect(citizen.locator("#id_name")).to_have_value("刘先生")
    site.shot(citizen, "citizen-empty-letter-errors")

    citizen.fill("#id_content", CONTENT)
    citizen.select_option("#id_category", label="劳动和社会保障")
    citizen.select_option("#id_town", "chengguan")
    # the village list now offers 城关镇's villages only
    villages = citizen.locator("#id_village option[data-town]").all_inner_texts()
    assert villages == ["东街社区", "西街社区", "南关村"], villages
    citizen.select_option("#id_village", label="东街社区")
    citizen.fill("#id_address", "东街社区便民超市门口")
    citizen.fill("#id_phone", "13712345678")
    citizen.set_input_files("#id_attachments", _photo(tmp_path))
    citizen.check("input[name=publish_consent]")
    site.shot(citizen, "citizen-letter-filled")
    citizen.click("#submit-letter")
    code = citizen.locator("#tracking-code").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code), code
    site.shot(citizen, "citizen-tracking-code")
    scroll_width = citizen.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 375, scroll_width

    with site.db():
        from govhub.letters.models import Letter

        letter = Letter.objects.select_related("town", "category").get(tracking_code=code)
        assert letter.status == "received", letter.status  # not dispatched by the router alone
        assert letter.place == "城关镇 · 东街社区 · 东街社区便民超市门口"
        assert letter.category.name == "劳动和社会保障"
        reply_due = letter.reply_due

    # the tracking page shows the deadline
    _track(citizen, url, code, "5678")
    expect(citizen.locator("#letter-status")).to_have_text("待分办")
    expect(citizen.locator("#reply-due")).to_contain_text(
        f"{reply_due.year}年{reply_due.month}月{reply_due.day}日"
    )
    site.shot(citizen, "citizen-tracking-before-dispatch")

    # --- the dispatcher (信访局) 分办 to 人社局 ------------------------------------------------
    dispatcher = site.login("dispatcher")
    _open_letter(dispatcher, url, "dispatch", SUBJECT)
    expect(dispatcher.locator("#letter-status")).to_have_text("待分办")
    expect(dispatcher.locator("#letter-place")).to_contain_text(
        "城关镇 · 东街社区 · 东街社区便民超市门口"
    )
    thumb = dispatcher.locator("#letter-attachments img")
    expect(thumb).to_be_visible()
    assert thumb.evaluate("img => img.complete && img.naturalWidth") == 640  # the photo shows
    dispatcher.select_option("#dispatch-dept", label="县人力资源和社会保障局")
    dispatcher.fill("#dispatch-note", "请核实欠薪情况并答复")
    site.shot(dispatcher, "dispatcher-letter")
    dispatcher.get_by_role("button", name="分办", exact=True).click()
    expect(dispatcher.get_by_text("已分办至县人力资源和社会保障局")).to_be_visible()
    expect(dispatcher.locator("#letter-status")).to_have_text("待签收")
    site.shot(dispatcher, "dispatcher-dispatched")

    # --- the handler (人社局) 签收, drafts the reply, 送审 ----------------------------------
    handler = site.login("handler")
    _open_letter(handler, url, "handle", SUBJECT)
    expect(handler.get_by_role("button", name="签收办理")).to_be_visible()
    handler.get_by_role("button", name="签收办理").click()
    expect(handler.locator("#letter-status")).to_have_text("办理中")
    for field in ("#return-reason", "#ext-reason", "#ext-days"):  # visible, with a border
        box = handler.locator(field).bounding_box()
        assert box and box["height"] >= 24 and box["width"] >= 60, (field, box)
        border = handler.locator(field).evaluate("e => getComputedStyle(e).borderTopWidth")
        assert border != "0px", field
    handler.fill("#reply-body", REPLY)
    site.shot(handler, "handler-drafting")
    handler.get_by_role("button", name="送审").click()
    expect(handler.get_by_text("答复已送审")).to_be_visible()
    expect(handler.locator("#letter-status")).to_have_text("答复待审核")
    expect(handler.locator("#reply-submitted")).to_contain_text("劳动保障监察大队")  # read-only
    assert handler.locator("#reply-body").count() == 0  # no longer editable
    site.shot(handler, "handler-after-submit")

    # --- the 人社局 reply reviewer approves; the reply goes out by portal and SMS ---------
    reviewer = site.login("rsj_reviewer")
    _open_letter(reviewer, url, "review", SUBJECT)
    expect(reviewer.locator("#reply-under-review")).to_contain_text("劳动保障监察大队")
    reviewer.fill("#review-note", "同意")
    reviewer.get_by_role("button", name="通过并发出").click()
    expect(reviewer.get_by_text("答复已审核通过并发出")).to_be_visible()
    expect(reviewer.locator("#letter-status")).to_have_text("已答复")
    delivery = reviewer.locator("#reply-delivery").inner_text()
    assert "审核：孙海涛" in delivery and "短信：已发送" in delivery, delivery
    history = reviewer.locator("#letter-history").inner_text()
    for step in ("收到来信", "分办", "签收", "答复送审", "答复审核通过并发出"):
        assert step in history, step
    for status in ("待分办", "待签收", "办理中", "答复待审核", "已答复"):
        assert status in history, status
    _no_raw_codes(history + delivery)
    site.shot(reviewer, "reviewer-approved")
    reviewer.locator("#letter-history").scroll_into_view_if_needed()
    site.shot(reviewer, "reviewer-history")

    with site.db():
        from govhub.letters.models import Letter

        reply = Letter.objects.get(tracking_code=code).replies.get(status="approved")
        sent = {m.platform: m.state for m in reply.deliveries.all()}
        assert sent.get("sms") == "sent", sent

    # the handler now sees the reply that went out, and to whom
    handler.reload()
    expect(handler.locator("#reply-delivery")).to_contain_text("短信：已发送")

    # --- the citizen reads the reply on the phone and rates it -------------------------------
    _track(citizen, url, code, "5678")
    expect(citizen.locator("#letter-status")).to_have_text("已答复")
    expect(citizen.locator("#reply-body")).to_contain_text("劳动保障监察大队")
    expect(citizen.locator("#reply-body")).to_contain_text("县人力资源和社会保障局")
    site.shot(citizen, "citizen-reads-reply")
    citizen.get_by_label("满意", exact=True).check()
    citizen.fill("textarea[name=comment]", "工资已经拿到了，谢谢！")
    citizen.get_by_role("button", name="提交评价").click()
    expect(citizen.locator("#letter-status")).to_have_text("已办结")
    expect(citizen.get_by_text("您的评价：满意")).to_be_visible()
    timeline = citizen.locator("ol.timeline").inner_text()
    assert "已转交县人力资源和社会保障局办理" in timeline and "感谢您的评价" in timeline
    _no_raw_codes(citizen.locator("main, body").first.inner_text())
    site.shot(citizen, "citizen-rated")
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 375

    # the supervisor sees the rating on the letter
    supervisor = site.login("supervisor")
    supervisor.goto(url + "/admin/letters/?tab=all&q=" + code)
    supervisor.get_by_role("link", name=SUBJECT).click()
    expect(supervisor.locator("#letter-status")).to_have_text("已办结")
    expect(supervisor.locator("#letter-history")).to_contain_text("群众评价：满意")
    site.shot(supervisor, "supervisor-sees-closed-letter")


def test_same_minute_letters_share_their_deadline_and_roles_see_only_their_buttons(site):
    """Two letters of the same minute by two channels get the same reply deadline; the reply
    reviewer, who may not record letters, is offered no 登记来信."""
    import datetime as dt

    from django.utils import timezone

    with site.db():
        from govhub.letters.intake import submit_letter

        at = timezone.now().replace(second=5, microsecond=0)
        a = submit_letter(
            channel="portal",
            subject="同一分钟来信甲",
            content="新华街同一分钟来信甲。",
            phone="13600000001",
            received_at=at,
        )
        b = submit_letter(
            channel="phone",
            subject="同一分钟来信乙",
            content="东关镇到县城班车太少。",
            phone="13600000002",
            received_at=at + dt.timedelta(seconds=50),
        )
        assert a.reply_due == b.reply_due and a.dispatch_due == b.dispatch_due
    dispatcher = site.login("dispatcher")
    due = {}
    for subject in ("同一分钟来信甲", "同一分钟来信乙"):
        dispatcher.goto(site.url + "/admin/letters/?tab=all&q=" + subject)
        row = _table(dispatcher, "table.listing")[0]
        assert row["标题"] == subject, row
        due[subject] = row["答复期限"]
    assert due["同一分钟来信甲"] == due["同一分钟来信乙"] == a.reply_due.isoformat(), due
    site.shot(dispatcher, "dispatcher-queue-same-deadline")
    expect(dispatcher.get_by_role("link", name="登记来信")).to_have_count(1)
    reviewer = site.login("rsj_reviewer")  # reviews replies, records no letters
    reviewer.goto(site.url + "/admin/letters/")
    expect(reviewer.get_by_role("link", name="登记来信")).to_have_count(0)


def test_open_problems_on_a_real_map_and_as_a_list_without_tiles(site):
    """The citizen's map of open problems: Leaflet over the county's tiles when a tile server is
    set (here answered by the browser itself), the list by town without one; the demo letters
    carry their categories."""
    from django.test import override_settings
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (256, 256), (230, 236, 222)).save(buf, format="PNG")
    tile = buf.getvalue()

    citizen = site.citizen()
    citizen.goto(site.url + "/letters/map/")
    assert citizen.locator("#letters-map").count() == 0  # no tile server: the list only
    rows = _table(citizen, "#by-town")
    assert len(rows) >= 5, rows
    kinds = " ".join(r["主要问题"] for r in rows)
    for name in ("劳动和社会保障", "城市管理", "环境保护"):
        assert name in kinds, kinds
    with site.db():
        from govhub.letters.models import Letter

        demo = Letter.objects.filter(idempotency_key__startswith="demo:")
        assert demo.count() == 120 and not demo.filter(category__isnull=True).exists()
    site.shot(citizen, "map-list-without-tiles")

    fetched = []

    def serve_tile(route):
        fetched.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=tile)

    citizen.route("https://tiles.test/**", serve_tile)
    with override_settings(MAP_TILE_URL="https://tiles.test/{z}/{x}/{y}.png"):
        citizen.goto(site.url + "/letters/map/")
        expect(citizen.locator("#letters-map")).to_have_attribute(
            "data-ready", re.compile(r"[1-9]")
        )
        markers = int(citizen.locator("#letters-map").get_attribute("data-ready"))
        expect(citizen.locator(".leaflet-marker-icon")).to_have_count(markers)
        assert citizen.locator(".leaflet-tile-loaded").count() > 0 and fetched
        assert re.search(r"https://tiles\.test/\d+/\d+/\d+\.png", fetched[0]), fetched[0]
        citizen.locator(".leaflet-marker-icon").first.dispatch_event("click")
        popup = citizen.locator(".leaflet-popup-content").inner_text()
        assert re.search(r"镇|乡", popup) and "·" in popup, popup
        assert citizen.get_by_title("放大").count() == 1  # Leaflet's controls in Chinese
        expect(citizen.locator("#by-town")).to_be_visible()  # the list stays under the map
        site.shot(citizen, "map-with-tiles")
        assert citizen.evaluate("document.documentElement.scrollWidth") <= 375


def test_elder_mode_reaches_the_letters_pages(site):
    """An older citizen switches on 长者模式 once; every letters page follows it on the phone."""
    citizen = site.citizen()
    citizen.goto(site.url + "/letters/")
    normal = citizen.locator(".letters").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    citizen.get_by_role("link", name="长者模式（大字体）").click()
    citizen.wait_for_load_state()
    for path in ("/letters/", "/letters/write/", "/letters/track/", "/letters/archive/"):
        citizen.goto(site.url + path)
        expect(citizen.get_by_role("link", name="退出长者模式")).to_be_visible()
        size = citizen.locator(".letters").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        assert size >= 21 > normal, (path, size, normal)
        assert citizen.evaluate("document.documentElement.scrollWidth") <= 375, path
    site.shot(citizen, "elder-archive")
    citizen.goto(site.url + "/letters/write/")
    site.shot(citizen, "elder-write")


ROUTED_SUBJECT = "厂里不给交社保，还扣押身份证"
ROUTED_CONTENT = (
    "我在城关镇一家服装厂上班一年多了，厂里一直没给我们交社保，还把我们的身份证收走不还，"
    "问老板就说试用期。"
)


def _dispatch_row(page, url: str, code: str) -> dict[str, str]:
    """The dispatcher's 待分办 queue, page after page (oldest first), until the letter's row."""
    page.goto(f"{url}/admin/letters/?tab=dispatch")
    while True:
        for row in _table(page, "table.listing"):
            if row.get("查询码") == code:
                page.locator("table.listing tbody tr", has_text=code).scroll_into_view_if_needed()
                return row
        following = page.get_by_role("link", name="下一页")
        assert following.count(), f"{code} is not in the dispatch queue"
        following.click()
        page.wait_for_load_state()


def _run_worker(site_url: str) -> None:
    """`govhub worker --burst` in its own process on the served database: runs what is queued
    and exits (no scheduler, so only the jobs the walk queued run)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        database_url = f"sqlite:///{db['NAME']}"
    else:
        database_url = (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        )
    env = dict(os.environ)
    env.update(
        GOVHUB_MODE="test",
        GOVHUB_DATABASE_URL=database_url,
        GOVHUB_JOBS_BACKEND="database",
        GOVHUB_SITE_URL=site_url,
    )
    env.pop("GOVHUB_TEST_DB_NAME", None)  # the served test database is the database here
    env.pop("GOVHUB_REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "govhub", "worker", "--burst", "--no-scheduler"],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]


def test_a_letter_accepted_on_the_phone_is_routed_by_the_worker_for_the_dispatcher(site):
    """Intake only accepts: the citizen gets the code at once, the router runs afterwards in
    `govhub worker` (a real process on the served database, jobs on the database queue instead
    of the session's run-at-once backend). The dispatcher sees no suggestion (—) until the
    worker has run, then the router's department; the citizen's status is unchanged."""
    from django.test import override_settings

    url = site.url
    queued = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    with override_settings(TASKS=queued):
        # --- the citizen writes on the phone and gets the tracking code at once -----------
        citizen = site.citizen()
        citizen.goto(url + "/letters/write/")
        citizen.fill("#id_subject", ROUTED_SUBJECT)
        citizen.fill("#id_content", ROUTED_CONTENT)
        citizen.select_option("#id_category", label="劳动和社会保障")
        citizen.select_option("#id_town", "chengguan")
        citizen.fill("#id_name", "周女士")
        citizen.fill("#id_phone", "13712340099")
        site.shot(citizen, "citizen-letter-filled")
        citizen.click("#submit-letter")
        code = citizen.locator("#tracking-code").inner_text().strip()
        assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code), code
        expect(citizen.get_by_role("heading", level=1)).to_have_text("您的来信已收到")
        assert citizen.evaluate("document.documentElement.scrollWidth") <= 375
        site.shot(citizen, "citizen-tracking-code")

        with site.db():
            from django_tasks_db.models import DBTaskResult

            from govhub.letters.models import Letter

            letter = Letter.objects.get(tracking_code=code)
            assert letter.routed_at is None and letter.suggested_department_id is None
            (job,) = [
                j
                for j in DBTaskResult.objects.filter(task_path="govhub.letters.jobs.route_letter")
                if j.args_kwargs["args"] == [letter.pk]
            ]
            assert job.status == "READY", job.status

        # --- the dispatcher: the letter waits, not yet routed -----------------------------
        dispatcher = site.login("dispatcher")
        row = _dispatch_row(dispatcher, url, code)
        assert row["标题"] == ROUTED_SUBJECT and row["状态"] == "待分办", row
        assert row["分办建议"] == "—", row
        site.shot(dispatcher, "dispatch-queue-before-the-worker")

        # --- the worker routes it -------------------------------------------------------
        _run_worker(url)

    with site.db():
        job.refresh_from_db()
        assert (job.status, job.return_value) == ("SUCCESSFUL", "suggested"), job.traceback
        letter.refresh_from_db()
        assert letter.routed_at is not None and letter.status == "received"
        failed = DBTaskResult.objects.filter(status="FAILED")
        assert not failed.exists(), [(f.task_path, f.traceback[-500:]) for f in failed]
        suggestion = letter.suggestion
    assert suggestion["department"] == "县人力资源和社会保障局", suggestion

    row = _dispatch_row(dispatcher, url, code)
    percent = round(suggestion["confidence"] * 100)
    assert row["分办建议"] == f"县人力资源和社会保障局（{percent}%）", row
    assert row["状态"] == "待分办", row  # below the bar for dispatching by itself
    site.shot(dispatcher, "dispatch-queue-after-the-worker")
    dispatcher.get_by_role("link", name=ROUTED_SUBJECT).click()
    expect(dispatcher.locator("#router-suggestion")).to_contain_text("县人力资源和社会保障局")
    expect(dispatcher.locator("#dispatch-dept option:checked")).to_have_text(
        "县人力资源和社会保障局"
    )
    site.shot(dispatcher, "dispatcher-letter-with-suggestion")

    # --- the citizen checks with the code on the phone --------------------------------------
    _track(citizen, url, code, "0099")
    expect(citizen.locator("#letter-status")).to_have_text("待分办")
    expect(citizen.locator("ol.timeline")).to_contain_text("您的来信已收到，正在分办。")
    body = citizen.inner_text("body")
    assert "分办建议" not in body and "置信度" not in body  # the router's guess is internal
    _no_raw_codes(body)
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 375
    site.shot(citizen, "citizen-tracks-after-routing")

"""办事服务 as the people who use it: a citizen on a phone browses guides by life event and
rates them, runs the 公积金 query (a valid and a wrong ID number, then the backend down); a
department handler calls a 差评 back; the administrator adds a query connector himself."""

from __future__ import annotations

from playwright.sync_api import expect

from govhub.services.validators import id_check_digit

VALID_ID = "44010619850315002" + id_check_digit("44010619850315002")


def _no_overflow(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 376, f"page is {width}px wide on a 375px phone"


def test_a_citizen_browses_by_life_event_and_rates_a_guide(site):
    phone = site.citizen()
    phone.goto(site.url + "/services/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("办事服务")
    _no_overflow(phone)
    site.shot(phone, "services-home")
    phone.get_by_role("link", name="出生").first.click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("出生：相关事项")
    site.shot(phone, "birth-guides")
    phone.get_by_role("link", name="新生儿出生登记（落户）").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("新生儿出生登记（落户）")
    expect(phone.locator("table.svc-table")).to_contain_text("出生医学证明")
    expect(phone.locator(".svc-facts").first).to_contain_text("即办")
    _no_overflow(phone)
    site.shot(phone, "guide")
    phone.get_by_role("radio", name="非常满意").check()
    phone.get_by_role("button", name="提交评价").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("感谢您的评价")
    expect(phone.locator("main")).to_contain_text("非常满意")
    site.shot(phone, "rated")


def test_a_bad_rating_is_called_back_by_the_department(site):
    phone = site.citizen()
    phone.goto(site.url + "/services/guides/?q=失业了能领钱吗")
    phone.get_by_role("link", name="失业保险金申领").click()
    phone.get_by_role("radio", name="非常不满意").check()
    phone.get_by_role("button", name="提交评价").click()
    expect(phone.locator(".rate-err")).to_have_text("请简单说明不满意的原因，便于我们改进")
    phone.get_by_role("textbox", name="意见建议").fill("窗口说要单位盖章的证明，指南里没写")
    phone.get_by_role("button", name="提交评价").click()
    expect(phone.locator("main")).to_contain_text("前回访并整改")
    site.shot(phone, "bad-rating")

    handler = site.login("handler")  # 人社局
    handler.goto(site.url + "/admin/ratings/callbacks/")
    handler.locator("tr", has_text="指南里没写").get_by_role("link").click()
    expect(handler.locator("main")).to_contain_text("指南里没写")
    handler.get_by_label("回访及整改情况").fill("已电话回访，已在指南材料中补充单位证明要求")
    handler.get_by_role("button", name="办结").click()
    expect(handler.locator("body")).to_contain_text("已办结")
    site.shot(handler, "callback-closed")


def test_a_citizen_queries_the_housing_fund(site):
    phone = site.citizen()
    phone.goto(site.url + "/services/")
    phone.get_by_role("link", name="住房公积金余额查询").click()
    phone.get_by_label("身份证号").fill(VALID_ID[:-1] + ("1" if VALID_ID[-1] != "1" else "2"))
    phone.get_by_role("button", name="查询").click()
    expect(phone.locator(".svc-err")).to_contain_text("校验位不正确")
    assert phone.get_by_label("身份证号").input_value().startswith(VALID_ID[:17])
    site.shot(phone, "wrong-id")
    phone.get_by_label("身份证号").fill(VALID_ID)
    phone.get_by_role("button", name="查询").click()
    expect(phone.get_by_role("heading", name="查询结果")).to_be_visible()
    expect(phone.locator(".svc-result")).to_contain_text("账户余额（元）")
    _no_overflow(phone)
    site.shot(phone, "balance")
    phone.get_by_role("radio", name="满意", exact=True).check()
    phone.get_by_role("button", name="提交评价").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("感谢您的评价")

    from govhub.services.models import QueryConnector

    with site.db():
        conn = QueryConnector.objects.get(slug="gjj-balance")
        endpoint = conn.endpoint
        QueryConnector.objects.filter(pk=conn.pk).update(endpoint="http://127.0.0.1:9/gjj/")
    try:
        phone.goto(site.url + "/services/queries/gjj-balance/")
        phone.get_by_label("身份证号").fill(VALID_ID)
        phone.get_by_role("button", name="查询").click()
        expect(phone.get_by_role("heading", level=1)).to_have_text("服务繁忙")
        site.shot(phone, "busy")
    finally:
        with site.db():
            QueryConnector.objects.filter(slug="gjj-balance").update(endpoint=endpoint)


def test_the_administrator_adds_a_query_connector(site):
    admin = site.login("admin")
    admin.goto(site.url + "/admin/query_connectors/new/")
    admin.fill("input[name=name]", "社保缴费查询")
    admin.fill("input[name=slug]", "sb-payments")
    admin.select_option("select[name=department]", label="县人力资源和社会保障局")
    admin.fill("input[name=endpoint]", "https://sb.example.gov.cn/api/payments")
    admin.select_option("select[name=method]", "POST")
    admin.select_option("select[name=auth_type]", "hmac")
    admin.fill("input[name=app_id]", "shifan")
    admin.fill("input[name=secret]", "a-long-shared-secret")
    admin.fill("textarea[name=input_fields]", "idcard｜身份证号｜身份证")
    admin.fill("textarea[name=result_mapping]", "data.months｜累计缴费月数")
    admin.get_by_role("button", name="创建").click()
    expect(admin.locator("body")).to_contain_text("类型“身份证”不认识")
    site.shot(admin, "connector-bad-line")
    admin.fill("textarea[name=input_fields]", "idcard｜身份证号｜身份证号")
    admin.fill("input[name=secret]", "a-long-shared-secret")
    admin.get_by_role("button", name="创建").click()
    expect(admin.locator("body")).to_contain_text("社保缴费查询")
    site.shot(admin, "connector-added")
    phone = site.citizen()
    phone.goto(site.url + "/services/queries/sb-payments/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("社保缴费查询")


def test_a_citizen_books_an_appointment_and_the_window_marks_attendance(site):
    phone = site.citizen()
    phone.goto(site.url + "/services/guides/?q=失业保险金")
    phone.get_by_role("link", name="失业保险金申领").click()
    phone.get_by_role("link", name="预约办理").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("预约办理")
    phone.locator("input[name=slot]:not([disabled])").first.check()
    phone.get_by_label("姓名").fill("孙秀英")
    phone.get_by_label("手机号").fill("1390000")
    phone.get_by_role("button", name="确认预约").click()
    expect(phone.locator(".svc-err")).to_contain_text("手机号应为 11 位")
    assert phone.get_by_label("姓名").input_value() == "孙秀英"
    phone.get_by_label("手机号").fill("13900001111")
    phone.get_by_role("button", name="确认预约").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("预约成功")
    _no_overflow(phone)
    site.shot(phone, "booked")
    code = phone.locator(".svc-code").inner_text().strip()
    day = phone.locator(".svc-facts dd").nth(2).inner_text()

    from govhub.services.models import Booking

    with site.db():
        date = Booking.objects.get(code=code).slot.date.isoformat()
    handler = site.login("handler")  # 人社局 window
    handler.goto(f"{site.url}/admin/services/appointments/?date={date}")
    row = handler.locator("tr", has_text=code)
    expect(row).to_contain_text("孙秀英")
    expect(row).to_contain_text("139****1111")
    row.get_by_role("button", name="到场", exact=True).click()
    expect(handler.locator("tr", has_text=code)).to_contain_text("已到场")
    site.shot(handler, "attended")
    assert day


def test_a_citizen_changes_a_booking_on_the_phone_and_is_reminded_by_sms(site):
    phone = site.citizen()
    phone.goto(site.url + "/services/guides/?q=失业保险金")
    phone.get_by_role("link", name="失业保险金申领").click()
    phone.get_by_role("link", name="预约办理").click()
    phone.locator("input[name=slot]:not([disabled])").first.check()
    phone.get_by_label("姓名").fill("周建华")
    phone.get_by_label("手机号").fill("13900002222")
    phone.get_by_role("button", name="确认预约").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("预约成功")
    old_code = phone.locator(".svc-code").inner_text().strip()

    phone.goto(site.url + "/services/bookings/")
    phone.get_by_label("预约码").fill(old_code)
    phone.get_by_label("预约时填写的手机号").fill("13900002222")
    phone.get_by_role("button", name="查询").click()
    change = phone.locator("#change-form")
    expect(change).to_contain_text("改约：选择新的时段")
    phone.get_by_role("button", name="改到这个时段").click()
    expect(phone.locator(".svc-err")).to_have_text("请选择要改到的时段")
    new_label = change.locator("label.svc-slot").last.inner_text()
    change.locator("input[name=slot]").last.check()
    _no_overflow(phone)
    site.shot(phone, "change-booking")
    phone.get_by_role("button", name="改到这个时段").click()
    expect(phone.locator("#changed")).to_contain_text("已改约")
    new_code = phone.locator(".svc-facts dd").first.inner_text().strip()
    assert new_code != old_code
    when = phone.locator(".svc-facts dd").nth(2).inner_text()
    assert new_label.split("（")[0] in when.replace("2026年", "").replace("2027年", ""), (
        new_label,
        when,
    )
    _no_overflow(phone)
    site.shot(phone, "booking-changed")

    with site.db():
        from govhub.channels.models import OutboundMessage
        from govhub.services import actions
        from govhub.services.models import Booking

        old, new = Booking.objects.get(code=old_code), Booking.objects.get(code=new_code)
        assert (old.status, new.status) == ("cancelled", "booked")
        actions.queue_reminders(new.slot.date)  # the job runs the day before the visit
        reminder = OutboundMessage.objects.get(key=f"appointment-reminder:{new.pk}")
        assert reminder.platform == "sms" and new_code in reminder.payload["text"]
        assert not OutboundMessage.objects.filter(key=f"appointment-reminder:{old.pk}").exists()

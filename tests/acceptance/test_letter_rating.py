"""好差评 of a letter's reply, each step by its owner: the citizen on a phone rates the reply
不满意 (a reason is asked for), sees who calls back and by when; the handler of the department
that answered finds the call-back in the 待办 panel of the dashboard with its deadline, calls
back and closes it; the citizen's page then says it was put right."""

from __future__ import annotations

from playwright.sync_api import expect

SUBJECT = "好差评验收：社保卡补办后一直没有寄到"


def _replied_letter() -> tuple[str, object]:
    """A letter answered by 人社局 through the ordinary steps, arranged in the database."""
    from django.contrib.auth import get_user_model

    from govhub.core.models import Department
    from govhub.letters import actions as lc
    from govhub.letters.intake import submit_letter

    users = {u.username: u for u in get_user_model().objects.all()}
    letter = submit_letter(
        channel="portal",
        subject=SUBJECT,
        content="上个月在人社局窗口申请补办社保卡，说两周寄到，到现在还没收到。",
        name="王女士",
        phone="13912340416",
    )
    rsj = Department.objects.get(name="县人力资源和社会保障局")
    letter.refresh_from_db()
    if letter.status == "received":  # the router may have dispatched it with confidence
        lc.dispatch_letter(users["dispatcher"], letter, department=rsj)
    letter.refresh_from_db()
    assert letter.department == rsj, letter.department
    lc.accept_letter(users["handler"], letter)
    lc.draft_reply(users["handler"], letter, body="您的社保卡已制卡，将于三日内寄出。", submit=True)
    lc.review_reply(users["rsj_reviewer"], letter, approve=True)
    return letter.tracking_code, letter.pk


def test_a_citizen_rates_a_reply_dissatisfied_and_the_department_calls_back(site):
    url = site.url
    with site.db():
        code, pk = _replied_letter()

    # --- the citizen, on the phone, rates the reply 不满意 -------------------------------------
    citizen = site.citizen()
    citizen.goto(url + "/letters/track/")
    citizen.fill("input[name=code]", code)
    citizen.fill("input[name=last4]", "0416")
    citizen.get_by_role("button", name="查询").click()
    expect(citizen.locator("#letter-status")).to_have_text("已答复")
    levels = citizen.locator(".rate-levels label").all_inner_texts()
    assert [t.strip() for t in levels] == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    citizen.get_by_label("不满意", exact=True).check()
    citizen.get_by_role("button", name="提交评价").click()
    expect(citizen.locator(".rate-err")).to_contain_text("请简单说明不满意的原因")
    site.shot(citizen, "citizen-asked-for-a-reason")
    citizen.get_by_label("意见建议").fill("答复说三日内寄出，已经过了一周还没收到")
    citizen.get_by_role("button", name="提交评价").click()
    expect(citizen.locator("#letter-status")).to_have_text("不满意待督办")
    mine = citizen.locator("#my-rating")
    expect(mine).to_contain_text("您的评价：不满意")
    expect(mine).to_contain_text("县人力资源和社会保障局将在")
    due_text = mine.locator(".deadline").inner_text()
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 375
    site.shot(citizen, "citizen-rated-dissatisfied")
    with site.db():
        from django.utils import timezone

        from govhub.core import workdays
        from govhub.ratings.models import Rating

        rating = Rating.objects.select_related("callback").get(target_type="letter", target_id=pk)
        due = rating.callback.due_date
        assert workdays.working_days_between(timezone.localdate(rating.created_at), due) == 15
    assert due_text == f"{due.year}年{due.month}月{due.day}日"

    # --- the handler of 人社局 finds it in 待办 and closes it ---------------------------------
    handler = site.login("handler")
    panel = handler.locator("#ratings-todo")
    row = panel.locator("tr", has_text=code)
    expect(row).to_contain_text("不满意")
    expect(row).to_contain_text(due_text)
    site.shot(handler, "handler-dashboard-todo")
    row.get_by_role("link").click()
    expect(handler.locator("main")).to_contain_text("已经过了一周还没收到")
    expect(handler.locator("#callback-due")).to_contain_text(due_text)
    handler.get_by_label("回访及整改情况").fill("已电话回访王女士，社保卡已加急寄出并提供快递单号")
    handler.get_by_role("button", name="办结").click()
    expect(handler.locator("body")).to_contain_text("已办结")
    handler.goto(url + "/admin/")
    expect(handler.locator("#ratings-todo")).not_to_contain_text(code)
    site.shot(handler, "handler-todo-cleared")

    # --- a department that did not answer does not see it -------------------------------------
    other = site.login("zjj_handler")
    expect(other.locator("body")).not_to_contain_text(code)

    # --- the citizen's page says it was put right -------------------------------------------
    citizen.reload()
    expect(citizen.locator("#my-rating")).to_contain_text("办结")
    site.shot(citizen, "citizen-sees-callback-done")

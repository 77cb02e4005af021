"""Personal data typed into a letter, as each person sees it: the citizen writes an ID number, a
bank card and a phone into the body on the phone; the dispatcher (信访局, who may see personal
data) reads it in full and dispatches it to 人社局; 人社局's reply reviewer, who handles the
letter's reply but has no right to personal data, reads the same body masked — in the queue, on
the letter page and in the page's title."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from govhub.core.pii import id_check_digit_ok, luhn_ok

PHONE = "13765432109"
ID_NUMBER = next(
    "11010519850512301" + c for c in "0123456789X" if id_check_digit_ok("11010519850512301" + c)
)
CARD = next("621700123456789" + d for d in "0123456789" if luhn_ok("621700123456789" + d))
SUBJECT = f"拖欠工资请回电{PHONE}"
CONTENT = (
    f"我在县城工地干了三个月没拿到工资。我的身份证号是{ID_NUMBER}，工资卡号{CARD}，请帮忙追讨。"
)


def test_reviewer_without_the_right_reads_the_letter_masked(site):
    url = site.url
    citizen = site.citizen()
    citizen.goto(url + "/letters/write/")
    citizen.fill("#id_subject", SUBJECT)
    citizen.fill("#id_content", CONTENT)
    citizen.fill("#id_name", "赵先生")
    citizen.fill("#id_phone", PHONE)
    citizen.click("#submit-letter")
    code = citizen.locator("#tracking-code").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code), code
    site.shot(citizen, "citizen-wrote-personal-data")

    # the dispatcher may see personal data: the letter as it was written
    dispatcher = site.login("dispatcher")
    # the queue's search reads the redacted copy of the (encrypted) subject
    dispatcher.goto(f"{url}/admin/letters/?tab=all&q=拖欠工资请回电")
    dispatcher.get_by_role("link", name="拖欠工资请回电137****2109").first.click()
    body = dispatcher.locator("h2:has-text('来信内容') + div")
    expect(body).to_contain_text(ID_NUMBER)
    expect(body).to_contain_text(CARD)
    site.shot(dispatcher, "dispatcher-reads-in-full")
    if dispatcher.locator("#letter-status").inner_text() == "待分办":  # else the router did
        dispatcher.select_option("#dispatch-dept", label="县人力资源和社会保障局")
        dispatcher.get_by_role("button", name="分办", exact=True).click()
        expect(dispatcher.locator("#letter-status")).to_have_text("待签收")
    with site.db():
        from govhub.letters.models import Letter

        letter = Letter.objects.get(tracking_code=code)
        assert letter.department.code == "rsj", letter.department

    # 人社局's reply reviewer has no right to personal data: everything masked
    reviewer = site.login("rsj_reviewer")
    reviewer.goto(f"{url}/admin/letters/?tab=all&q=拖欠工资请回电")
    link = reviewer.get_by_role("link", name="拖欠工资请回电137****2109")
    expect(link).to_be_visible()
    link.first.click()
    body = reviewer.locator("h2:has-text('来信内容') + div")
    expect(body).to_contain_text(f"身份证号是{ID_NUMBER[:3]}{'*' * 11}{ID_NUMBER[-4:]}")
    expect(body).to_contain_text(f"工资卡号{CARD[:4]}****{CARD[-4:]}")
    text = reviewer.locator("body").inner_text()
    for secret in (PHONE, ID_NUMBER, CARD):
        assert secret not in text and secret not in reviewer.content()
    assert "137****2109" in text  # the phone, masked, in the title and the writer's line
    site.shot(reviewer, "reviewer-reads-masked")

"""Participation walked by the people who own each step, on their own logins; citizens on a
phone (375 px): the editor publishes a draft, a citizen comments on one paragraph, the
moderator approves, commenting closes, the drafting department marks adoption and publishes the
report the citizen then reads."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect

WIDE_JS = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


def _no_overflow(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page is {width}px wide on a 375px phone: {page.evaluate(WIDE_JS)}"


def test_consultation_from_draft_to_adoption_report(site):
    # the editor publishes a draft with its period
    editor = site.login("editor")
    editor.goto(site.url + "/admin/participation/")
    editor.click("text=新建征求意见稿")
    editor.fill("#f-title", "示范县城区共享单车停放管理规定（征求意见稿）")
    editor.select_option("#f-dept", label="县城市管理综合执法局")
    editor.fill("#f-summary", "为规范共享单车停放，现公开征求意见。")
    editor.fill(
        "#f-body",
        "第一条 共享单车应停放在施划的停放区内。\n"
        "第二条 运营企业应在接到通知后2小时内清理乱停车辆。\n"
        "第三条 本规定自印发之日起施行。",
    )
    editor.click("text=保存草稿")
    editor.click("text=发布，开始征求意见")
    assert "征求意见中" in editor.inner_text("#c-phase")
    site.shot(editor, "editor-published")
    with site.db():
        from govhub.participation.models import Consultation

        c = Consultation.objects.get(title__startswith="示范县城区共享单车")
    assert c.closes_at - c.opens_at == dt.timedelta(days=30)

    # a citizen on a phone finds it from 互动交流, selects a passage and comments on it
    citizen = site.citizen()
    citizen.goto(site.url + "/participation/")
    citizen.click("text=示范县城区共享单车停放管理规定（征求意见稿）")
    assert "意见采纳情况反馈报告将于" in citizen.inner_text("#report-due")
    _no_overflow(citizen)
    citizen.evaluate(
        """() => {
        const el = document.querySelector('#p2');
        const text = [...el.childNodes].find(n => n.nodeType === 3 && n.textContent.trim());
        const r = document.createRange();
        r.setStart(text, 15); r.setEnd(text, 19);
        const s = window.getSelection(); s.removeAllRanges(); s.addRange(r);
    }"""
    )
    citizen.click("#quote-btn")
    assert citizen.input_value("#id_paragraph") == str(c.paragraphs.get(number=2).pk)
    assert citizen.input_value("#id_quote") == "2小时内"
    citizen.fill("#id_text", "建议把2小时缩短为1小时，学校门口早晚高峰尤其要及时清理。")
    citizen.fill("#id_nickname", "南关村 王先生")
    site.shot(citizen, "citizen-comment-on-paragraph")
    citizen.click("text=提交意见")
    body = citizen.inner_text("body")
    assert "您的意见已提交，审核通过后公开显示" in body and "待审核" in body
    site.shot(citizen, "citizen-submitted")

    # the moderator (reviewer) lets it show
    reviewer = site.login("reviewer")
    reviewer.goto(site.url + "/admin/participation/moderation/")
    card = reviewer.locator(".help-block", has_text="建议把2小时缩短为1小时")
    assert "内容检查：未发现问题" in card.inner_text()
    site.shot(reviewer, "moderation-queue")
    card.locator("button", has_text="通过").click()
    expect(reviewer.locator("body")).to_contain_text("已通过，内容已公开")

    citizen.reload()
    comments = citizen.inner_text("#comments")
    assert "建议把2小时缩短为1小时" in comments and "第2段" in comments and "2小时内" in comments

    # the period ends (a clock jump here); commenting closes by itself
    with site.db():
        from django.utils import timezone

        Consultation.objects.filter(pk=c.pk).update(closes_at=timezone.now())
    citizen.reload()
    assert "不再接收意见" in citizen.inner_text("#comment-form")

    # the drafting department (城管局) marks adoption and publishes the report
    handler = site.login("cgj_handler")
    handler.goto(site.url + f"/admin/participation/consultations/{c.pk}/")
    row = handler.locator("tr", has_text="建议把2小时缩短为1小时")
    row.locator("input[type=checkbox]").check()
    handler.select_option("#adoption", label="部分采纳")
    handler.fill("#reason", "清理时限修改为学校、医院周边1小时，其他区域2小时。")
    handler.click("#adoption-form button[type=submit]")
    expect(handler.locator("body")).to_contain_text("已标注 1 条意见的采纳情况")
    handler.fill("#report-text", "征求意见期间收到意见 1 条，部分采纳，规定第二条已据此修改。")
    site.shot(handler, "adoption-marked")
    handler.click("text=发布反馈报告")
    expect(handler.locator("body")).to_contain_text("反馈报告已在门户网站发布")

    citizen.reload()
    report = citizen.inner_text("#report")
    assert "部分采纳 1 条" in report and "规定第二条已据此修改" in report
    assert "清理时限修改为学校、医院周边1小时" in citizen.inner_text("#comments")
    _no_overflow(citizen)
    site.shot(citizen, "citizen-reads-report")


def test_board_post_moderated_answered_and_turned_into_a_letter(site):
    # a citizen posts on the board from a phone
    citizen = site.citizen()
    citizen.goto(site.url + "/participation/")
    citizen.click("nav.sub >> text=留言板")
    expect(citizen.locator("body")).to_contain_text(
        "城关二小课后服务能否延长到六点"
    )  # demo: answered post
    citizen.click("text=我要留言")
    citizen.click("text=提交留言")  # empty: every error at once
    body = citizen.inner_text("body")
    assert "请选择栏目" in body and "请填写标题" in body and "请填写意见内容" in body
    citizen.select_option("#id_column", label="社保就业")
    citizen.fill("#id_title", "失业保险金领取期间能否参加职业培训？")
    citizen.fill(
        "#id_text", "我上个月失业，正在领取失业保险金，想参加县里的电工培训，会不会影响领取？"
    )
    citizen.fill("#id_nickname", "城关 小赵")
    citizen.fill("#id_phone", "13800001111")
    _no_overflow(citizen)
    site.shot(citizen, "citizen-writes-post")
    citizen.click("text=提交留言")
    mine = citizen.inner_text("#mine")
    assert "失业保险金领取期间能否参加职业培训" in mine and "待审核" in mine
    site.shot(citizen, "citizen-post-waiting")

    # the moderator approves it for the 人社局 to answer
    reviewer = site.login("reviewer")
    reviewer.goto(site.url + "/admin/participation/moderation/")
    card = reviewer.locator(".help-block", has_text="失业保险金领取期间能否参加职业培训")
    card.locator("select").select_option(label="县人力资源和社会保障局")
    card.locator("button", has_text="通过").click()
    expect(reviewer.locator("body")).to_contain_text("已通过")

    # the 人社局 handler answers officially and turns it into a letter for follow-up
    handler = site.login("handler")
    handler.goto(site.url + "/admin/participation/board/")
    assert "县人力资源和社会保障局" in handler.inner_text("#unanswered")
    handler.click("text=失业保险金领取期间能否参加职业培训？")
    handler.fill(
        "#answer-text",
        "您好！领取失业保险金期间参加职业培训不影响领取，培训合格的还可申领职业培训补贴。"
        "请到县公共就业服务中心报名。",
    )
    handler.click("text=发布答复")
    expect(handler.locator("body")).to_contain_text("答复已发布")
    handler.click("button:has-text('转为信件')")
    expect(handler.locator("body")).to_contain_text("已转为领导信箱来信（查询码")
    site.shot(handler, "handler-answered")

    citizen.goto(site.url + "/participation/board/")
    citizen.click("#mine >> text=失业保险金领取期间能否参加职业培训？")
    text = citizen.inner_text("body")
    assert "县人力资源和社会保障局" in text and "官方答复" in text and "不影响领取" in text
    assert "13800001111" not in text
    _no_overflow(citizen)
    site.shot(citizen, "citizen-reads-answer")


def test_survey_answered_once_by_a_phone_proved_by_sms(site):
    from govhub.channels import sms

    def code_sent_to(phone: str) -> str:
        import re

        texts = [t for p, t in sms.gateway().outbox if p == phone]
        return re.search(r"验证码是 (\d{6})", texts[-1]).group(1)

    citizen = site.citizen()
    citizen.goto(site.url + "/participation/")
    citizen.click("text=示范县政府网站和政务新媒体使用情况调查")
    _no_overflow(citizen)
    citizen.fill("#id_phone", "13800002222")
    citizen.click("text=获取验证码")
    expect(citizen.locator("body")).to_contain_text("验证码已发送")
    citizen.fill("#id_code", code_sent_to("13800002222"))
    citizen.click("button:text-is('验证')")
    expect(citizen.locator("body")).to_contain_text("已验证手机号 138****2222")
    form = citizen.locator("#survey-form")
    form.locator("label", has_text="政务微信公众号").click()
    form.locator("label", has_text="公积金查询").click()
    form.locator("label", has_text="办事预约").click()
    fieldsets = form.locator("fieldset")
    fieldsets.nth(2).locator("label", has_text="4").click()
    citizen.click("text=提交问卷")  # one scale left unanswered: told beside it, ticks kept
    expect(citizen.locator("body")).to_contain_text("请回答这道题")
    assert citizen.locator("#survey-form input:checked").count() == 4
    citizen.locator("#survey-form fieldset").nth(3).locator("label", has_text="5").click()
    citizen.locator("#survey-form textarea").fill("希望在微信里能直接预约不动产登记。")
    site.shot(citizen, "citizen-answers-survey")
    citizen.click("text=提交问卷")
    body = citizen.inner_text("body")
    assert "提交成功，感谢您参与本次调查" in body and "共 37 人参加" in body
    _no_overflow(citizen)
    site.shot(citizen, "citizen-sees-results")

    # the same phone from another browser is refused
    again = site.citizen()
    again.goto(citizen.url.replace("results/", ""))
    with site.db():
        from govhub.participation.models import SmsCode

        SmsCode.objects.all().delete()  # past the one-minute resend wait
    again.fill("#id_phone", "13800002222")
    again.click("text=获取验证码")
    again.fill("#id_code", code_sent_to("13800002222"))
    again.click("button:text-is('验证')")
    expect(again.locator("body")).to_contain_text("已经参加过本次调查，每人只能提交一次")

    # the editor who owns it sees the answers and exports them
    editor = site.login("editor")
    editor.goto(site.url + "/admin/participation/surveys/")
    editor.click("text=示范县政府网站和政务新媒体使用情况调查")
    expect(editor.locator("body")).to_contain_text("37 份答卷")
    expect(editor.locator("body")).to_contain_text("希望在微信里能直接预约不动产登记")
    with editor.expect_download() as dl:
        editor.click("text=导出 CSV")
    assert dl.value.suggested_filename.endswith(".csv")
    site.shot(editor, "editor-survey-results")


def test_online_interview_asked_on_a_phone_moderated_and_answered_live(site, tmp_path):
    """在线访谈: the host starts the announced session, a citizen asks from a phone, the
    moderator approves, the official answers with a picture, and the citizen's open page shows
    the answer without reloading; afterwards the transcript is published."""
    from PIL import Image

    title = "城区停车难怎么破？城管局长在线答网友问"
    # the host (融媒体中心's editor) starts the announced interview
    editor = site.login("editor")
    editor.goto(site.url + "/admin/participation/")
    editor.click("text=在线访谈")
    editor.click(f"text={title}")
    editor.click("button:has-text('开始访谈')")
    expect(editor.locator("body")).to_contain_text("访谈已开始")

    # a citizen on a phone finds it and asks a question
    citizen = site.citizen()
    citizen.goto(site.url + "/participation/")
    citizen.click("nav.sub >> text=在线访谈")
    citizen.click(f"text={title}")
    assert citizen.inner_text("#iv-status") == "直播中"
    assert "老城区晚上停车特别难" not in citizen.inner_text("#live")  # approved, not answered
    citizen.fill("#id_text", "医院门口总是堵车，能不能设置即停即走车位？")
    citizen.fill("#id_nickname", "西街 李女士")
    _no_overflow(citizen)
    site.shot(citizen, "citizen-asks")
    citizen.click("text=提交问题")
    mine = citizen.inner_text("#mine")
    assert "医院门口总是堵车" in mine and "待审核" in mine
    citizen.evaluate("window.__stayed = true")  # gone if the page reloads
    site.shot(citizen, "citizen-question-waiting")

    # the moderator approves it from the moderation queue
    reviewer = site.login("reviewer")
    reviewer.goto(site.url + "/admin/participation/moderation/")
    card = reviewer.locator(".help-block", has_text="医院门口总是堵车")
    assert "内容检查：未发现问题" in card.inner_text()
    card.locator("button", has_text="通过").click()
    expect(reviewer.locator("body")).to_contain_text("已通过")

    # the official (城管局) answers it, with a picture
    picture = tmp_path / "parking-map.png"
    Image.new("RGB", (320, 200), (31, 95, 168)).save(picture)
    official = site.login("cgj_handler")
    official.goto(site.url + "/admin/participation/interviews/")
    official.click(f"text={title}")
    box = official.locator(".help-block", has_text="医院门口总是堵车")
    box.locator("textarea").fill("县人民医院东侧将设即停即走车位 20 个，限停 15 分钟，位置见图。")
    box.locator("input[type=file]").set_input_files(str(picture))
    site.shot(official, "official-answers")
    box.locator("button", has_text="发布答复").click()
    expect(official.locator("body")).to_contain_text("答复已发布")

    # the citizen's page shows it without reloading
    entry = citizen.locator("#live li", has_text="医院门口总是堵车")
    expect(entry).to_contain_text("即停即走车位 20 个", timeout=20000)
    assert citizen.evaluate("window.__stayed") is True
    assert entry.locator("img").count() == 1
    # the picture loads (it arrives with the poll; its bytes come a moment later)
    citizen.wait_for_function(
        "() => { const i = document.querySelector('#live li:last-child img');"
        " return i && i.complete && i.naturalWidth > 0; }",
        timeout=10000,
    )
    _no_overflow(citizen)
    site.shot(citizen, "citizen-sees-answer-live")

    # the host ends the session and publishes the transcript; the citizen reads it
    editor.reload()
    editor.click("button:has-text('结束访谈')")
    expect(editor.locator("body")).to_contain_text("访谈已结束")
    editor.fill("#note", "本次访谈共答复网友提问 1 个。")
    editor.click("button:has-text('发布文字实录')")
    expect(editor.locator("body")).to_contain_text("文字实录已在门户网站发布")
    citizen.reload()
    assert "文字实录" in citizen.inner_text("h2#live-h")
    assert "即停即走车位 20 个" in citizen.inner_text("#live")
    assert citizen.locator("#id_text").count() == 0
    site.shot(citizen, "citizen-reads-transcript")


def test_towns_survey_with_ranking_matrix_and_a_conditional_question_on_a_phone(site):
    """A 城关镇 resident answers the renewal survey on a phone: the conditional question shows
    only after its option is chosen; ranking by select, matrix by radio buttons; the editor
    exports the answers to Excel."""
    import re

    from govhub.channels import sms

    citizen = site.citizen()
    citizen.goto(site.url + "/participation/surveys/")
    citizen.click("text=城关镇老旧小区改造意愿调查")
    citizen.fill("#id_phone", "13800003333")
    citizen.click("text=获取验证码")
    texts = [t for p, t in sms.gateway().outbox if p == "13800003333"]
    citizen.fill("#id_code", re.search(r"验证码是 (\d{6})", texts[-1]).group(1))
    citizen.click("button:text-is('验证')")
    form = citizen.locator("#survey-form")
    lift = form.locator("fieldset", has_text="是否愿意")
    expect(lift).to_be_hidden()  # asked only of those in pre-2000 compounds
    form.locator("label", has_text="2000年以前").click()
    expect(lift).to_be_visible()
    citizen.select_option("#id_town", label="城关镇")
    ranking = form.locator("fieldset", has_text="迫切程度")
    for n, label in enumerate(["加装电梯", "增加停车位", "雨污分流", "外墙保温"], 1):
        ranking.locator(".rank", has_text=label).locator("select").select_option(str(n))
    for row in ["道路和照明", "绿化", "物业服务"]:
        form.locator(f"input[aria-label='{row}：一般']").check()
    lift.locator("label", has_text="看分摊多少").click()
    _no_overflow(citizen)
    site.shot(citizen, "citizen-answers-ranking-matrix")
    citizen.click("text=提交问卷")
    body = citizen.inner_text("body")
    assert "提交成功" in body and "共 13 人参加" in body
    assert "加装电梯（平均第" in body and "物业服务" in body
    _no_overflow(citizen)
    site.shot(citizen, "citizen-sees-ranking-results")

    editor = site.login("editor")
    editor.goto(site.url + "/admin/participation/surveys/")
    editor.click("text=城关镇老旧小区改造意愿调查")
    expect(editor.locator("body")).to_contain_text("调查对象：指定乡镇居民（城关镇）")
    with editor.expect_download() as dl:
        editor.click("text=导出 Excel")
    assert dl.value.suggested_filename.endswith(".xlsx")
    import io

    from openpyxl import load_workbook

    with open(dl.value.path(), "rb") as fh:  # the download has no extension for openpyxl
        book = load_workbook(io.BytesIO(fh.read()), read_only=True)
    rows = list(book["答卷"].iter_rows(values_only=True))
    assert len(rows) == 14 and rows[-1][4] == "城关镇"
    assert rows[-1][rows[0].index("2. 请按迫切程度排列小区改造项目（1 为最迫切）")] == (
        "1.加装电梯；2.增加停车位；3.雨污分流；4.外墙保温"
    )


def test_a_refused_comment_is_told_to_its_author_by_sms_and_never_shown_to_the_public(site):
    """A citizen comments from a phone leaving a number; the moderator (reviewer) refuses it
    with a reason; the notice goes out through the outbox to the SMS gateway (the fake HTTP
    gateway, the county's real path), the author reads the reason on their own page, and the
    public sees neither the comment nor the reason."""
    import os

    from govhub.channels import sms
    from tests.fakes.sms_api import FakeSmsApi

    title = "示范县城区公共停车管理办法（征求意见稿）"  # demo: open for comments
    advert = "本人在东街小区有固定车位长期出租，月租价格优惠，有意者请到小区门卫室联系。"
    reason = "内容为车位出租广告，与本办法无关"
    phone = "13800004444"
    env = {
        "GOVHUB_SMS_GATEWAY": "govhub.channels.sms.HttpSmsGateway",
        "GOVHUB_SMS_KEY": "sms-key",
    }
    saved = {k: os.environ.get(k) for k in [*env, "GOVHUB_SMS_URL"]}
    with FakeSmsApi() as gateway:
        os.environ.update(env, GOVHUB_SMS_URL=gateway.url)
        sms.gateway.cache_clear()
        try:
            # the citizen, on a phone, comments on the open consultation and leaves a number
            citizen = site.citizen()
            citizen.goto(site.url + "/participation/")
            citizen.click(f"text={title}")
            citizen.fill("#id_text", advert)
            citizen.fill("#id_nickname", "东街 陈先生")
            citizen.fill("#id_phone", phone)
            _no_overflow(citizen)
            site.shot(citizen, "citizen-comments-with-phone")
            citizen.click("text=提交意见")
            mine = citizen.locator("#mine")
            expect(mine).to_contain_text("待审核")
            expect(mine).to_contain_text(advert[:20])

            # the moderator (reviewer) refuses it; a refusal without a reason is not taken
            reviewer = site.login("reviewer")
            reviewer.goto(site.url + "/admin/participation/moderation/")
            card = reviewer.locator(".help-block", has_text=advert[:20])
            expect(card).to_contain_text(title)
            expect(card).to_contain_text("东街 陈先生")
            assert phone not in card.inner_text()  # the number is for the notice only
            card.locator("button", has_text="不予公开").click()
            expect(reviewer.locator("body")).to_contain_text("请填写不予公开的理由（会告知提交人）")
            assert gateway.sent == []
            card = reviewer.locator(".help-block", has_text=advert[:20])
            card.get_by_label("不予公开的理由").fill(reason)
            site.shot(reviewer, "moderator-refuses-with-reason")
            card.locator("button", has_text="不予公开").click()
            expect(reviewer.locator("body")).to_contain_text("已退回，理由会告知提交人。")
            expect(reviewer.locator(".help-block", has_text=advert[:20])).to_have_count(0)
            site.shot(reviewer, "moderation-queue-after-refusal")

            # the notice was queued in the outbox and delivered to the author's phone
            with site.db():
                from govhub.channels.models import OutboundMessage
                from govhub.participation.models import Comment

                comment = Comment.objects.get(text=advert)
                assert comment.status == "rejected" and comment.reject_reason == reason
                notice = OutboundMessage.objects.get(key=f"moderation:comment:{comment.pk}:sms")
                assert (notice.platform, notice.recipient) == ("sms", phone)
                assert notice.state == "sent", notice.state
            told = f"【示范县人民政府】您对《{title}》提出的意见未通过审核，理由：{reason}"
            assert [(p, t) for p, t, _ref in gateway.sent] == [(phone, told)], gateway.sent
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
            sms.gateway.cache_clear()

    # the author, on the same phone, reads the reason beside their own comment only
    citizen.reload()
    mine = citizen.locator("#mine").inner_text()
    assert "未通过审核" in mine and f"理由：{reason}" in mine, mine
    comments = citizen.inner_text("#comments")
    assert advert[:20] not in comments and reason not in comments
    _no_overflow(citizen)
    site.shot(citizen, "author-reads-refusal")

    # the public: neither the comment nor the moderator's reason anywhere on the page
    public = site.citizen()
    public.goto(site.url + "/participation/")
    public.click(f"text={title}")
    body = public.inner_text("body")
    assert advert[:20] not in body and reason not in body and "未通过审核" not in body
    assert "东街 陈先生" not in body and phone not in body
    assert public.locator("#mine").count() == 0
    site.shot(public, "public-page-without-refused-comment")

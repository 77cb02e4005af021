"""Consultations (征求意见): the editor publishes a draft for its period, citizens comment on the
whole draft or one paragraph (without JavaScript), the moderator lets comments show, commenting
closes by itself, staff mark adoption and the report appears on the draft's page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from govhub.api.auth import issue_token
from govhub.core.errors import FieldErrors
from govhub.participation import actions
from govhub.participation.models import Adoption, Comment, ConsultationStatus, Moderation

pytestmark = pytest.mark.django_db

BODY = "第一条 为规范城区停车秩序，制定本办法。\n第二条 首30分钟免费。\n\n第三条 本办法自公布之日起施行。"


def _published(county, **kw):
    c = actions.create_consultation(
        county.user("editor"),
        {
            "title": "城区停车管理办法（征求意见稿）",
            "body": BODY,
            "department": county.dept("cgj"),
            **kw,
        },
    )
    return actions.publish_consultation(county.user("editor"), c, opens_at=kw.get("opens_at"))


def _url(c):
    return f"/participation/consultations/{c.pk}/"


def test_editor_publishes_a_draft_for_the_default_thirty_days_and_the_report_date_shows(
    county, client
):
    c = _published(county)
    assert c.status == ConsultationStatus.PUBLISHED
    assert [p.number for p in c.paragraphs.all()] == [1, 2, 3]
    assert c.closes_at - c.opens_at == dt.timedelta(days=30)
    html = client.get(_url(c)).content.decode()
    assert "征求意见中" in html
    assert f"{c.report_due.year}年{c.report_due.month}月{c.report_due.day}日 前发布" in html
    assert "对本段提意见" in html


def test_the_period_is_configurable(county):
    c = _published(county, period_days=45)
    assert c.closes_at - c.opens_at == dt.timedelta(days=45)


def test_a_draft_is_not_public_and_only_editors_create(county, client):
    c = actions.create_consultation(
        county.user("editor"),
        {"title": "草稿", "body": "正文一段", "department": county.dept("cgj")},
    )
    assert client.get(_url(c)).status_code == 404
    with pytest.raises(PermissionDenied):
        actions.publish_consultation(county.user("reviewer"), c)
    with pytest.raises(PermissionDenied):
        actions.create_consultation(
            county.user("handler"), {"title": "x", "body": "y", "department": county.dept("cgj")}
        )


def test_bad_draft_input_names_every_field(county):
    with pytest.raises(FieldErrors) as exc:
        actions.create_consultation(
            county.user("editor"), {"title": "", "body": " ", "period_days": "0"}
        )
    assert set(exc.value.errors) == {"title", "body", "period_days", "department"}


def test_citizen_comments_on_the_whole_draft_without_javascript_and_it_shows_after_moderation(
    county, client
):
    c = _published(county)
    r = client.post(_url(c), {"text": "建议把收费时段公示在泊位旁边。", "nickname": "老张"})
    assert r.status_code == 302
    page = client.get(r["Location"]).content.decode()
    assert "您的意见已提交，审核通过后公开显示" in page
    assert "待审核" in page  # the author sees their own comment waiting
    comment = Comment.objects.get()
    assert comment.status == Moderation.PENDING and comment.paragraph is None
    other = client.__class__()
    assert "建议把收费时段公示在泊位旁边" not in other.get(_url(c)).content.decode()
    actions.moderate_comment(county.user("reviewer"), comment, approve=True)
    html = other.get(_url(c)).content.decode()
    assert "建议把收费时段公示在泊位旁边" in html and "整体意见" in html


def test_citizen_comments_on_one_paragraph_with_a_quote(county, client):
    c = _published(county)
    p2 = c.paragraphs.get(number=2)
    assert f'value="{p2.pk}" selected' in client.get(_url(c) + f"?para={p2.pk}").content.decode()
    client.post(_url(c), {"text": "建议首1小时免费。", "paragraph": p2.pk, "quote": "首30分钟免费"})
    comment = Comment.objects.get()
    assert comment.paragraph == p2 and comment.quote == "首30分钟免费"
    actions.moderate_comment(county.user("reviewer"), comment, approve=True)
    html = client.get(_url(c) + f"?para={p2.pk}").content.decode()
    assert "本段意见（1）" in html and "第2段" in html and "首30分钟免费</blockquote>" in html


def test_bad_comment_input_is_refused_beside_the_field_and_kept(county, client):
    c = _published(county)
    r = client.post(_url(c), {"text": "短", "phone": "123", "nickname": "张"})
    html = r.content.decode()
    assert r.status_code == 400
    assert "请填写意见内容（至少 5 个字）" in html and "请填写 11 位手机号" in html
    assert 'value="张"' in html
    r = client.post(_url(c), {"text": "我的电话是13912345678，请联系我解决停车问题。"})
    assert r.status_code == 400
    html = r.content.decode()
    assert "请不要在公开内容中填写手机号" in html and "请联系我解决停车问题" in html
    assert not Comment.objects.exists()


def test_html_and_scripts_stay_text(county, client):
    c = _published(county)
    client.post(
        _url(c), {"text": "<script>alert(1)</script>建议增加停车位", "nickname": "<b>x</b>"}
    )
    actions.moderate_comment(county.user("reviewer"), Comment.objects.get(), approve=True)
    html = client.get(_url(c)).content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html


def test_commenting_closes_by_itself_with_a_clear_message(county, client):
    c = _published(county, opens_at=timezone.now() - dt.timedelta(days=31))
    html = client.get(_url(c)).content.decode()
    assert "不再接收意见" in html and 'name="text"' not in html
    r = client.post(_url(c), {"text": "截止后才看到，建议增加停车位。"})
    assert r.status_code == 409
    assert "截止，不再接收意见" in r.content.decode()
    assert not Comment.objects.exists()


def test_rejected_comment_shows_its_reason_to_the_author_only(county, client):
    c = _published(county)
    client.post(_url(c), {"text": "这个办法写得一塌糊涂，全是废话废话废话。"})
    comment = Comment.objects.get()
    with pytest.raises(FieldErrors):
        actions.moderate_comment(county.user("reviewer"), comment, approve=False)
    actions.moderate_comment(
        county.user("reviewer"), comment, approve=False, reason="未提出具体意见"
    )
    html = client.get(_url(c)).content.decode()
    assert "未通过审核" in html and "未提出具体意见" in html
    assert "未提出具体意见" not in client.__class__().get(_url(c)).content.decode()


def test_only_reviewers_moderate(county):
    c = _published(county)
    comment = actions.submit_comment(c, text="建议延长免费时段到一小时。")
    with pytest.raises(PermissionDenied):
        actions.moderate_comment(county.user("editor"), comment, approve=True)
    assert Comment.objects.get().status == Moderation.PENDING


def test_agreeing_counts_once_per_visitor(county, client):
    c = _published(county)
    comment = actions.submit_comment(c, text="建议延长免费时段到一小时。")
    actions.moderate_comment(county.user("reviewer"), comment, approve=True)
    url = f"/participation/comments/{comment.pk}/agree/"
    assert client.get(url).status_code == 405  # a GET never writes
    client.post(url)
    client.post(url)
    client.__class__().post(url)
    comment.refresh_from_db()
    assert comment.agree_count == 2


def test_adoption_marked_by_the_drafting_department_and_the_report_published(county, client):
    c = _published(county)
    a = actions.submit_comment(
        c, text="建议首1小时免费。", paragraph_id=c.paragraphs.get(number=2).pk
    )
    b = actions.submit_comment(c, text="首小时免费更方便老人买菜。", paragraph_id=a.paragraph_id)
    d = actions.submit_comment(c, text="建议规定收费公示。")
    for m in (a, b, d):
        actions.moderate_comment(county.user("reviewer"), m, approve=True)
    handler = county.user("cgj_handler")
    # another department's handler may not mark
    with pytest.raises(PermissionDenied):
        actions.mark_adoption(county.user("handler"), [a], adoption=Adoption.ADOPTED, reason="x")
    with pytest.raises(FieldErrors) as exc:
        actions.mark_adoption(handler, [a], adoption="", reason="")
    assert set(exc.value.errors) == {"adoption", "reason"}
    actions.mark_adoption(
        handler, [a, b], adoption=Adoption.PARTLY, reason="首1小时免费改为首45分钟免费"
    )
    with pytest.raises(actions.ParticipationError, match="征求意见期结束后"):
        actions.publish_report(handler, c, text="说明")
    c.closes_at = timezone.now() - dt.timedelta(minutes=1)
    c.save()
    with pytest.raises(actions.ParticipationError, match="还有 1 条意见未标注"):
        actions.publish_report(handler, c, text="说明")
    actions.mark_adoption(handler, [d], adoption=Adoption.ADOPTED, reason="已增加第四条收费公示")
    actions.publish_report(handler, c, text="共收到意见 3 条，已逐条研究。")
    html = client.get(_url(c)).content.decode()
    assert "意见采纳情况反馈" in html
    assert "采纳 1 条、部分采纳 2 条、未采纳 0 条，采纳率 100%" in html
    assert "<td>第2段</td><td>0</td><td>2</td><td>0</td>" in html
    assert "首1小时免费改为首45分钟免费" in html


def test_draft_page_with_many_comments_is_paged_with_a_fixed_number_of_queries(county, client):
    c = _published(county)
    paras = list(c.paragraphs.all())
    now = timezone.now()
    Comment.objects.bulk_create(
        Comment(
            consultation=c,
            paragraph=paras[i % 3] if i % 4 else None,
            text=f"第{i}条意见：建议增加停车位。",
            status=Moderation.APPROVED,
            created_at=now - dt.timedelta(minutes=i),
        )
        for i in range(300)
    )
    client.get(_url(c))  # session, templates warmed
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(_url(c) + "?page=3")
    assert r.status_code == 200
    html = r.content.decode()
    assert "第 3/15 页" in html and html.count('class="card" id="comment-') == 20
    assert len(ctx.captured_queries) <= 8, [q["sql"] for q in ctx.captured_queries]


def test_api_reads_comments_and_staff_act_with_a_token(county, client):
    _, key = issue_token(user=county.user("editor"), name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    r = client.post(
        "/api/participation/staff/consultations",
        {"title": "接口发布的意见稿", "body": BODY, "department_id": county.dept("cgj").pk},
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 201, r.content
    cid = r.json()["id"]
    assert client.get(f"/api/participation/consultations/{cid}").status_code == 404
    r = client.post(f"/api/participation/staff/consultations/{cid}/publish", **auth)
    assert r.json()["is_open"] is True
    detail = client.get(f"/api/participation/consultations/{cid}").json()
    p1 = detail["paragraphs"][0]["id"]
    r = client.post(
        f"/api/participation/consultations/{cid}/comments",
        {"text": "建议写明停车收费的听证程序。", "paragraph_id": p1},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["status"] == "pending"
    r = client.post(
        f"/api/participation/staff/comments/{r.json()['id']}/moderate",
        {"approve": True},
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 403  # the editor is not a moderator
    bad = client.post(
        f"/api/participation/consultations/{cid}/comments",
        {"text": "短"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "至少 5 个字" in bad.json()["details"]["text"]


def _closed_with_every_comment_marked(county):
    c = _published(county)
    m = actions.submit_comment(c, text="建议规定收费公示。")
    actions.moderate_comment(county.user("reviewer"), m, approve=True)
    actions.mark_adoption(
        county.user("cgj_handler"), [m], adoption=Adoption.ADOPTED, reason="已增加收费公示条款"
    )
    c.closes_at = timezone.now() - dt.timedelta(minutes=1)
    c.save()
    return c


def test_a_report_with_a_phone_number_is_refused_in_the_back_office_form(county, client):
    """The report is published as staff wrote it: a phone number in it is refused beside the
    field, with what was typed kept, and nothing is published."""
    c = _closed_with_every_comment_marked(county)
    client.force_login(county.user("cgj_handler"))
    typed = "共收到意见 1 条，已采纳。有疑问请联系经办人 13912345678。"
    r = client.post(f"/admin/participation/consultations/{c.pk}/act/report/", {"text": typed})
    assert r.status_code == 400
    html = r.content.decode()
    assert 'id="report-text-error"' in html
    assert "公开内容中不能有手机号、身份证号、银行卡号或详细住址等个人信息" in html
    assert typed in html  # kept in the field, to be corrected
    c.refresh_from_db()
    assert c.status == ConsultationStatus.PUBLISHED and c.report_text == ""

    fixed = "共收到意见 1 条，已采纳。有疑问请拨打 12345 热线。"
    r = client.post(f"/admin/participation/consultations/{c.pk}/act/report/", {"text": fixed})
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.status == ConsultationStatus.REPORTED and c.report_text == fixed


def test_a_report_with_an_id_number_is_refused_by_the_api_field_by_field(county, client):
    c = _closed_with_every_comment_marked(county)
    _, key = issue_token(user=county.user("cgj_handler"), name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    url = f"/api/participation/staff/consultations/{c.pk}/report"
    r = client.post(
        url,
        {"text": "张三（身份证号 110105198001011238）的意见已采纳。"},
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 400, r.content
    body = r.json()
    assert body["error"] == "invalid" and set(body["details"]) == {"text"}
    assert "个人信息" in body["details"]["text"]
    c.refresh_from_db()
    assert c.status == ConsultationStatus.PUBLISHED
    r = client.post(url, {"text": "意见已采纳。"}, content_type="application/json", **auth)
    assert r.status_code == 200 and r.json()["report"] is not None
    c.refresh_from_db()
    assert c.status == ConsultationStatus.REPORTED and c.report_text == "意见已采纳。"

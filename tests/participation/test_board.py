"""The message board (留言板): posts checked and pre-moderated (the reason shown to the author),
official answers in a department's name, a post turned into a letter with one click (contact
stays encrypted), abuse reports, and unanswered posts counted per department."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from govhub.api.auth import issue_token
from govhub.core.errors import FieldErrors
from govhub.letters.models import Letter
from govhub.participation import actions, queries
from govhub.participation.models import BoardColumn, Moderation, Post

pytestmark = pytest.mark.django_db


@pytest.fixture
def columns(county):
    return {
        "社保就业": BoardColumn.objects.create(name="社保就业", department=county.dept("rsj")),
        "教育": BoardColumn.objects.create(name="教育", department=county.dept("jyj")),
    }


def _post(columns, county, *, approve=True, **kw):
    p = actions.submit_post(
        columns["社保就业"],
        title=kw.get("title", "灵活就业怎么参保？"),
        text=kw.get("text", "我是网约车司机，想参加职工养老保险，需要什么材料？"),
        nickname="司机",
        phone=kw.get("phone", ""),
        now=kw.get("now"),
    )
    if approve:
        actions.moderate_post(county.user("reviewer"), p, approve=True)
    return p


def test_citizen_posts_on_the_board_and_sees_it_waiting_then_published(county, columns, client):
    r = client.post(
        "/participation/board/new/",
        {
            "column": columns["社保就业"].pk,
            "title": "灵活就业怎么参保？",
            "text": "我是网约车司机，想参加职工养老保险，需要什么材料？",
            "nickname": "司机",
            "phone": "13912345678",
        },
    )
    assert r.status_code == 302
    html = client.get(r["Location"]).content.decode()
    assert "留言已提交，审核通过后公开" in html and "待审核" in html
    p = Post.objects.get()
    assert p.department == county.dept("rsj") and p.status == Moderation.PENDING
    with connection.cursor() as cur:  # the phone is stored encrypted
        cur.execute("select phone from participation_post")
        assert "13912345678" not in cur.fetchone()[0]
    assert (
        "灵活就业怎么参保" not in client.__class__().get("/participation/board/").content.decode()
    )
    actions.moderate_post(county.user("reviewer"), p, approve=True)
    assert "灵活就业怎么参保" in client.__class__().get("/participation/board/").content.decode()


def test_every_input_error_at_once_and_nothing_lost(county, columns, client):
    r = client.post("/participation/board/new/", {"title": "", "text": "短", "phone": "12"})
    html = r.content.decode()
    assert r.status_code == 400
    for msg in ("请选择栏目", "请填写标题", "至少 5 个字", "11 位手机号"):
        assert msg in html
    r = client.post(
        "/participation/board/new/",
        {
            "column": columns["教育"].pk,
            "title": "学位问题",
            "text": "我的身份证号是110101199003074514，孩子上学问题",
        },
    )
    assert r.status_code == 400 and "请不要在公开内容中填写" in r.content.decode()
    assert "孩子上学问题" in r.content.decode()
    assert not Post.objects.exists()


def test_rejection_reason_is_shown_to_the_author(county, columns, client):
    client.post(
        "/participation/board/new/",
        {"column": columns["教育"].pk, "title": "广告", "text": "本店出售各类教辅资料，欢迎选购。"},
    )
    p = Post.objects.get()
    actions.moderate_post(county.user("reviewer"), p, approve=False, reason="商业广告，不予公开")
    html = client.get("/participation/board/").content.decode()
    assert "未通过审核" in html and "商业广告，不予公开" in html
    assert client.get(f"/participation/board/{p.pk}/").status_code == 404


def test_official_answer_in_the_departments_name_only_by_that_department(county, columns, client):
    p = _post(columns, county)
    with pytest.raises(PermissionDenied):
        actions.answer_post(county.user("jyj_handler"), p, text="不归我们管的答复内容。")
    with pytest.raises(PermissionDenied):
        actions.answer_post(county.user("reviewer"), p, text="审核人员不能代答。")
    actions.answer_post(county.user("handler"), p, text="请携带身份证到政务服务中心社保窗口办理。")
    html = client.get(f"/participation/board/{p.pk}/").content.decode()
    assert "县人力资源和社会保障局" in html and "官方答复" in html and "社保窗口办理" in html
    p.refresh_from_db()
    assert p.answered_at is not None


def test_post_becomes_a_letter_with_one_click_keeping_contact_encrypted(county, columns, client):
    p = _post(columns, county, phone="13912345678")
    client.force_login(county.user("handler"))
    r = client.post(f"/admin/participation/board/{p.pk}/act/letter/")
    assert r.status_code == 302
    html = client.get(r["Location"]).content.decode()
    assert "已转为领导信箱来信（查询码" in html
    p.refresh_from_db()
    letter = Letter.objects.get(pk=p.letter_id)
    assert letter.citizen.phone == "13912345678" and letter.subject == "灵活就业怎么参保？"
    client.post(f"/admin/participation/board/{p.pk}/act/letter/")  # a second click: one letter
    assert Letter.objects.count() == 1
    other = client.__class__()
    other.force_login(county.user("jyj_handler"))
    refused = other.post(f"/admin/participation/board/{p.pk}/act/letter/")
    assert refused.status_code == 302 and refused["Location"] == "/admin/"  # Wagtail's refusal


def test_abuse_reports_count_once_and_the_moderator_takes_down(county, columns, client):
    p = _post(columns, county)
    url = f"/participation/board/{p.pk}/"
    assert "请说明举报理由" in client.post(url, {"reason": ""}).content.decode()
    client.post(url, {"reason": "人身攻击"})
    client.post(url, {"reason": "人身攻击"})
    p.refresh_from_db()
    assert p.report_count == 1
    assert list(queries.reported_posts()) == [p]
    with pytest.raises(FieldErrors):
        actions.resolve_reports(county.user("reviewer"), p, remove=True)
    actions.resolve_reports(county.user("reviewer"), p, remove=True, reason="含有人身攻击内容")
    assert client.get(url).status_code == 404
    assert not queries.reported_posts().exists()


def test_unanswered_posts_counted_per_department_with_the_three_month_veto(county, columns):
    old = _post(columns, county, now=timezone.now() - dt.timedelta(days=100))
    _post(columns, county)
    answered = actions.submit_post(
        columns["教育"], title="校车", text="希望增加一条校车线路到杏花村。"
    )
    actions.moderate_post(county.user("reviewer"), answered, approve=True)
    actions.answer_post(county.user("jyj_handler"), answered, text="已安排调研，下学期开通。")
    rows = queries.unanswered_by_department()
    assert rows == [
        {
            "department_id": county.dept("rsj").pk,
            "department": "县人力资源和社会保障局",
            "unanswered": 2,
            "oldest_days": 100,
            "veto": True,
        }
    ]
    assert old.pk


def test_board_api_for_citizens_and_staff(county, columns, client):
    r = client.post(
        "/api/participation/board/posts",
        {
            "column_id": columns["教育"].pk,
            "title": "校车",
            "text": "希望增加一条校车线路到杏花村。",
        },
        content_type="application/json",
    )
    assert r.status_code == 201
    pid = r.json()["id"]
    _, rev = issue_token(user=county.user("reviewer"), name="r")
    _, jyj = issue_token(user=county.user("jyj_handler"), name="j")
    r = client.post(
        f"/api/participation/staff/posts/{pid}/moderate",
        {"approve": True},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {rev}",
    )
    assert r.json()["status"] == "approved"
    r = client.post(
        f"/api/participation/staff/posts/{pid}/answer",
        {"text": "已安排调研，下学期开通。"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {jyj}",
    )
    assert r.status_code == 200 and r.json()["answers"][0]["department"] == "县教育局"
    assert client.get("/api/participation/board/posts").json()[0]["answered"] is True


def test_supervisor_sees_the_figures_of_participation(county, columns, client):
    from govhub.participation import stats

    _post(columns, county)
    answered = _post(columns, county, title="第二条留言")
    actions.answer_post(county.user("handler"), answered, text="已答复，请到窗口办理。")
    f = stats.figures()
    assert f["posts"] == 2 and f["posts_answered"] == 1 and f["participations"] == 2
    assert f["unanswered_by_department"][0]["unanswered"] == 1
    client.force_login(county.user("supervisor"))
    html = client.get("/admin/participation/stats/").content.decode()
    assert "留言 / 已答复" in html and "<td>2 / 1</td>" in html and "县人力资源和社会保障局" in html


def test_the_administrator_keeps_the_boards_columns_in_the_back_office(county, client):
    """留言板栏目 under 设置: the administrator adds a column with its answering department and
    closes it later (never deleted, its posts keep their place); an editor may not."""
    from govhub.core.models import AuditRecord

    client.force_login(county.user("editor"))
    assert client.get("/admin/board_columns/new/").status_code in (302, 403)
    client.force_login(county.user("admin"))
    page = client.get("/admin/board_columns/new/")
    assert page.status_code == 200 and "默认答复单位" in page.content.decode()
    res = client.post(
        "/admin/board_columns/new/",
        {
            "name": "邻里互助专栏",
            "description": "道路、供水、住房",
            "department": county.dept("rsj").pk,
            "sort_order": 3,
            "is_active": "on",
        },
    )
    assert res.status_code == 302, res.content.decode()[:2000]
    column = BoardColumn.objects.get(name="邻里互助专栏")
    assert AuditRecord.objects.filter(action="participation_board_column_saved").count() == 1
    assert "邻里互助专栏" in client.get("/participation/board/new/").content.decode()
    res = client.post(
        f"/admin/board_columns/edit/{column.pk}/",
        {"name": "邻里互助专栏", "department": county.dept("rsj").pk, "sort_order": 3},
    )
    assert res.status_code == 302
    column.refresh_from_db()
    assert not column.is_active
    client.get("/admin/board_columns/")  # shows (and so clears) the back office's notice
    assert "邻里互助专栏" not in client.get("/participation/board/new/").content.decode()
    assert client.get(f"/admin/board_columns/delete/{column.pk}/").status_code in (302, 403)

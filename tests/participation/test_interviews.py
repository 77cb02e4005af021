"""Online interviews (在线访谈): announced, questions asked beforehand and live, checked and
pre-moderated, answered live (text and a picture) on a page that polls a small JSON feed and
refreshes itself without JavaScript, and published afterwards as a transcript."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from govhub.api.auth import issue_token
from govhub.core.errors import FieldErrors
from govhub.participation import actions
from govhub.participation.models import InterviewStatus, Moderation

pytestmark = pytest.mark.django_db


def _announced(county):
    i = actions.create_interview(
        county.user("editor"),
        {
            "title": "城区停车难怎么破",
            "guest": "县城管局局长 刘振华",
            "department": county.dept("cgj"),
            "starts_at": (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    return actions.schedule_interview(county.user("editor"), i)


def _png() -> SimpleUploadedFile:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (31, 95, 168)).save(buf, "PNG")
    return SimpleUploadedFile("map.png", buf.getvalue(), content_type="image/png")


def _url(i):
    return f"/participation/interviews/{i.pk}/"


def test_a_draft_is_not_public_and_only_editors_create(county, client):
    i = actions.create_interview(
        county.user("editor"),
        {
            "title": "草稿访谈",
            "guest": "嘉宾",
            "department": county.dept("cgj"),
            "starts_at": "2027-01-05T10:00",
        },
    )
    assert i.status == InterviewStatus.DRAFT
    assert client.get(_url(i)).status_code == 404
    with pytest.raises(PermissionDenied):
        actions.create_interview(
            county.user("cgj_handler"),
            {"title": "x", "guest": "y", "department": county.dept("cgj"), "starts_at": "x"},
        )
    with pytest.raises(FieldErrors) as exc:
        actions.create_interview(county.user("editor"), {"starts_at": "明天"})
    assert set(exc.value.errors) == {"title", "guest", "department", "starts_at"}


def test_question_before_and_during_the_session_without_javascript(county, client):
    i = _announced(county)
    html = client.get(_url(i)).content.decode()
    assert "访谈预告" in html and "欢迎现在提问" in html
    assert 'http-equiv="refresh"' not in html  # only while live
    r = client.post(_url(i), {"text": "短"})
    assert r.status_code == 400 and "至少 5 个字" in r.content.decode()
    r = client.post(
        _url(i), {"text": "<script>alert(1)</script>老城区能否开放机关停车场？", "nickname": "老王"}
    )
    assert r.status_code == 302
    html = client.get(_url(i)).content.decode()
    assert "待审核" in html and "&lt;script&gt;" in html and "<script>alert" not in html
    q = i.questions.get()
    assert q.status == Moderation.PENDING and q.live is False

    # personal data in a public question is refused at once, beside the field
    r = client.post(_url(i), {"text": "我的手机号是13912345678，请回电话"})
    assert r.status_code == 400 and "个人信息" in r.content.decode()

    actions.start_interview(county.user("editor"), i)
    client.post(_url(i), {"text": "医院门口的即停即走区什么时候设置？"})
    assert i.questions.order_by("pk").last().live is True
    html = client.get(_url(i)).content.decode()
    assert '<noscript><meta http-equiv="refresh" content="30"></noscript>' in html
    assert "刷新查看最新答复" in html and "participation/interview.js" in html
    # no inline script: the page runs under a content security policy
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)


def test_moderator_then_official_answer_with_a_picture_shows_in_the_feed(county, client):
    i = _announced(county)
    q = actions.ask_question(i, text="老城区晚上停车难，机关停车场能否夜间开放？", nickname="老王")
    with pytest.raises(PermissionDenied):  # the official does not moderate
        actions.moderate_question(county.user("cgj_handler"), q, approve=True)
    actions.moderate_question(county.user("reviewer"), q, approve=True)
    rejected = actions.ask_question(i, text="这是一个和访谈无关的广告内容")
    with pytest.raises(FieldErrors):
        actions.moderate_question(county.user("reviewer"), rejected, approve=False)
    actions.moderate_question(county.user("reviewer"), rejected, approve=False, reason="与主题无关")

    official = county.user("cgj_handler")
    with pytest.raises(actions.InterviewClosed):  # not yet live
        actions.post_entry(official, i, text="答复", question=q)
    actions.start_interview(county.user("editor"), i)
    with pytest.raises(PermissionDenied):  # another department's handler
        actions.post_entry(county.user("handler"), i, text="不是本单位的答复", question=q)
    with pytest.raises(actions.ParticipationError):  # only approved questions
        actions.post_entry(official, i, text="答复内容", question=rejected)
    with pytest.raises(FieldErrors) as exc:
        actions.post_entry(
            official,
            i,
            text="答复",
            image=SimpleUploadedFile("x.png", b"not a picture", content_type="image/png"),
        )
    assert "不是可以打开的图片" in exc.value.errors["image"]

    feed = client.get(_url(i) + "live.json").json()
    assert feed["status"] == "live" and feed["entries"] == [] and feed["last"] == 0
    e = actions.post_entry(
        official, i, text="今年起县直机关停车场夜间免费开放，名单见附图。", question=q, image=_png()
    )
    q.refresh_from_db()
    assert q.answered_at is not None
    feed = client.get(_url(i) + "live.json?after=0").json()
    assert [x["id"] for x in feed["entries"]] == [e.pk] and feed["last"] == e.pk
    line = feed["entries"][0]
    assert line["speaker"] == "县城管局局长 刘振华"
    assert line["question"] == {"author": "老王", "text": q.text}
    assert line["image"].startswith("/media/") and line["image"].endswith(".png")
    assert client.get(_url(i) + f"live.json?after={e.pk}").json()["entries"] == []


def test_transcript_is_published_after_the_end_and_questions_close(county, client):
    i = _announced(county)
    q = actions.ask_question(i, text="停车收费标准调整前会不会听证？")
    actions.moderate_question(county.user("reviewer"), q, approve=True)
    editor = county.user("editor")
    actions.start_interview(editor, i)
    with pytest.raises(actions.ParticipationError):
        actions.publish_transcript(editor, i)
    actions.post_entry(
        county.user("cgj_handler"), i, text="收费标准调整前一定依法听证。", question=q
    )
    actions.end_interview(editor, i)
    with pytest.raises(actions.InterviewClosed):
        actions.ask_question(i, text="结束后再来提一个问题")
    r = client.post(_url(i), {"text": "结束后再来提一个问题"})
    assert r.status_code == 409 and "已经结束" in r.content.decode()
    actions.publish_transcript(editor, i, note="共答复网友提问 1 个。")
    html = client.get(_url(i)).content.decode()
    assert "文字实录" in html and "共答复网友提问 1 个" in html
    assert "收费标准调整前一定依法听证" in html and "interview.js" not in html
    assert client.get("/participation/interviews/").status_code == 200


def test_back_office_control_room_by_role(county, client):
    i = _announced(county)
    actions.ask_question(i, text="能不能在学校门口增设即停即走车位？", nickname="家长")
    client.force_login(county.user("reviewer"))
    page = client.get(f"/admin/participation/interviews/{i.pk}/").content.decode()
    assert "待审核的提问（1）" in page and "内容检查：未发现问题" in page
    q = i.questions.get()
    r = client.post(
        f"/admin/participation/interviews/{i.pk}/act/approve/", {"question": q.pk}, follow=True
    )
    assert "已通过，问题已转给嘉宾" in r.content.decode()
    client.force_login(county.user("editor"))
    client.post(f"/admin/participation/interviews/{i.pk}/act/start/")
    client.force_login(county.user("cgj_handler"))
    r = client.post(
        f"/admin/participation/interviews/{i.pk}/act/answer/",
        {"question": q.pk, "text": "", "image": _png()},
        follow=True,
    )
    assert "请填写答复内容" in r.content.decode()
    r = client.post(
        f"/admin/participation/interviews/{i.pk}/act/answer/",
        {"question": q.pk, "text": "下学期起城关二小门口设即停即走车位 12 个。", "image": _png()},
        follow=True,
    )
    assert "答复已发布" in r.content.decode()
    assert i.entries.get().image is not None
    # the handler may answer but not run the session
    r = client.post(f"/admin/participation/interviews/{i.pk}/act/end/", follow=True)
    assert "访谈已结束" not in r.content.decode()
    i.refresh_from_db()
    assert i.status == InterviewStatus.LIVE


def test_api_ask_moderate_answer_and_poll(county, client):
    i = _announced(county)
    r = client.post(
        f"/api/participation/interviews/{i.pk}/questions",
        {"text": "停车泊位会不会按时段收费？"},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["status"] == "pending"
    qid = r.json()["id"]
    _, rev = issue_token(user=county.user("reviewer"), name="t")
    _, ed = issue_token(user=county.user("editor"), name="t")
    _, off = issue_token(user=county.user("cgj_handler"), name="t")
    r = client.post(
        f"/api/participation/staff/interview-questions/{qid}/moderate",
        {"approve": True},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {rev}",
    )
    assert r.status_code == 200 and r.json()["status"] == "approved"
    r = client.post(
        f"/api/participation/staff/interviews/{i.pk}/start", HTTP_AUTHORIZATION=f"Bearer {ed}"
    )
    assert r.json()["status"] == "live"
    r = client.post(
        f"/api/participation/staff/interviews/{i.pk}/start", HTTP_AUTHORIZATION=f"Bearer {ed}"
    )
    assert r.status_code == 400 or r.status_code == 409
    r = client.post(
        f"/api/participation/staff/interviews/{i.pk}/entries",
        {"text": "白天分时段收费，夜间免费。", "question_id": qid},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {off}",
    )
    assert r.status_code == 201, r.content
    live = client.get(f"/api/participation/interviews/{i.pk}/live?after=0").json()
    assert live["entries"][0]["question"]["text"] == "停车泊位会不会按时段收费？"
    assert client.get(f"/api/participation/interviews/{i.pk}").json()["status_label"] == "直播中"

"""Surveys beyond single/multiple/scale/text: ranking, matrix and conditional questions typed as
plain text and answered without JavaScript; audiences (residents of given towns, staff);
questions versioned when a survey is edited after answers; many answers from one address kept
but flagged for review; results exported to Excel."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone

from govhub.core.errors import FieldErrors
from govhub.participation import actions
from govhub.participation.models import Question, Response, ResponseFlag

pytestmark = pytest.mark.django_db

QUESTIONS = """[单选] 您去过县政务服务中心吗？
- 去过
- 没去过
[排序] 请按重要程度排列
- 社保
- 医保
- 公积金
[矩阵] 您对下列窗口的评价
- 社保窗口
- 不动产窗口
列：满意/一般/不满意
[文本] 您在办事中遇到了什么问题？
如果第1题选“去过”
[量表] 总体满意度（1-5）"""


def _survey(county, questions=QUESTIONS, **kw):
    today = timezone.localdate()
    s = actions.create_survey(
        county.user("editor"),
        {
            "title": "政务服务中心评价",
            "department": county.dept("rmt"),
            "opens_at": today - dt.timedelta(days=1),
            "closes_at": today + dt.timedelta(days=10),
            "results_public": True,
            "questions": questions,
            **kw,
        },
    )
    return actions.publish_survey(county.user("editor"), s)


def _qs(s):
    return list(s.questions.filter(active=True).prefetch_related("options"))


def _form(s, *, went=True, ranks=(1, 2, 3), cells=(1, 2), problem="排队时间长", scale=4):
    """The survey form's fields as a browser without JavaScript sends them."""
    single, ranking, matrix, text, scale_q = _qs(s)
    data = {
        "step": "answer",
        f"q{single.pk}": str(single.options.all()[0 if went else 1].pk),
        f"q{text.pk}": problem,
        f"q{scale_q.pk}": str(scale),
    }
    for o, r in zip(ranking.options.all(), ranks, strict=True):
        data[f"q{ranking.pk}_r{o.pk}"] = str(r)
    for o, c in zip(matrix.options.all(), cells, strict=True):
        data[f"q{matrix.pk}_m{o.pk}"] = str(c)
    return data


def _answers(s, **kw) -> dict:
    """The same answers as the action takes them (through the view's own conversion)."""
    from django.http import QueryDict

    from govhub.participation.views import form_answers

    post = QueryDict(mutable=True)
    post.update({k: v for k, v in _form(s, **kw).items() if k != "step"})
    return form_answers(post)


def _prove(client, s, phone):
    """Skip the SMS round (tested in test_surveys.py): the session holds a proved phone."""
    session = client.session
    session["participation_voter"] = {
        "key": actions.voter_key_for("phone", phone),
        "via": "phone",
        "shown": phone[:3] + "****" + phone[-4:],
    }
    session.save()


def test_ranking_matrix_and_condition_are_parsed_from_plain_text(county):
    s = _survey(county)
    single, ranking, matrix, text, scale = _qs(s)
    assert [q.kind for q in (single, ranking, matrix, text, scale)] == [
        "single",
        "ranking",
        "matrix",
        "text",
        "scale",
    ]
    assert matrix.columns == ["满意", "一般", "不满意"]
    assert [o.label for o in matrix.options.all()] == ["社保窗口", "不动产窗口"]
    assert text.show_if.label == "去过" and text.show_if.question_id == single.pk
    assert actions.questions_source(s) == QUESTIONS
    with pytest.raises(FieldErrors, match="没有选项“是”"):
        actions.parse_questions("[单选] 甲\n- 否\n- 不\n[文本] 乙\n如果第1题选“是”")
    with pytest.raises(FieldErrors, match="只能引用前面的单选或多选题"):
        actions.parse_questions("[文本] 乙\n如果第2题选“是”\n[单选] 甲\n- 是\n- 否")
    with pytest.raises(FieldErrors, match="矩阵"):
        actions.parse_questions("[矩阵] 评价\n- 社保窗口")


def test_answering_without_javascript_conditional_ranking_matrix(county, client):
    s = _survey(county)
    url = f"/participation/surveys/{s.pk}/"
    _prove(client, s, "13912340001")
    html = client.get(url).content.decode()
    assert "第 1 题选“去过”时回答" in html and "participation/survey.js" in html
    assert "第 3 名" in html and 'aria-label="社保窗口：满意"' in html

    # a repeated rank and a missing matrix row: both said at once, choices kept
    bad = _form(s, ranks=(1, 1, 2))
    matrix = _qs(s)[2]
    bad.pop(f"q{matrix.pk}_m{matrix.options.all()[1].pk}")
    r = client.post(url, bad)
    assert r.status_code == 400
    html = r.content.decode()
    assert "名次不能重复" in html and "请为每一行选择一项" in html
    assert html.count("selected>第 1 名") == 2

    # the conditional question is required only for those who went
    nogo = _form(s, went=False, problem="")
    r = client.post(url, nogo)
    assert r.status_code == 302, r.content.decode()[:2000]
    _prove(client, s, "13912340002")
    r = client.post(url, _form(s, went=True, problem=""))
    assert r.status_code == 400 and "请回答这道题" in r.content.decode()
    r = client.post(url, _form(s, went=True, ranks=(2, 1, 3), cells=(1, 3)))
    assert r.status_code == 302
    # an answer to a hidden question is ignored (sent by a form without JavaScript)
    _prove(client, s, "13912340003")
    client.post(url, _form(s, went=False, problem="没去过也写了"))
    text_q = _qs(s)[3]
    assert list(text_q.items.values_list("text", flat=True)) == ["排队时间长"]

    res = client.get(f"/participation/surveys/{s.pk}/results/").content.decode()
    assert "共 3 人参加" in res
    # 社保 ranked 1,2,1 → mean 1.33, first; 医保 2,1,2 → 1.67
    assert res.index("社保（平均第 1.33 名）") < res.index("医保（平均第 1.67 名）")
    assert "不动产窗口" in res and "2（67%）" in res  # 不动产窗口: 一般 twice of three


def test_editing_after_answers_keeps_old_answers_with_their_version(county, client):
    s = _survey(county)
    for i, scale in enumerate([5, 3]):
        actions.submit_response(
            s,
            voter_key=actions.voter_key_for("phone", f"1390000100{i}"),
            verified_by="phone",
            answers=_answers(s, scale=scale),
        )
    old_single = _qs(s)[0]
    edited = QUESTIONS.replace("- 没去过", "- 没去过\n- 记不清").replace("（1-5）", "（1-10）")
    client.force_login(county.user("editor"))
    page = client.get(f"/admin/participation/surveys/{s.pk}/edit/").content.decode()
    assert "已收到 2 份答卷" in page and "[矩阵] 您对下列窗口的评价" in page
    r = client.post(
        f"/admin/participation/surveys/{s.pk}/edit/",
        {
            "title": s.title,
            "opens_at": timezone.localdate().isoformat(),
            "closes_at": (timezone.localdate() + dt.timedelta(days=9)).isoformat(),
            "results_public": "1",
            "audience": "everyone",
            "questions": edited,
        },
    )
    assert r.status_code == 302, r.content.decode()[-3000:]
    s.refresh_from_db()
    assert s.version == 2
    current = _qs(s)
    assert [q.number for q in current] == [1, 2, 3, 4, 5]
    # the changed questions are new rows; the ranking and matrix keep theirs (and answers)
    assert current[0].pk != old_single.pk and current[0].options.count() == 3
    assert current[4].scale_max == 10 and current[4].version == 2
    assert current[1].version == 1 and current[1].items.count() == 6
    old_single.refresh_from_db()
    assert old_single.active is False and old_single.items.count() == 2
    assert Question.objects.filter(survey=s, active=False).count() == 3  # single, text, scale
    assert list(Response.objects.filter(survey=s).values_list("version", flat=True)) == [1, 1]

    r = client.get(f"/admin/participation/surveys/{s.pk}/export.xlsx")
    assert r.status_code == 200
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(r.content), read_only=True)
    rows = list(book["答卷"].iter_rows(values_only=True))
    head = rows[0]
    assert "1. 您去过县政务服务中心吗？（旧版 v1）" in head
    assert rows[1][head.index("1. 您去过县政务服务中心吗？（旧版 v1）")] == "去过"
    assert rows[1][head.index("2. 请按重要程度排列")] == "1.社保；2.医保；3.公积金"
    assert rows[1][head.index("3. 您对下列窗口的评价")] == "社保窗口：满意；不动产窗口：一般"
    assert "13900001000" not in str(rows)
    admin_page = client.get(f"/admin/participation/surveys/{s.pk}/").content.decode()
    assert "修改前的旧版题目" in admin_page and "v1，2 人回答" in admin_page


def test_audiences_towns_and_staff(county, client):
    towns = county.towns()[:2]
    s = _survey(county, audience="towns", towns=[t.pk for t in towns])
    answers = _answers(s)
    key = actions.voter_key_for("phone", "13900002000")
    with pytest.raises(FieldErrors) as exc:
        actions.submit_response(s, voter_key=key, verified_by="phone", answers=answers)
    assert towns[0].name in exc.value.errors["town"]
    other_town = county.towns()[2]
    with pytest.raises(FieldErrors):
        actions.submit_response(
            s, voter_key=key, verified_by="phone", answers=answers, town_id=other_town.pk
        )
    r = actions.submit_response(
        s, voter_key=key, verified_by="phone", answers=answers, town_id=towns[1].pk
    )
    assert r.town == towns[1]
    with pytest.raises(FieldErrors, match="乡镇"):
        _survey(county, audience="towns")

    staff = _survey(county, audience="staff")
    url = f"/participation/surveys/{staff.pk}/"
    html = client.get(url).content.decode()
    assert "仅面向本县工作人员" in html and "第一步：验证手机号" not in html
    with pytest.raises(actions.VerificationError):
        actions.submit_response(staff, voter_key=key, verified_by="phone", answers=answers)
    client.force_login(county.user("handler"))
    html = client.get(url).content.decode()
    assert "工作人员：" in html and "提交问卷" in html
    assert client.post(url, _form(staff)).status_code == 302
    r = client.post(url, _form(staff))
    assert r.status_code == 409 and "每人只能提交一次" in r.content.decode()
    assert staff.responses.get().verified_by == "staff"


def test_many_answers_from_one_address_are_flagged_not_dropped(county, client, settings):
    s = _survey(county)
    url = f"/participation/surveys/{s.pk}/"
    for i in range(actions.ANSWERS_PER_ADDRESS + 2):
        c = client.__class__(REMOTE_ADDR="203.0.113.9")
        _prove(c, s, f"1390000300{i}")
        r = c.post(url, _form(s), follow=True)
        assert r.status_code == 200
    last = r.content.decode()
    assert "核查后计入结果" in last
    flags = list(s.responses.order_by("pk").values_list("flag", flat=True))
    assert flags == [""] * actions.ANSWERS_PER_ADDRESS + [ResponseFlag.FLAGGED] * 2
    res = client.get(f"/participation/surveys/{s.pk}/results/").content.decode()
    assert f"共 {actions.ANSWERS_PER_ADDRESS} 人参加" in res and "另有 2 份答卷待核查" in res
    # another address is not affected
    c = client.__class__(REMOTE_ADDR="198.51.100.7")
    _prove(c, s, "13900003999")
    c.post(url, _form(s))
    assert s.responses.order_by("-pk").first().flag == ""

    editor = client.__class__()
    editor.force_login(county.user("editor"))
    page = editor.get(f"/admin/participation/surveys/{s.pk}/").content.decode()
    assert "待核查的答卷（2）" in page
    flagged = list(s.responses.filter(flag=ResponseFlag.FLAGGED).values_list("pk", flat=True))
    r = editor.post(
        f"/admin/participation/surveys/{s.pk}/act/review/",
        {"response": [flagged[0]], "decision": "accept"},
        follow=True,
    )
    assert "已将 1 份答卷计入结果" in r.content.decode()
    editor.post(
        f"/admin/participation/surveys/{s.pk}/act/review/",
        {"response": [flagged[1]], "decision": "discard"},
    )
    res = client.get(f"/participation/surveys/{s.pk}/results/").content.decode()
    assert f"共 {actions.ANSWERS_PER_ADDRESS + 2} 人参加" in res and "待核查" not in res
    assert s.responses.count() == actions.ANSWERS_PER_ADDRESS + 3  # nothing dropped


def test_api_ranking_matrix_answers_and_review_of_flagged(county, client, monkeypatch):
    from govhub.api.auth import issue_token

    monkeypatch.setattr(actions, "ANSWERS_PER_ADDRESS", 1)
    monkeypatch.setattr(actions, "verify_code", lambda phone, code: f"k-{phone}")
    s = _survey(county)
    detail = client.get(f"/api/participation/surveys/{s.pk}").json()
    single, ranking, matrix, text, scale = detail["questions"]
    assert matrix["columns"] == ["满意", "一般", "不满意"]
    assert text["show_if_option"] == single["options"][0]["id"]
    ids = []
    for n in range(2):
        body = {
            "phone": f"1390000400{n}",
            "code": "123456",
            "answers": {
                f"q{single['id']}": single["options"][1]["id"],
                f"q{ranking['id']}": [o["id"] for o in reversed(ranking["options"])],
                f"q{matrix['id']}": [3, 1],
                f"q{scale['id']}": 2,
            },
        }
        r = client.post(
            f"/api/participation/surveys/{s.pk}/responses", body, content_type="application/json"
        )
        assert r.status_code == 201, r.content
        ids.append(r.json()["id"])
    assert r.json()["flagged"] is True  # the second from one address
    results = client.get(f"/api/participation/surveys/{s.pk}/results").json()
    assert results["total"] == 1 and results["awaiting_review"] == 1
    assert results["questions"][2]["matrix"][0]["cells"][2]["n"] == 1  # 社保窗口: 不满意
    _, key = issue_token(user=county.user("editor"), name="t")
    r = client.post(
        f"/api/participation/staff/surveys/{s.pk}/review",
        {"response_ids": [ids[1]], "accept": True},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert r.json() == {"reviewed": 1}
    assert client.get(f"/api/participation/surveys/{s.pk}/results").json()["total"] == 2
    bad = client.post(
        f"/api/participation/surveys/{s.pk}/responses",
        {
            "phone": "13900004999",
            "code": "1",
            "answers": {f"q{ranking['id']}": [ranking["options"][0]["id"]] * 3},
        },
        content_type="application/json",
    )
    assert bad.status_code == 400 and "名次不能重复" in bad.json()["details"][f"q{ranking['id']}"]

"""Surveys (民意调查): questions typed by the editor, a phone proved by an SMS code, one answer per
person by the database's unique constraint, results with a chart when the owner allows, CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from govhub.channels import sms
from govhub.core.errors import FieldErrors
from govhub.participation import actions
from govhub.participation.models import Response, SmsCode

pytestmark = pytest.mark.django_db

QUESTIONS = """[单选] 您主要通过什么渠道了解县政府信息？
- 政府网站
- 政务微信
[多选] 您希望增加哪些服务？
- 社保查询
- 公积金查询
- 办事预约
[量表] 您对政务服务中心的满意度（1-5）
[文本] 其他建议（选填）"""


@pytest.fixture(autouse=True)
def _sms_outbox():
    sms.gateway.cache_clear()
    sms.LoggingSmsGateway.outbox = []
    sms.LoggingSmsGateway.sent_refs = {}
    yield
    sms.gateway.cache_clear()


def _survey(county, **kw):
    today = timezone.localdate()
    s = actions.create_survey(
        county.user("editor"),
        {
            "title": "政务服务满意度调查",
            "department": county.dept("rmt"),
            "opens_at": today - dt.timedelta(days=1),
            "closes_at": today + dt.timedelta(days=10),
            "results_public": kw.get("results_public", True),
            "questions": QUESTIONS,
        },
    )
    return actions.publish_survey(county.user("editor"), s)


def _code_for(phone: str) -> str:
    sent = [t for p, t in sms.LoggingSmsGateway.outbox if p == phone]
    return re.search(r"验证码是 (\d{6})", sent[-1]).group(1)


def _answers(s, scale=4):
    qs = list(s.questions.prefetch_related("options"))
    return {
        f"q{qs[0].pk}": [str(qs[0].options.first().pk)],
        f"q{qs[1].pk}": [str(o.pk) for o in qs[1].options.all()[:2]],
        f"q{qs[2].pk}": [str(scale)],
    }


def test_questions_are_typed_as_plain_text(county):
    s = _survey(county)
    kinds = [(q.kind, q.required, q.options.count()) for q in s.questions.all()]
    assert kinds == [
        ("single", True, 2),
        ("multiple", True, 3),
        ("scale", True, 0),
        ("text", False, 0),
    ]
    with pytest.raises(FieldErrors) as exc:
        actions.parse_questions("[单选] 只有一个选项\n- 是")
    assert "至少需要两个选项" in exc.value.errors["questions"]
    with pytest.raises(FieldErrors) as exc:
        actions.parse_questions("随便写的一行")
    assert "第 1 行无法识别" in exc.value.errors["questions"]
    with pytest.raises(PermissionDenied):
        actions.create_survey(
            county.user("handler"),
            {
                "title": "x",
                "department": county.dept("rmt"),
                "opens_at": "2026-12-01",
                "closes_at": "2026-12-31",
                "questions": QUESTIONS,
            },
        )


def test_citizen_proves_a_phone_answers_once_and_sees_the_results(county, client):
    s = _survey(county)
    url = f"/participation/surveys/{s.pk}/"
    html = client.get(url).content.decode()
    assert "第一步：验证手机号" in html and "获取验证码" in html
    client.post(url, {"step": "send", "phone": "139 1234 5678"})
    assert len(sms.LoggingSmsGateway.outbox) == 1
    r = client.post(
        url,
        {"step": "verify", "code": "000000" if _code_for("13912345678") != "000000" else "111111"},
    )
    assert "验证码不正确" in r.content.decode()
    client.post(url, {"step": "verify", "code": _code_for("13912345678")})
    html = client.get(url).content.decode()
    assert "已验证手机号 139****5678" in html and "提交问卷" in html
    # missing answers: every error at once, what was ticked kept
    a = _answers(s)
    partial = {k: v for k, v in a.items() if k != list(a)[2]}
    r = client.post(url, {"step": "answer", **partial})
    assert r.status_code == 400
    html = r.content.decode()
    assert "请回答这道题" in html and html.count("checked") == 3
    r = client.post(
        url, {"step": "answer", **a, f"q{s.questions.last().pk}": "<script>x</script>多些办事预约"}
    )
    assert r.status_code == 302
    html = client.get(r["Location"]).content.decode()
    assert (
        "提交成功，感谢您参与本次调查" in html and "共 1 人参加" in html and "平均 4.0 分" in html
    )
    # again from the same phone, in a fresh browser: refused by the constraint
    other = client.__class__()
    other.post(url, {"step": "send", "phone": "13912345678"})
    assert "秒后再试" in other.post(url, {"step": "send", "phone": "13912345678"}).content.decode()
    SmsCode.objects.update(created_at=timezone.now() - dt.timedelta(minutes=2))
    other.post(url, {"step": "send", "phone": "13912345678"})
    other.post(url, {"step": "verify", "code": _code_for("13912345678")})
    assert "已经参加过本次调查" in other.get(url).content.decode()
    r = other.post(url, {"step": "answer", **_answers(s, 1)})
    assert r.status_code == 409 and "每人只能提交一次" in r.content.decode()
    assert Response.objects.count() == 1


def test_a_failing_sms_gateway_says_so_and_lets_the_person_retry(county, client, monkeypatch):
    s = _survey(county)
    url = f"/participation/surveys/{s.pk}/"

    def broken(self, phone, text, ref=""):
        raise ConnectionError("gateway down")

    monkeypatch.setattr(sms.LoggingSmsGateway, "send", broken)
    r = client.post(url, {"step": "send", "phone": "13912345678"})
    assert r.status_code == 503 and "短信发送失败" in r.content.decode()
    assert 'value="13912345678"' in r.content.decode()  # kept for the retry
    assert not SmsCode.objects.exists()
    monkeypatch.undo()
    client.post(url, {"step": "send", "phone": "13912345678"})
    assert len(sms.LoggingSmsGateway.outbox) == 1


def test_closed_survey_refuses_answers_and_hidden_results_stay_hidden(county, client):
    s = _survey(county, results_public=False)
    key = actions.voter_key_for("phone", "13900000001")
    s.closes_at = timezone.now() - dt.timedelta(minutes=1)
    s.save()
    with pytest.raises(actions.SurveyClosed, match="已于"):
        actions.submit_response(s, voter_key=key, verified_by="phone", answers=_answers(s))
    html = client.get(f"/participation/surveys/{s.pk}/results/").content.decode()
    assert "未公开本次调查的结果" in html
    assert client.get(f"/api/participation/surveys/{s.pk}/results").status_code == 403


def test_results_and_csv_export(county, client):
    s = _survey(county)
    for i, scale in enumerate([5, 4, 4, 2]):
        actions.submit_response(
            s,
            voter_key=actions.voter_key_for("phone", f"1390000000{i}"),
            verified_by="phone",
            answers=_answers(s, scale),
        )
    client.force_login(county.user("editor"))
    r = client.get(f"/admin/participation/surveys/{s.pk}/export.csv")
    assert r.status_code == 200
    text = b"".join(r.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["答卷编号", "提交时间", "验证方式"] and len(rows) == 5
    assert rows[0][3:6] == ["题目版本", "乡镇", "核查"]
    assert rows[1][6] == "政府网站" and rows[1][7] == "社保查询；公积金查询" and rows[1][8] == "5"
    assert "1390000000" not in text
    results = client.get(f"/participation/surveys/{s.pk}/results/").content.decode()
    assert "共 4 人参加" in results and "平均 3.75 分" in results and 'aria-label="100%"' in results
    other = client.__class__()
    other.force_login(county.user("handler"))
    assert other.get(f"/admin/participation/surveys/{s.pk}/export.csv").status_code == 302


def test_api_answers_with_phone_and_code(county, client):
    s = _survey(county)
    client.post(
        f"/api/participation/surveys/{s.pk}/code",
        {"phone": "13912345678"},
        content_type="application/json",
    )
    detail = client.get(f"/api/participation/surveys/{s.pk}").json()
    q = detail["questions"]
    body = {
        "phone": "13912345678",
        "code": _code_for("13912345678"),
        "answers": {
            f"q{q[0]['id']}": q[0]["options"][1]["id"],
            f"q{q[1]['id']}": [q[1]["options"][0]["id"]],
            f"q{q[2]['id']}": 3,
        },
    }
    r = client.post(
        f"/api/participation/surveys/{s.pk}/responses", body, content_type="application/json"
    )
    assert r.status_code == 201, r.content
    results = client.get(f"/api/participation/surveys/{s.pk}/results").json()
    assert results["total"] == 1 and results["questions"][2]["mean"] == 3.0

"""What bench/fuzz.py and bench/authz.py found answering 500, each now a structured refusal."""

from __future__ import annotations

import json

import pytest

from govhub.api.auth import issue_token

pytestmark = pytest.mark.django_db


def _auth(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user=user, name='t')[1]}"}


def test_dispatching_without_a_department_names_the_field(client, county):
    from tests.letters.helpers import letter, make_categories

    make_categories(county)
    lt = letter()
    for body in ({"department": ""}, {"department": "rsj", "co_departments": [""]}):
        res = client.post(
            f"/api/letters/{lt.pk}/dispatch",
            json.dumps(body),
            content_type="application/json",
            **_auth(county.user("admin")),
        )
        assert res.status_code < 500, res.content
    lt.refresh_from_db()
    assert lt.department.code == "rsj"  # the second, with a stray empty co-department, went


def test_an_empty_department_is_refused_by_name(client, county):
    from tests.letters.helpers import letter, make_categories

    make_categories(county)
    lt = letter()
    res = client.post(
        f"/api/letters/{lt.pk}/dispatch",
        json.dumps({"department": ""}),
        content_type="application/json",
        **_auth(county.user("admin")),
    )
    assert res.status_code == 400
    assert res.json()["details"] == {"department": "请选择主办部门"}


def test_hot_topics_of_periods_before_2000_are_refused(client, county):
    auth = _auth(county.user("admin"))
    res = client.get("/api/analytics/topics", {"start": "0124-02-04"}, **auth)
    assert res.status_code == 422
    assert res.json()["details"] == [{"loc": ["query", "start"], "msg": "日期超出范围"}]
    assert client.get("/api/analytics/report", {"month": "0001-01"}, **auth).status_code == 400
    assert client.get("/api/analytics/topics", **auth).status_code == 200


def test_texts_without_a_content_word_make_no_topic_and_no_error(county):
    import datetime as dt

    from django.utils import timezone

    from govhub.analytics import hotspots
    from tests.letters.helpers import letter, make_categories

    make_categories(county)
    for text in ("x", "1234", "。。。", "的了"):
        letter(subject=text, content=text)
    now = timezone.now()
    assert hotspots.find_topics(now - dt.timedelta(days=1), now + dt.timedelta(days=1)) == []
    for _ in range(3):
        letter(subject="东街路灯不亮", content="东街的路灯坏了很久，晚上很黑。")
    topics = hotspots.find_topics(now - dt.timedelta(days=1), now + dt.timedelta(days=1))
    assert len(topics) == 1 and topics[0].volume == 3


def test_an_id_beyond_the_databases_integer_is_422(client, county):
    res = client.get("/api/participation/board/posts", {"column_id": 10**20})
    assert res.status_code == 422
    assert res.json()["error"] == "invalid"


def test_wagtails_choosers_refuse_malformed_input_without_a_500(client, county):
    client.force_login(county.user("editor"))
    assert client.get("/admin/images/chooser/chosen/x/").status_code == 404
    assert client.get("/admin/documents/chooser/chosen/x/").status_code == 404
    res = client.post("/admin/choose-external-link/", {})
    assert res.status_code == 200  # the chooser's form again, with its error
    ok = client.post(
        "/admin/choose-external-link/", {"external-link-chooser-url": "https://www.gov.cn/"}
    )
    assert ok.status_code == 200 and "www.gov.cn" in ok.content.decode()

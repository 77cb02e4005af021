"""What bench/fuzz.py and bench/authz.py found answering 500, each now a structured refusal."""

from __future__ import annotations

import json

import pytest

from govhub.api.auth import issue_token

pytestmark = pytest.mark.django_db


def _auth(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user=user, name='t')[1]}"}


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


def test_texts_without_a_content_word_make_no_topic_and_no_error():
    from govhub.analytics import hotspots

    vec, _x, labels = hotspots._cluster(["x", "1234", "。。。"])
    assert vec is None and len(set(labels)) == 3  # nothing to cluster, each alone
    texts = ["x", "东街路灯不亮 东街路灯坏了", "1234", "东街路灯坏了很久 东街路灯不亮"]
    vec, _x, labels = hotspots._cluster(texts)
    assert labels[1] == labels[3]  # the two about the street lamps together
    assert len({labels[0], labels[1], labels[2]}) == 3  # the wordless ones each alone


def test_an_id_beyond_the_databases_integer_is_refused_or_finds_nothing(client, county):
    """SQLite's driver cannot bind the number (OverflowError): a structured 422. On PostgreSQL
    Django answers an out-of-range lookup with an empty result itself: nothing found, no 500."""
    from django.db import connection

    res = client.get("/api/participation/board/posts", {"column_id": 10**20})
    if connection.vendor == "sqlite":
        assert res.status_code == 422
        assert res.json()["error"] == "invalid"
    else:
        assert res.status_code == 200
        assert res.json() == []


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

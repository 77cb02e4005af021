"""The matrix API: same domain functions, structured errors."""

from __future__ import annotations

import pytest

from govhub.core.models import Role
from govhub.matrix.models import Account
from tests.factories import make_department, make_user


@pytest.fixture
def api(db, client):
    root = make_department(name="示范县", code="sfx")
    make_department(root, name="人社局", code="rs")
    sup = make_user("sup", department=root, role=Role.SUPERVISOR)
    client.force_login(sup)
    return client


def test_create_list_patch_and_history(api):
    r = api.post(
        "/api/matrix/accounts",
        {
            "platform": "wechat",
            "name": "人社发布",
            "remote_id": "gh_rs",
            "department": "rs",
            "operator_phone": "13912345678",
        },
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    acc_id = r.json()["id"]
    assert "operator_phone" not in r.json()
    r = api.post(
        "/api/matrix/accounts",
        {"platform": "wechat", "name": "重复", "remote_id": "gh_rs", "department": "rs"},
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["error"] == "duplicate"
    r = api.post(
        "/api/matrix/accounts",
        {"platform": "fax", "name": "x", "remote_id": "x", "department": "rs"},
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["error"] == "invalid_choice"
    r = api.patch(
        f"/api/matrix/accounts/{acc_id}", {"name": "人社局发布"}, content_type="application/json"
    )
    assert r.json()["name"] == "人社局发布"
    hist = api.get(f"/api/matrix/accounts/{acc_id}/history").json()
    assert [h["action"] for h in hist] == ["updated", "created"]
    assert api.get("/api/matrix/accounts").json()["count"] == 1


def test_import_errors_are_structured_and_nothing_is_written(api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = (
        "平台,账号名称,平台账号ID,主办部门\n微信公众号,好,g1,rs\n微信公众号,坏,g2,nope\n".encode()
    )
    r = api.post("/api/matrix/import/accounts", {"file": SimpleUploadedFile("a.csv", data)})
    assert r.status_code == 422
    body = r.json()
    assert body["error"] == "import_invalid" and body["details"]["invalid"] == 1
    assert body["details"]["rows"][1]["errors"] == ["主办部门“nope”不存在（填部门代码或全称）"]
    assert not Account.objects.exists()
    r = api.post(
        "/api/matrix/import/accounts",
        {"file": SimpleUploadedFile("a.csv", data), "import_valid_rows": "true"},
    )
    assert r.status_code == 200 and r.json()["created"] == 1


def test_rankings_month_must_be_valid(api):
    r = api.get("/api/matrix/rankings?month=2026-13")
    assert r.status_code == 400 and r.json()["error"] == "bad_month"

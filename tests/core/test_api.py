"""The API skeleton: token and session authentication, structured refusals, health."""

import pytest

from govhub.api.auth import issue_token
from govhub.core.models import AuditRecord, Role
from tests.factories import make_department, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def dept():
    return make_department(name="人社局")


def test_token_authenticates_and_only_its_hash_is_stored(client, dept):
    user = make_user("handler1", department=dept, role=Role.HANDLER)
    token, key = issue_token(user=user, name="测试")
    assert key not in token.key_hash
    response = client.get("/api/core/me", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    assert response.json() == {
        "username": "handler1",
        "roles": ["handler"],
        "departments": [dept.code],
    }


def test_missing_or_bad_credentials_get_structured_401(client):
    for headers in ({}, {"Authorization": "Bearer gh_wrong"}):
        response = client.get("/api/core/me", headers=headers)
        assert response.status_code == 401
        assert response.json()["error"] == "unauthorized"


def test_session_authentication_works_too(client, dept):
    user = make_user(department=dept, role=Role.EDITOR)
    client.force_login(user)
    assert client.get("/api/core/me").json()["roles"] == ["editor"]


def test_permission_check_endpoint_gives_the_back_office_answer(client, dept):
    other = make_department(name="教育局")
    user = make_user(department=dept, role=Role.HANDLER)
    client.force_login(user)
    own = client.get(
        "/api/core/permissions/check", {"action": "handle_letter", "department": dept.code}
    )
    far = client.get(
        "/api/core/permissions/check", {"action": "handle_letter", "department": other.code}
    )
    assert own.json()["allowed"] is True and far.json()["allowed"] is False
    bad = client.get("/api/core/permissions/check", {"action": "nope"})
    assert bad.status_code == 400 and bad.json()["error"] == "unknown_action"


def test_refused_api_call_is_403_json_and_audited(client, dept):
    user = make_user(department=dept, role=Role.EDITOR)
    client.force_login(user)
    response = client.get("/api/core/audit/verify")
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"
    assert AuditRecord.objects.filter(action="permission_denied", actor=user.username).exists()


def test_openapi_document_is_served(client):
    doc = client.get("/api/openapi.json").json()
    assert "/api/core/me" in doc["paths"]


def test_healthz_names_a_failing_part(client, monkeypatch):
    from govhub.core import views

    def broken():
        raise ConnectionError("down")

    monkeypatch.setattr(views, "_check_cache", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"].startswith("error")

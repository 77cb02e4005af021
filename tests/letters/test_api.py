"""The staff API (same permissions as the back office) and Open311 GeoReport v2."""

from __future__ import annotations

import json

import pytest

from govhub.api.auth import issue_token
from govhub.letters import actions as lc
from govhub.letters.models import Letter, Status
from tests.letters.helpers import letter, make_categories

pytestmark = pytest.mark.django_db

SERVICE_FIELDS = {
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
}
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}


def _bearer(user) -> dict:
    _, key = issue_token(user=user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_lifecycle_through_the_staff_api(client, county):
    make_categories(county)
    lt = letter()
    h_disp, h_hand, h_rev = (
        _bearer(county.user(u)) for u in ("dispatcher", "handler", "rsj_reviewer")
    )

    def post(url, body, h):
        return client.post(url, json.dumps(body), content_type="application/json", **h)

    r = post(
        f"/api/letters/{lt.pk}/dispatch",
        {"department": "rsj", "co_departments": ["chengguan"]},
        h_disp,
    )
    assert r.status_code == 200, r.content
    assert r.json()["department"] == "rsj" and r.json()["co_departments"] == ["chengguan"]
    assert post(f"/api/letters/{lt.pk}/accept", {}, h_hand).json()["status"] == "handling"
    r = post(f"/api/letters/{lt.pk}/reply", {"body": "已处理完毕。", "submit": True}, h_hand)
    assert r.json()["status"] == "reviewing"
    r = post(f"/api/letters/{lt.pk}/review", {"approve": True}, h_rev)
    assert r.json()["status"] == "replied"
    # a state change that does not fit: structured 409 in Chinese
    r = post(f"/api/letters/{lt.pk}/accept", {}, h_hand)
    assert (
        r.status_code == 409
        and r.json()["error"] == "invalid_state"
        and "不能签收" in r.json()["message"]
    )


def test_handler_of_another_department_cannot_see_or_change_via_api(client, county):
    lt = letter()
    lc.dispatch_letter(county.user("dispatcher"), lt, department=county.dept("rsj"))
    other = _bearer(county.user("jyj_handler"))
    assert client.get(f"/api/letters/{lt.pk}", **other).status_code == 403
    assert lt.pk not in [x["id"] for x in client.get("/api/letters/", **other).json()]
    r = client.post(f"/api/letters/{lt.pk}/accept", "{}", content_type="application/json", **other)
    assert r.status_code == 403
    lt.refresh_from_db()
    assert lt.status == Status.DISPATCHED
    mine = _bearer(county.user("handler"))
    assert lt.pk in [x["id"] for x in client.get("/api/letters/", **mine).json()]


def test_api_rejects_bad_letters_with_structured_errors(client, county):
    h = _bearer(county.user("dispatcher"))
    r = client.post(
        "/api/letters/",
        json.dumps({"content": "", "phone": "abc"}),
        content_type="application/json",
        **h,
    )
    assert r.status_code == 400
    body = r.json()
    assert body["error"] == "invalid_input" and set(body["details"]) == {"content", "phone"}
    assert Letter.objects.count() == 0


def test_open311_services_and_requests_field_names(client, county):
    make_categories(county)
    services = client.get("/api/open311/v2/services.json").json()
    assert services and set(services[0]) == SERVICE_FIELDS
    _, key = issue_token(user=None, name="12345热线", scopes=["open311"])
    r = client.post(
        "/api/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": "construction",
            "description": "西河镇路面塌陷，请尽快修复。",
            "lat": "34.51",
            "long": "109.72",
            "phone": "13700001111",
            "first_name": "五",
            "last_name": "王",
        },
    )
    assert r.status_code == 201, r.content
    created = r.json()[0]
    assert set(created) == {"service_request_id", "service_notice", "account_id"}
    code = created["service_request_id"]
    assert Letter.objects.get(tracking_code=code).channel == "api"
    one = client.get(f"/api/open311/v2/requests/{code}.json").json()
    assert len(one) == 1 and set(one[0]) == REQUEST_FIELDS
    # anonymous readers get the ~1 km grid cell's centre, the client that filed it the point
    assert one[0]["status"] == "open" and (one[0]["lat"], one[0]["long"]) == (34.515, 109.725)
    assert one[0]["description"] == ""  # not published: the public sees the status only
    mine = client.get(f"/api/open311/v2/requests.json?api_key={key}").json()
    assert (mine[0]["lat"], mine[0]["long"]) == (34.51, 109.72)
    assert [m["service_request_id"] for m in mine] == [code] and "路面塌陷" in mine[0][
        "description"
    ]
    xml = client.get(f"/api/open311/v2/requests/{code}.xml")
    assert xml["Content-Type"].startswith("text/xml") and b"<service_request_id>" in xml.content


def test_open311_writers_need_a_key(client, county):
    make_categories(county)
    r = client.post(
        "/api/open311/v2/requests.json", {"service_code": "construction", "description": "x"}
    )
    assert r.status_code == 403 and Letter.objects.count() == 0
    _, key = issue_token(user=None, name="no scope", scopes=[])
    r = client.post(
        "/api/open311/v2/requests.json",
        {"api_key": key, "service_code": "construction", "description": "x"},
    )
    assert r.status_code == 403
    assert client.get("/api/open311/v2/requests/ZZZZ-ZZZZ-ZZZZ.json").status_code == 404

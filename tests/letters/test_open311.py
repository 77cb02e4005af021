"""Open311 GeoReport v2 as its clients expect it: service definitions, the location rule,
address_string and media_url kept and returned, the default 90-day window, one time zone, a
service_code on every request, and 400 with every problem listed. The last test talks to a
served site with a real HTTP client, CSRF middleware and all, as the 12345 hotline would."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from govhub.api.auth import issue_token
from govhub.letters.models import Letter
from tests.letters.helpers import letter, make_categories

pytestmark = pytest.mark.django_db

BASE = "/api/open311/v2"


@pytest.fixture
def key(county):
    make_categories(county)
    _, key = issue_token(user=None, name="12345热线", scopes=["open311"])
    return key


def _post(client, key, **fields):
    data = {"api_key": key, "service_code": "construction", "description": "路面塌陷，请修复。"}
    data.update(fields)
    return client.post(f"{BASE}/requests.json", {k: v for k, v in data.items() if v is not None})


def test_service_definition_and_an_other_service(client, key):
    services = {s["service_code"] for s in client.get(f"{BASE}/services.json").json()}
    assert {"labour", "construction", "other"} <= services
    one = client.get(f"{BASE}/services/construction.json")
    assert one.status_code == 200 and one.json() == {
        "service_code": "construction",
        "attributes": [],
    }
    xml = client.get(f"{BASE}/services/construction.xml").content.decode()
    assert "<service_definition><service_code>construction</service_code>" in xml
    missing = client.get(f"{BASE}/services/nope.json")
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404


def test_a_request_needs_a_location_and_bad_input_lists_every_problem(client, key):
    r = _post(client, key)
    assert r.status_code == 400
    assert r.json() == [
        {
            "code": 400,
            "description": "请提供位置：lat 和 long，或 address_string（至少其一）。",
            "field": "location",
        }
    ]
    r = _post(client, key, service_code="nope", description="", lat="北纬", long="109.7")
    assert r.status_code == 400
    fields = {e["field"]: e["description"] for e in r.json()}
    assert set(fields) == {"service_code", "description", "lat"}
    assert (
        "未知的 service_code" in fields["service_code"]
        and "请填写来信内容" in fields["description"]
    )
    r = _post(client, key, lat="34.5")
    assert r.status_code == 400 and r.json()[0]["field"] == "location"
    r = _post(client, key, address_string="西河镇中心街", media_url="javascript:alert(1)")
    assert r.status_code == 400 and r.json()[0]["field"] == "media_url"
    xml = client.post(f"{BASE}/requests.xml", {"api_key": key, "service_code": "construction"})
    assert xml.status_code == 400
    assert "<errors><error><code>400</code><description>" in xml.content.decode()
    assert Letter.objects.count() == 0


def test_address_string_and_media_url_are_kept_and_returned(client, key):
    r = _post(
        client,
        key,
        address_string="西河镇中心街 12 号门前",
        media_url="https://img.example.cn/p/1.jpg",
    )
    assert r.status_code == 201, r.content
    code = r.json()[0]["service_request_id"]
    lt = Letter.objects.get(tracking_code=code)
    assert (
        lt.address == "西河镇中心街 12 号门前" and lt.media_url == "https://img.example.cn/p/1.jpg"
    )
    assert "（地点" not in lt.content  # the address is a field, not pasted into the text
    row = client.get(f"{BASE}/requests/{code}.json").json()[0]
    assert row["address"] == "西河镇中心街 12 号门前"
    assert row["media_url"] == "https://img.example.cn/p/1.jpg"
    assert row["lat"] is None and row["service_code"] == "construction"


def test_every_time_in_one_zone_and_every_request_has_a_service_code(client, key):
    lt = letter(latitude=34.5, longitude=109.7, publish_consent=True)  # no category
    Letter.objects.filter(pk=lt.pk).update(published=True, public_content="公开内容")
    row = client.get(f"{BASE}/requests/{lt.tracking_code}.json").json()[0]
    assert row["service_code"] == "other" and row["service_name"] == "其他"
    for field in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", row[field]), row[field]
    listed = client.get(f"{BASE}/requests.json?service_code=other").json()
    assert [r["service_request_id"] for r in listed] == [lt.tracking_code]


def test_the_list_defaults_to_the_last_90_days(client, key):
    now = timezone.now()
    recent = letter(received_at=now - dt.timedelta(days=10), phone="13900000001")
    old = letter(received_at=now - dt.timedelta(days=120), phone="13900000002")
    Letter.objects.update(published=True)
    codes = [r["service_request_id"] for r in client.get(f"{BASE}/requests.json").json()]
    assert codes == [recent.tracking_code]
    start = (now - dt.timedelta(days=150)).strftime("%Y-%m-%dT%H:%M:%S")  # local time, no zone
    codes = [
        r["service_request_id"]
        for r in client.get(f"{BASE}/requests.json?start_date={start}").json()
    ]
    assert codes == [old.tracking_code]  # 150 → 60 days ago
    r = client.get(f"{BASE}/requests.json?start_date=2026-01-01&end_date=2026-12-01")
    assert r.status_code == 400 and r.json()[0]["field"] == "end_date"
    r = client.get(f"{BASE}/requests.json?start_date=yesterday&status=pending")
    assert r.status_code == 400 and {e["field"] for e in r.json()} == {"start_date", "status"}
    # asking by id finds a letter whatever its age
    r = client.get(f"{BASE}/requests.json?service_request_id={old.tracking_code}").json()
    assert [x["service_request_id"] for x in r] == [old.tracking_code]


@pytest.mark.django_db(transaction=True)
def test_a_real_http_client_posts_without_a_csrf_token(live_server):
    """requests (no cookies, no CSRF token) against the served site, CSRF middleware on."""
    import requests

    from govhub.core.demo import build_core

    make_categories(build_core())
    _, key = issue_token(user=None, name="12345热线", scopes=["open311"])
    url = live_server.url + BASE
    r = requests.post(
        f"{url}/requests.json",
        data={
            "api_key": key,
            "service_code": "labour",
            "description": "某工地拖欠工资三个月。",
            "address_string": "城关镇人民路工地",
            "lat": "34.51",
            "long": "109.72",
        },
        timeout=30,
    )
    assert r.status_code == 201, r.text
    code = r.json()[0]["service_request_id"]
    bad = requests.post(f"{url}/requests.json", data={"api_key": key}, timeout=30)
    assert bad.status_code == 400 and bad.headers["Content-Type"].startswith("application/json")
    assert {e["field"] for e in bad.json()} >= {"service_code", "location", "description"}
    one = requests.get(f"{url}/requests/{code}.json", params={"api_key": key}, timeout=30).json()
    assert one[0]["address"] == "城关镇人民路工地" and one[0]["service_code"] == "labour"
    assert (
        requests.get(f"{url}/services/labour.json", timeout=30).json()["service_code"] == "labour"
    )

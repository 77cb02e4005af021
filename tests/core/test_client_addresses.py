"""Honest client addresses and the per-address limits built on them: a forged X-Forwarded-For
from a direct client changes nothing; behind the trusted proxy the hop it saw is the client; every
public form that creates work refuses the next request once an address is over its limit."""

from __future__ import annotations

import itertools
import os
import uuid
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from govhub.core import ratelimit
from govhub.core.middleware import client_ip

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.66"  # a direct client, not a proxy of ours
_forged = (f"10.{i // 250}.{i % 250}.7" for i in itertools.count(1))


def forged() -> str:
    """A new made-up X-Forwarded-For on every request, as the attack in issue 19 did."""
    return f"{next(_forged)}, 198.18.{next(_forged)[-5:-2].strip('.')}.1"


def _ip(remote: str, xff: str | None = None) -> str:
    meta = {"REMOTE_ADDR": remote}
    if xff is not None:
        meta["HTTP_X_FORWARDED_FOR"] = xff
    return client_ip(RequestFactory().get("/", **meta))


# --- client_ip -------------------------------------------------------------------------------


def test_a_direct_client_cannot_choose_its_address_with_a_header():
    assert _ip(ATTACKER, "1.2.3.4") == ATTACKER
    assert _ip(ATTACKER, "127.0.0.1") == ATTACKER
    assert {_ip(ATTACKER, forged()) for _ in range(20)} == {ATTACKER}


def test_behind_the_local_proxy_the_rightmost_untrusted_hop_is_the_client():
    # nginx sets the header to the peer it saw; an appending proxy would leave the forged
    # value on the left, which is never believed
    assert _ip("127.0.0.1", "198.51.100.7") == "198.51.100.7"
    assert _ip("127.0.0.1", "6.6.6.6, 198.51.100.7") == "198.51.100.7"
    assert _ip("::1", "2001:db8::5") == "2001:db8::5"
    assert _ip("127.0.0.1") == "127.0.0.1"  # no header: the proxy itself (health checks)


def test_trusted_proxies_are_configurable_with_cidrs(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    # client → load balancer 10.1.2.3 → nginx 127.0.0.1
    assert _ip("127.0.0.1", "forged, 198.51.100.7, 10.1.2.3") == "198.51.100.7"
    # a trusted-looking value the client typed on the left is skipped only while it is a hop
    assert _ip("10.9.9.9", "10.0.0.1, 10.1.2.3") == "10.0.0.1"
    # the load balancer is no longer trusted to a peer outside the list
    assert _ip("192.0.2.1", "198.51.100.7") == "192.0.2.1"
    # an IPv4-mapped IPv6 peer is the same address
    assert _ip("::ffff:10.1.2.3", "198.51.100.8") == "198.51.100.8"


def test_a_malformed_hop_stops_the_walk_at_the_last_good_address():
    assert _ip("127.0.0.1", "198.51.100.7, not-an-ip") == "127.0.0.1"
    assert _ip("127.0.0.1", "<script>, 198.51.100.7") == "198.51.100.7"


def test_nginx_sets_the_header_instead_of_appending_to_the_clients():
    conf = (Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf").read_text()
    assert "proxy_add_x_forwarded_for" not in conf
    assert conf.count("proxy_set_header X-Forwarded-For $remote_addr;") >= 2
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf


def test_the_audit_log_records_the_real_address_not_the_forged_one(client, county):
    from govhub.core.models import AuditRecord

    client.post(
        "/admin/login/",
        {"username": "editor", "password": "wrong-wrong-1"},
        REMOTE_ADDR=ATTACKER,
        HTTP_X_FORWARDED_FOR="8.8.8.8",
    )
    ips = set(AuditRecord.objects.values_list("ip", flat=True))
    assert ATTACKER in ips and "8.8.8.8" not in ips


def test_an_unparseable_trusted_proxies_setting_stops_the_start():
    from tests.core.test_config import govhub

    res = govhub("check", GOVHUB_TRUSTED_PROXIES="127.0.0.1,not-a-net")
    assert res.returncode == 2 and "GOVHUB_TRUSTED_PROXIES" in res.stderr


# --- every public form that creates work is limited per address ------------------------------


@pytest.fixture
def one_each(monkeypatch):
    """Every limit at one request, so the second from the same address is refused."""
    cache.clear()
    for scope in ratelimit.LIMITS:
        monkeypatch.setitem(ratelimit.LIMITS, scope, (1, 600))
    yield
    cache.clear()


def _twice(send) -> tuple:
    """Two requests from one attacker, each with a different forged X-Forwarded-For."""
    return (
        send(REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=forged()),
        send(REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=forged()),
    )


def _api(client, url, body):
    return lambda **meta: client.post(url, body, content_type="application/json", **meta)


def _structured_429(res):
    assert res.status_code == 429, res.content[:300]
    body = res.json()
    assert body["error"] == "rate_limited" and "太频繁" in body["message"]


def test_letters_portal_form_refuses_and_keeps_what_was_typed(client, county, one_each):
    from govhub.letters.models import Letter
    from tests.letters.test_portal import _form

    first, second = _twice(
        lambda **m: client.post("/letters/write/", _form(client, subject="路灯坏了十天"), **m)
    )
    assert first.status_code == 200 and second.status_code == 429
    page = second.content.decode()
    assert "太频繁" in page and "路灯坏了十天" in page  # nothing typed is lost
    assert Letter.objects.count() == 1


def test_behind_the_proxy_a_rotating_left_value_is_still_one_client(client, county, one_each):
    from govhub.letters.models import Letter
    from tests.letters.test_portal import _form

    codes = [
        client.post(
            "/letters/write/",
            _form(client),
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"{forged()}, 198.51.100.20",  # an appending proxy
        ).status_code
        for _ in range(3)
    ]
    assert codes == [200, 429, 429] and Letter.objects.count() == 1
    # a different real client behind the same proxy has its own budget
    other = client.post(
        "/letters/write/",
        _form(client),
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.21",
    )
    assert other.status_code == 200


def test_letters_api_is_limited(client, county, one_each):
    from govhub.api.auth import issue_token

    _, key = issue_token(user=county.user("dispatcher"), name="t")
    send = _api(client, "/api/letters/", {"content": "东街的路灯坏了一个月，晚上很黑。"})
    first, second = _twice(lambda **m: send(HTTP_AUTHORIZATION=f"Bearer {key}", **m))
    assert first.status_code == 201
    _structured_429(second)


def test_report_error_form_is_limited_and_keeps_the_text(client, county, one_each):
    from govhub.portal.models import SiteErrorReport

    data = {"kind": "typo", "description": "首页通知里“公示”写成了“公式”", "contact": ""}
    first, second = _twice(lambda **m: client.post("/report-error/", data, **m))
    assert first.status_code == 200 and second.status_code == 429
    page = second.content.decode()
    assert "太频繁" in page and "写成了" in page
    assert SiteErrorReport.objects.count() == 1


def test_participation_forms_are_limited(client, county, one_each):
    from tests.participation.test_consultation import _published, _url
    from tests.participation.test_surveys import _survey

    c = _published(county)
    data = {"text": "建议把免费时长延长到一小时。", "nickname": "", "phone": ""}
    first, second = _twice(lambda **m: client.post(_url(c), data, **m))
    assert first.status_code == 302 and second.status_code == 429
    assert "太频繁" in second.content.decode() and "延长到一小时" in second.content.decode()
    _structured_429(
        _twice(_api(client, f"/api/participation/consultations/{c.pk}/comments", data))[1]
    )

    post = {"column": "", "title": "路灯", "text": "东街路灯坏了", "nickname": "", "phone": ""}
    first, second = _twice(lambda **m: client.post("/participation/board/new/", post, **m))
    assert first.status_code == 400 and second.status_code == 429
    assert "太频繁" in second.content.decode() and "东街路灯坏了" in second.content.decode()
    _structured_429(
        _twice(
            _api(
                client,
                "/api/participation/board/posts",
                {"column_id": 0, "title": "x", "text": "y"},
            )
        )[1]
    )

    s = _survey(county)
    send = {"step": "send", "phone": "13912345678"}
    first, second = _twice(
        lambda **m: client.post(f"/participation/surveys/{s.pk}/", send, follow=True, **m)
    )
    assert "验证码已发送" in first.content.decode()
    assert second.status_code == 429 and "太频繁" in second.content.decode()
    _structured_429(
        _twice(_api(client, f"/api/participation/surveys/{s.pk}/code", {"phone": "13912345679"}))[1]
    )


def test_services_forms_are_limited(client, one_each):
    first, second = _twice(
        lambda **m: client.post("/services/bookings/", {"code": "X", "phone": "1"}, **m)
    )
    assert first.status_code != 429 and second.status_code == 429
    assert "太频繁" in second.content.decode()
    _structured_429(_twice(_api(client, "/api/services/queries/none", {"params": {}}))[1])
    _structured_429(
        _twice(_api(client, "/api/services/bookings", {"slot": 0, "name": "王", "phone": "1"}))[1]
    )


# --- the shared cache ------------------------------------------------------------------------

REDIS_URL = os.environ.get("GOVHUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


@pytest.mark.redis
def test_limits_count_in_redis_shared_by_every_worker(settings, client, monkeypatch):
    """Two workers are two cache connections: the second sees the first's count."""
    import redis
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    prefix = f"test-rl-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    monkeypatch.setitem(ratelimit.LIMITS, "report-error", (2, 600))
    conn = redis.Redis.from_url(REDIS_URL)
    try:
        assert isinstance(caches["default"], RedisCache)
        worker_a = RedisCache(REDIS_URL, {"KEY_PREFIX": prefix})
        worker_b = RedisCache(REDIS_URL, {"KEY_PREFIX": prefix})
        monkeypatch.setattr(ratelimit, "cache", worker_a)
        assert ratelimit.hit("report-error", ATTACKER, 2, 600) is False
        monkeypatch.setattr(ratelimit, "cache", worker_b)
        assert ratelimit.hit("report-error", ATTACKER, 2, 600) is False
        monkeypatch.setattr(ratelimit, "cache", worker_a)
        assert ratelimit.hit("report-error", ATTACKER, 2, 600) is True
        keys = [k.decode() for k in conn.keys(f"{prefix}:*rl:report-error:{ATTACKER}:*")]
        assert len(keys) == 1 and int(conn.get(keys[0])) == 3
        assert 0 < conn.ttl(keys[0]) <= 1205

        # through the real form, with a forged header on every request, counted in Redis
        monkeypatch.setattr(ratelimit, "cache", caches["default"])
        data = {"kind": "typo", "description": "首页的错别字一处", "contact": ""}
        codes = [
            client.post(
                "/report-error/",
                data,
                REMOTE_ADDR="198.51.100.99",
                HTTP_X_FORWARDED_FOR=forged(),
            ).status_code
            for _ in range(3)
        ]
        assert codes == [200, 200, 429]
        assert conn.keys(f"{prefix}:*rl:report-error:198.51.100.99:*")
    finally:
        for k in conn.keys(f"{prefix}:*"):
            conn.delete(k)


def test_the_issue_19_attack_rotating_forged_headers_gets_five_letters_not_thirty(client, county):
    """Issue 19: a rotating X-Forwarded-For got 1,000 of 1,000 letters accepted. Now the
    default limit holds, directly and behind the proxy (prints the figure)."""
    from govhub.letters.models import Letter
    from tests.letters.test_portal import _form

    cache.clear()
    limit = ratelimit.LIMITS["submit"][0]
    for remote, xff in ((ATTACKER, forged), ("127.0.0.1", lambda: f"{forged()}, 198.51.100.5")):
        before = Letter.objects.count()
        codes = [
            client.post(
                "/letters/write/", _form(client), REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=xff()
            ).status_code
            for _ in range(30)
        ]
        accepted = Letter.objects.count() - before
        print(f"from {remote}: {accepted} of 30 letters accepted, {codes.count(429)} refused")
        assert accepted == limit and codes.count(429) == 30 - limit
    cache.clear()


def test_a_burst_across_a_window_boundary_is_still_one_limit(monkeypatch):
    """A fixed window let an address send the limit just before a window's end and again just
    after it; the sliding estimate refuses the second burst, and lets the address back in once
    the first burst has slid out of the last window."""
    cache.clear()
    clock = [600 * 1000 + 590.0]  # ten seconds before a window ends
    monkeypatch.setattr(ratelimit.time, "time", lambda: clock[0])
    key = "198.51.100.77"
    assert [ratelimit.hit("t-boundary", key, 5, 600) for _ in range(5)] == [False] * 5
    clock[0] += 20  # ten seconds into the next window
    assert ratelimit.hit("t-boundary", key, 5, 600) is True
    clock[0] += 600  # the burst now lies more than a window back
    assert ratelimit.hit("t-boundary", key, 5, 600) is False
    cache.clear()

"""Public question answering is rate limited per client address: 429 with a Chinese message."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from govhub.qa import api

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counters(monkeypatch):
    cache.clear()
    monkeypatch.setitem(api.LIMITS, "ask", (3, 60))
    monkeypatch.setitem(api.LIMITS, "handover", (2, 600))
    yield
    cache.clear()


def _ask(client, ip="203.0.113.7"):
    return client.post(
        "/api/qa/ask",
        {"question": "公积金怎么提取"},
        content_type="application/json",
        REMOTE_ADDR=ip,
    )


def test_the_api_answers_429_with_a_structured_chinese_error_over_the_limit(client):
    assert [_ask(client).status_code for _ in range(3)] == [200, 200, 200]
    res = _ask(client)
    body = res.json()
    assert res.status_code == 429
    assert body["error"] == "rate_limited" and "太频繁" in body["message"]
    assert body["details"] == {"limit": 3, "window_seconds": 60}
    assert _ask(client, ip="198.51.100.9").status_code == 200  # another address is not affected


def test_the_qa_page_and_the_api_share_the_budget_and_the_page_explains_in_chinese(client):
    for _ in range(3):
        assert (
            client.get("/qa/", {"q": "公积金怎么提取"}, REMOTE_ADDR="203.0.113.8").status_code
            == 200
        )
    res = client.get("/qa/", {"q": "公积金怎么提取"}, REMOTE_ADDR="203.0.113.8")
    assert res.status_code == 429 and "太频繁" in res.content.decode()
    assert _ask(client, ip="203.0.113.8").status_code == 429


def test_handing_over_is_limited_too(client):
    payload = {"question": "体育馆开放时间", "session": "chat-limit1"}
    codes = [
        client.post(
            "/api/qa/chat/handover",
            payload,
            content_type="application/json",
            REMOTE_ADDR="203.0.113.9",
        ).status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]
    res = client.post("/qa/handover/", {"q": "体育馆开放时间"}, REMOTE_ADDR="203.0.113.9")
    assert res.status_code == 429 and "太频繁" in res.content.decode()

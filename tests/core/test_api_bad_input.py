"""The API's bad input is a structured 422/400, never a 500: every GET endpoint of the OpenAPI
document is walked with a negative offset, a huge limit and a huge page, anonymously and with
staff tokens of several roles; request bodies with unknown fields are refused by name."""

from __future__ import annotations

import json
import re

import pytest
from django.core.cache import cache

from govhub.api.auth import issue_token

pytestmark = pytest.mark.django_db

BAD_QUERIES = [
    {"offset": "-1", "limit": str(10**9), "page": "-1"},
    {"offset": str(10**30), "limit": "-5", "page": str(10**30)},
    {"offset": "abc", "limit": "1.5"},
]
ROLES = [None, "admin", "dispatcher", "handler", "supervisor", "editor"]


def _get_paths(doc: dict) -> list[tuple[str, set[str]]]:
    out = []
    for path, ops in doc["paths"].items():
        if "get" in ops:
            params = {p["name"] for p in ops["get"].get("parameters", []) if p["in"] == "query"}
            out.append((re.sub(r"\{[^}]+\}", "1", path), params))
    return out


def test_every_get_endpoint_answers_bad_paging_without_a_5xx(client, county):
    cache.clear()
    paths = _get_paths(client.get("/api/openapi.json").json())
    assert any(p == "/api/letters/" for p, _ in paths)
    tried, paged = 0, set()
    for role in ROLES:
        headers = {}
        if role:
            _, key = issue_token(user=county.user(role), name="fuzz")
            headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
        for path, params in paths:
            for query in BAD_QUERIES:
                res = client.get(path, query, **headers)
                tried += 1
                assert res.status_code < 500, (role, path, query, res.content[:300])
                if {"offset", "limit"} & params and res.status_code not in (401, 403):
                    assert res.status_code in (400, 422), (role, path, query)
                    body = res.json()
                    assert body["error"] and body["message"], body
                    paged.add(path)
    # the list endpoints that were 500 on offset=-1 now refuse it by name
    assert {"/api/letters/", "/api/matrix/accounts"} <= paged
    print(f"{tried} requests over {len(paths)} GET endpoints, {len(paged)} paged lists, no 5xx")


def test_offset_minus_one_names_the_parameter(client, county):
    _, key = issue_token(user=county.user("dispatcher"), name="t")
    res = client.get("/api/letters/", {"offset": -1}, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert res.status_code == 422
    body = res.json()
    assert body["error"] == "invalid" and "offset" in body["message"]
    assert body["details"] == [{"loc": ["query", "offset"], "msg": "不能为负数"}]
    ok = client.get(
        "/api/letters/", {"offset": 0, "limit": 200}, HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert ok.status_code == 200


def test_unknown_fields_in_a_body_are_refused_by_name(client, county):
    cache.clear()
    _, key = issue_token(user=county.user("dispatcher"), name="t")
    res = client.post(
        "/api/letters/",
        json.dumps({"content": "东街的路灯坏了。", "idempotency_kay": "k-1"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert res.status_code == 422
    body = res.json()
    assert body["error"] == "invalid"
    assert any("idempotency_kay" in json.dumps(d) for d in body["details"])
    res = client.post(
        "/api/participation/board/posts",
        json.dumps({"column_id": 1, "title": "x", "text": "y", "is_admin": True}),
        content_type="application/json",
    )
    assert res.status_code == 422 and res.json()["error"] == "invalid"

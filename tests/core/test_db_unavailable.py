"""While the database restarts, a request that could not reach it gets a Chinese 503 page with
Retry-After (nothing was done; send again), not the 500 of a bug."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import Client

pytestmark = pytest.mark.django_db


def _form():
    return {"subject": "路灯不亮", "content": "人民路路灯坏了一个月。", "phone": "13912345678",
            "token": "db-restart-1"}  # fmt: skip


def test_database_unreachable_is_a_503_in_chinese_with_retry_after(monkeypatch, county):
    from govhub.letters import intake

    def down(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(intake, "submit_letter", down)
    client = Client(raise_request_exception=False)
    response = client.post("/letters/write/", _form())
    assert response.status_code == 503 and response["Retry-After"] == "5"
    page = response.content.decode()
    assert "系统正在恢复，请稍后再试" in page and "没有提交" in page


def test_any_other_error_is_still_the_500_page(monkeypatch, county):
    from govhub.letters import intake

    def bug(**kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(intake, "submit_letter", bug)
    response = Client(raise_request_exception=False).post("/letters/write/", _form())
    assert response.status_code == 500 and "Retry-After" not in response
    assert "系统繁忙" in response.content.decode()

"""A form sent with a token that no longer holds (opened hours ago, browser data cleared) gets a
Chinese page that keeps everything typed, with a fresh token: 重新提交 goes through."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

CONTENT = (
    "我家小区（城关镇东街社区3号楼）冬季供暖温度只有14度，物业说等通知，已经两周了，请尽快处理。"
)


def test_a_stale_form_keeps_what_was_typed_and_can_be_sent_again():
    browser = Client(enforce_csrf_checks=True)
    typed = {"subject": "小区供暖不达标", "content": CONTENT, "town": "chengguan"}
    response = browser.post("/letters/write/", {**typed, "csrfmiddlewaretoken": "stale"})
    html = response.content.decode()
    assert response.status_code == 403
    assert "页面已过期，您填写的内容尚未提交" in html
    assert "CSRF" not in html and "Forbidden" not in html
    for name, value in typed.items():
        assert f'name="{name}" value="{value}"' in html
    assert "<textarea readonly" in html and CONTENT in html
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    assert token != "stale"

    again = browser.post("/letters/write/", {**typed, "csrfmiddlewaretoken": token})
    assert "页面已过期" not in again.content.decode()
    assert again.status_code != 403


def test_scripts_get_the_reason_as_json():
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/letters/write/", {"subject": "x"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    assert response.json()["error"] == "csrf"

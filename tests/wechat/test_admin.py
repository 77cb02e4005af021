"""Back-office pages: the simulator speaks the real protocol; menus; knowledge base tools."""

from __future__ import annotations

import json

import pytest

from tests.wechat.helpers import make_account, make_entries

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("mode", ["plain", "safe"])
def test_the_simulator_sends_signed_pushes_and_shows_replies(client, county, mode):
    account = make_account(county.dept("rmt"), mode)
    make_entries()
    client.force_login(county.user("editor"))
    assert "公众号模拟器" in client.get(f"/admin/wechat/{account.pk}/simulator/").content.decode()
    res = client.post(
        f"/admin/wechat/{account.pk}/simulator/send/",
        json.dumps({"type": "text", "content": "怎么办理居住证"}),
        content_type="application/json",
    ).json()
    assert res["status"] == 200 and "派出所" in res["reply"]
    assert res["encrypted"] is (mode == "safe")
    res = client.post(
        f"/admin/wechat/{account.pk}/simulator/send/",
        json.dumps({"type": "subscribe"}),
        content_type="application/json",
    ).json()
    assert "欢迎关注" in res["reply"]


def test_the_menu_page_saves_and_refuses_bad_menus_in_chinese(client, county):
    account = make_account(county.dept("rmt"))
    client.force_login(county.user("editor"))
    res = client.post(
        f"/admin/wechat/{account.pk}/menu/",
        {"b0_name": "办事", "b0_kind": "view", "b0_url": "ftp://x", "action": "save"},
        follow=True,
    )
    assert "需要填写以 http:// 或 https:// 开头的网址" in res.content.decode()
    res = client.post(
        f"/admin/wechat/{account.pk}/menu/",
        {
            "b0_name": "热线",
            "b0_kind": "click",
            "b0_key": "HOT",
            "b0_reply": "12345",
            "action": "save",
        },
        follow=True,
    )
    assert "菜单已保存" in res.content.decode()


def test_qa_tools_page_lists_unanswered_questions_and_exports(client, county):
    from govhub.qa import engine

    make_entries()
    engine.answer("县城什么时候通高铁")
    client.force_login(county.user("editor"))
    assert "县城什么时候通高铁" in client.get("/admin/qa/").content.decode()
    res = client.get("/admin/qa/export/xlsx/")
    assert res.status_code == 200 and res.content[:2] == b"PK"
    assert client.get("/admin/qa_entries/").status_code == 200

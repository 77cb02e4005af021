"""The callback in plain, compatible and safe modes, events, bad input."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import pytest

from govhub.inbox.models import InboxMessage
from govhub.wechat.models import Subscriber
from govhub.wechat.simulate import event_xml, message_xml, open_reply, signature, text_xml
from tests.factories import make_department
from tests.wechat.helpers import make_account, make_entries, post, post_push

pytestmark = pytest.mark.django_db


@pytest.fixture
def dept(db):
    return make_department(name="县融媒体中心")


@pytest.mark.parametrize("mode", ["plain", "compatible", "safe"])
def test_a_citizen_asking_how_to_get_a_residence_permit_gets_the_answer_in_every_mode(
    client, dept, mode
):
    account = make_account(dept, mode)
    make_entries()
    res, push = post(
        client,
        account,
        text_xml(account.remote_id, "o-citizen-1", "居住证在哪里办？"),
        encrypt=mode != "plain",
    )
    assert res.status_code == 200
    reply = open_reply(account, res.content, push.query)
    assert reply["MsgType"] == "text"
    assert "派出所申领居住证" in reply["Content"]
    assert reply["ToUserName"] == "o-citizen-1"
    if mode != "plain":
        assert b"<Encrypt>" in res.content and "派出所".encode() not in res.content


def test_compatible_mode_accepts_plain_pushes_too(client, dept):
    account = make_account(dept, "compatible")
    make_entries()
    res, push = post(
        client, account, text_xml(account.remote_id, "o-2", "公积金怎么提取"), encrypt=False
    )
    assert "公积金中心" in open_reply(account, res.content, push.query)["Content"]


def test_safe_mode_refuses_a_plain_push(client, dept):
    account = make_account(dept, "safe")
    res, _ = post(client, account, text_xml(account.remote_id, "o-3", "你好"), encrypt=False)
    assert res.status_code == 403


def test_get_verification_echoes_only_with_the_right_signature(client, dept):
    account = make_account(dept)
    ts, nonce = str(int(time.time())), "n1"
    good = {
        "signature": signature(account.callback_token, ts, nonce),
        "timestamp": ts,
        "nonce": nonce,
        "echostr": "e123",
    }
    res = client.get(f"/wechat/callback/{account.slug}/?{urlencode(good)}")
    assert res.status_code == 200 and res.content == b"e123"
    bad = dict(good, signature="0" * 40)
    assert client.get(f"/wechat/callback/{account.slug}/?{urlencode(bad)}").status_code == 403


def test_a_wrong_signature_is_403_and_changes_nothing(client, dept):
    account = make_account(dept)
    push_xml = text_xml(account.remote_id, "o-4", "居住证")
    from govhub.wechat.simulate import sign_push

    push = sign_push(account, push_xml)
    res = post_push(client, account, dict(push.query, signature="f" * 40), push.body)
    assert res.status_code == 403
    assert not Subscriber.objects.exists()


def test_a_replayed_old_push_is_rejected(client, dept):
    account = make_account(dept)
    res, _ = post(
        client,
        account,
        text_xml(account.remote_id, "o-5", "居住证"),
        timestamp=int(time.time()) - 3600,
    )
    assert res.status_code == 403
    assert "时间戳" in res.content.decode()


@pytest.mark.parametrize(
    "body",
    [
        b"<xml><ToUserName>broken",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Content>&e;</Content></xml>',
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><xml><Content>&lol3;</Content></xml>',
        b"<xml><Foo>no message type</Foo></xml>",
    ],
)
def test_malformed_xml_xxe_and_entity_expansion_are_400(client, dept, body):
    account = make_account(dept)
    from govhub.wechat.simulate import sign_push

    push = sign_push(account, "<xml/>")
    res = client.generic(
        "POST",
        f"/wechat/callback/{account.slug}/?{urlencode(push.query)}",
        data=body,
        content_type="text/xml",
    )
    assert res.status_code == 400
    assert b"root:" not in res.content


def test_a_body_over_the_limit_is_413(client, dept):
    account = make_account(dept)
    res, _ = post(client, account, text_xml(account.remote_id, "o-6", "长" * 40000))
    assert res.status_code == 413


def test_an_unknown_account_is_404(client, dept):
    res = client.post(
        "/wechat/callback/no-such-account/?signature=x&timestamp=1&nonce=2",
        data=b"<xml/>",
        content_type="text/xml",
    )
    assert res.status_code == 404


def test_an_unhandled_message_type_gets_a_polite_default_reply(client, dept):
    account = make_account(dept)
    xml = message_xml(
        account.remote_id, "o-7", "shortvideo", {"MediaId": "m1", "ThumbMediaId": "t1"}
    )
    res, push = post(client, account, xml)
    reply = open_reply(account, res.content, push.query)
    assert res.status_code == 200 and "暂不支持" in reply["Content"]


def test_subscribe_gets_welcome_and_menu_and_unsubscribe_is_recorded(client, dept):
    from govhub.wechat.models import MenuButton

    account = make_account(dept)
    MenuButton.objects.create(account=account, name="办事服务", kind="parent", position=0)
    res, push = post(client, account, event_xml(account.remote_id, "o-8", "subscribe"))
    reply = open_reply(account, res.content, push.query)
    assert "欢迎关注" in reply["Content"] and "办事服务" in reply["Content"]
    sub = Subscriber.objects.get(account=account, openid="o-8")
    assert sub.subscribed and sub.subscribed_at
    res, push = post(
        client,
        account,
        event_xml(account.remote_id, "o-8", "unsubscribe", created=int(time.time()) + 1),
    )
    assert res.content == b"success"
    sub.refresh_from_db()
    assert not sub.subscribed and sub.unsubscribed_at


def test_menu_click_replies_with_the_buttons_text_and_view_needs_no_reply(client, dept):
    from govhub.wechat.models import MenuButton

    account = make_account(dept)
    MenuButton.objects.create(
        account=account,
        name="办事大厅地址",
        kind="click",
        key="HALL",
        reply_text="县政务服务中心：城关镇人民路 1 号",
    )
    res, push = post(client, account, event_xml(account.remote_id, "o-9", "CLICK", "HALL"))
    assert "人民路" in open_reply(account, res.content, push.query)["Content"]
    res, _ = post(
        client,
        account,
        event_xml(
            account.remote_id, "o-9", "VIEW", "https://example.org/", created=int(time.time()) + 2
        ),
    )
    assert res.content == b"success"


def test_images_and_locations_go_to_the_inbox_with_a_polite_reply(client, dept):
    account = make_account(dept)
    res, push = post(
        client,
        account,
        message_xml(
            account.remote_id,
            "o-10",
            "image",
            {"PicUrl": "http://mmbiz.example/p.jpg", "MediaId": "m2"},
        ),
    )
    assert "已收到" in open_reply(account, res.content, push.query)["Content"]
    assert InboxMessage.objects.get(sender_ref="o-10").text.startswith("[图片]")

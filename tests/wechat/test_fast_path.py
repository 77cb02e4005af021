"""The callback's middleware short-cut answers alike and keeps the endpoint's protections."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import override_settings

from govhub.inbox.models import InboxMessage
from govhub.wechat.simulate import open_reply, sign_push, text_xml
from tests.factories import make_department
from tests.wechat.helpers import make_account, make_entries, post, post_push

pytestmark = pytest.mark.django_db

SHORT_CUT = "govhub.wechat.views.CallbackMiddleware"
FAST = [SHORT_CUT, *(m for m in settings.MIDDLEWARE if m != SHORT_CUT)]


def test_the_site_runs_the_short_cut_first():
    assert settings.MIDDLEWARE[0] == SHORT_CUT


@pytest.fixture
def account(db):
    acc = make_account(make_department(name="县融媒体中心"))
    make_entries()
    return acc


@override_settings(MIDDLEWARE=FAST)
def test_answers_and_unanswered_questions_go_through_the_short_cut(client, account):
    res, push = post(client, account, text_xml(account.remote_id, "o-fast-1", "公积金怎么提取"))
    assert res.status_code == 200
    assert "公积金中心" in open_reply(account, res.content, push.query)["Content"]
    assert res["X-Frame-Options"] == "SAMEORIGIN"
    assert res["X-Content-Type-Options"] == "nosniff"
    assert "Content-Language" not in res  # LocaleMiddleware did not run: the short-cut did
    res, push = post(client, account, text_xml(account.remote_id, "o-fast-1", "我家门口的路灯坏了"))
    assert "转给工作人员" in open_reply(account, res.content, push.query)["Content"]
    assert InboxMessage.objects.filter(sender_ref="o-fast-1").count() == 1


@override_settings(MIDDLEWARE=FAST)
def test_the_short_cut_keeps_the_host_check_and_the_signature_check(client, account):
    push = sign_push(account, text_xml(account.remote_id, "o-fast-2", "你好"))
    res = post_push(client, account, push.query, push.body, HTTP_HOST="evil.example")
    assert res.status_code == 400
    res = post_push(client, account, dict(push.query, signature="0" * 40), push.body)
    assert res.status_code == 403


@override_settings(MIDDLEWARE=FAST, SECURE_SSL_REDIRECT=True)
def test_the_short_cut_keeps_the_https_redirect(client, account):
    res, _ = post(client, account, text_xml(account.remote_id, "o-fast-3", "你好"))
    assert res.status_code == 301 and res["Location"].startswith("https://")


@override_settings(MIDDLEWARE=FAST)
def test_other_paths_take_the_whole_middleware_stack(client):
    res = client.get("/wechat/callback/no-such/extra/")
    assert res.status_code == 404


@pytest.mark.parametrize(
    "xml",
    [
        text_xml("gh_x", "o-parse", "  怎么办理居住证 "),
        text_xml("gh_x", "o-parse", ""),
        "<xml><ToUserName>gh_x</ToUserName><FromUserName>o-e</FromUserName>"
        "<CreateTime>1700000000</CreateTime><MsgType>event</MsgType><Event>subscribe</Event>"
        "<EventKey>qrscene_7</EventKey></xml>",
    ],
)
def test_a_message_built_from_the_parsed_tree_equals_wechatpys(xml):
    from defusedxml import ElementTree
    from wechatpy import parse_message

    from govhub.wechat.protocol import message_from

    ours, theirs = message_from(ElementTree.fromstring(xml), xml), parse_message(xml)
    assert type(ours) is type(theirs)
    assert ours._data == theirs._data
    assert (ours.source, ours.type, ours.id) == (theirs.source, theirs.type, theirs.id)

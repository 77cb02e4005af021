"""The unified inbox: intake from every channel, assignment, replies through the origin channel."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from govhub.inbox import actions
from govhub.inbox.intake import receive_message
from govhub.inbox.models import InboxMessage, Status
from tests.factories import make_user
from tests.fakes.wechat_messaging import FakeWeChatMessaging
from tests.wechat.helpers import make_account

pytestmark = pytest.mark.django_db


def test_receive_message_is_idempotent_per_channel_and_remote_id(county):
    kw = dict(channel="weibo_comment", sender_ref="58300", text="河水有异味", remote_id="c-1")
    m1, created1 = receive_message(**kw)
    m2, created2 = receive_message(**kw)
    assert created1 and not created2 and m1.pk == m2.pk
    receive_message(**dict(kw, channel="weibo_mention"))
    assert InboxMessage.objects.count() == 2
    with pytest.raises(ValueError):
        receive_message(**dict(kw, channel="fax"))


def test_a_wechat_reply_inside_48_hours_is_sent_as_customer_service_message(
    county, django_capture_on_commit_callbacks
):
    with FakeWeChatMessaging() as fake:
        account = make_account(county.dept("rmt"), api_base=fake.url)
        msg, _ = receive_message(
            channel="wechat", account=account, sender_ref="o-in-1", text="路灯坏了", remote_id="w-1"
        )
        editor = county.user("editor")
        with django_capture_on_commit_callbacks(execute=True):
            actions.reply_to_message(editor, msg, "已通知城管局，两天内修复。")
        assert len(fake.sent) == 1
        sent = fake.sent[0]
        assert (sent["touser"], sent["msgtype"]) == ("o-in-1", "text")
        text, link = sent["text"]["content"].split("\n\n请对本次答复评价：")
        assert text == "已通知城管局，两天内修复。"
    # the link in the message opens the five-level 好差评 of this reply
    page = Client().get(link.split(settings.SITE_URL, 1)[1]).content.decode()
    assert "评价对象：留言回复“微信留言”" in page and "非常不满意" in page
    msg.refresh_from_db()
    assert msg.status == Status.REPLIED and msg.first_response_at and msg.assigned_to == editor
    assert msg.replies.get().delivered


def test_a_wechat_reply_after_48_hours_is_refused_and_changes_nothing(county):
    account = make_account(county.dept("rmt"))
    old = timezone.now() - dt.timedelta(hours=49)
    msg, _ = receive_message(
        channel="wechat",
        account=account,
        sender_ref="o-in-2",
        text="路灯",
        remote_id="w-2",
        received_at=old,
    )
    with pytest.raises(actions.InboxError, match="48 小时"):
        actions.reply_to_message(county.user("editor"), msg, "回复")
    msg.refresh_from_db()
    assert msg.status == Status.NEW and not msg.replies.exists()


def test_assign_convert_to_letter_and_spam(county):
    from govhub.letters.models import Letter

    editor = county.user("editor")
    m1, _ = receive_message(
        channel="chat",
        sender_ref="chat-x",
        text="小区物业乱收停车费，希望有关部门管一管。",
        remote_id="x1",
    )
    actions.assign_message(editor, m1, editor)
    letter_id = actions.convert_to_letter(editor, m1)
    assert Letter.objects.get(pk=letter_id).content.startswith("小区物业")
    assert actions.convert_to_letter(editor, m1) == letter_id  # twice → one letter
    m1.refresh_from_db()
    assert m1.status == Status.LETTER
    m2, _ = receive_message(
        channel="chat", sender_ref="chat-y", text="加微信领红包", remote_id="x2"
    )
    actions.mark_spam(editor, m2)
    with pytest.raises(actions.InboxError):
        actions.reply_to_message(editor, InboxMessage.objects.get(pk=m2.pk), "hi")


def test_someone_without_an_inbox_role_cannot_act(county):
    msg, _ = receive_message(channel="chat", sender_ref="chat-z", text="问题", remote_id="z1")
    with pytest.raises(PermissionDenied):
        actions.reply_to_message(make_user(), msg, "回复")
    assert not msg.replies.exists()


def test_staff_see_the_inbox_with_time_to_first_response(client, county):
    editor = county.user("editor")
    msg, _ = receive_message(
        channel="chat",
        sender_ref="chat-q",
        text="图书馆几点开门",
        remote_id="q1",
        received_at=timezone.now() - dt.timedelta(minutes=30),
    )
    actions.reply_to_message(editor, msg, "9 点开门。")
    client.force_login(editor)
    page = client.get("/admin/inbox/?status=all").content.decode()
    assert "图书馆几点开门" in page and "中位数 30 分钟" in page
    res = client.post(f"/admin/inbox/{msg.pk}/act/reply/", {"text": ""}, follow=True)
    assert "回复内容不能为空" in res.content.decode()
    client.force_login(make_user())
    assert client.get(f"/admin/inbox/{msg.pk}/").status_code in (302, 403, 404)


def test_a_weibo_message_turned_into_a_letter_answers_where_it_came_from(county):
    """The letter remembers the account and the post, so its notices go back as a comment on the
    citizen's mention (or into the private conversation)."""
    from govhub.letters.models import Letter
    from tests.publishing.factories import simple_account

    account = simple_account(county.dept("rmt"), "weibo")
    editor = county.user("editor")
    mention, _ = receive_message(
        channel="weibo_mention",
        account=account,
        sender_ref="58301",
        text="@示范县发布 城东菜市场门口的排水沟堵了半个月，一下雨就积水。",
        remote_id="m-9",
        meta={"status_id": "4900001"},
    )
    dm, _ = receive_message(
        channel="weibo_dm",
        account=account,
        sender_ref="58302",
        text="我想反映一下小区门口的路灯已经坏了一个月了。",
        remote_id="dm-9",
    )
    letter = Letter.objects.get(pk=actions.convert_to_letter(editor, mention))
    assert letter.channel_account == account
    assert letter.channel_ref == {"kind": "mention", "status_id": "4900001", "remote_id": "m-9"}
    letter = Letter.objects.get(pk=actions.convert_to_letter(editor, dm))
    assert letter.channel_account == account and letter.channel_ref["kind"] == "dm"


def test_weibo_comment_and_private_message_replies_go_through_the_outbox(
    county, django_capture_on_commit_callbacks, fast_outbox
):
    """A reply to a comment under one of our posts, and a private-message reply: queued in the
    reply's transaction, sent after commit, shown to staff in the outbox's words."""
    from tests.fakes.weibo_api import FakeWeiboApi
    from tests.publishing.factories import weibo_account

    with FakeWeiboApi() as fake:
        account = weibo_account(county.dept("rmt"), fake)
        post = fake.add_mention("5550001", "示范县发布：冬季供暖时间调整")
        cid = fake.add_comment(post, "58300", "我们小区暖气不热")
        fake.add_private_message("58302", "路灯坏了一个月了")
        comment, _ = receive_message(
            channel="weibo_comment",
            account=account,
            sender_ref="58300",
            text="我们小区暖气不热",
            remote_id=cid,
            meta={"status_id": post},
        )
        dm, _ = receive_message(
            channel="weibo_dm", account=account, sender_ref="58302", text="路灯", remote_id="dm-1"
        )
        editor = county.user("editor")
        with django_capture_on_commit_callbacks(execute=True):
            actions.reply_to_message(editor, comment, "已转供热公司，今天上门检修。")
        with django_capture_on_commit_callbacks(execute=True):
            actions.reply_to_message(editor, dm, "已通知城管局，两天内修复。")
        (mine,) = fake.own_comments()
        assert mine["text"] == "已转供热公司，今天上门检修。"
        assert mine["reply_comment"]["idstr"] == cid
        # the private message carries its 好差评 link; the public comment does not
        assert [r["text"].split("\n\n请对本次答复评价：http")[0] for r in fake.replies] == [
            "已通知城管局，两天内修复。"
        ]
        assert "/ratings/rate/?t=" in fake.replies[0]["text"]
    for msg, label in ((comment, "已发送"), (dm, "已发送")):
        reply = msg.replies.get()
        assert reply.delivered and reply.delivery_status == label


def test_a_weibo_comment_that_timed_out_after_posting_is_found_not_posted_twice(
    county, django_capture_on_commit_callbacks, fast_outbox
):
    """Ask-before-retry for comments: the retry finds our comment among comments/by_me."""
    from govhub.channels.outbox import run_outbox
    from tests.fakes.weibo_api import FakeWeiboApi
    from tests.publishing.factories import weibo_account

    with FakeWeiboApi() as fake:
        fake.slow_seconds = 1.0
        account = weibo_account(county.dept("rmt"), fake)
        post = fake.add_mention("58301", "@示范县发布 城东排水沟堵了")
        mention, _ = receive_message(
            channel="weibo_mention",
            account=account,
            sender_ref="58301",
            text="@示范县发布 城东排水沟堵了",
            remote_id=post,
            meta={"status_id": post},
        )
        fake.fail_next(1, "timeout_after", paths=["/2/comments/create.json"])
        with django_capture_on_commit_callbacks(execute=True):
            actions.reply_to_message(county.user("editor"), mention, "已派人疏通。")
        out = mention.replies.get().outbound.get()
        assert out.state == "retrying" and out.needs_lookup
        run_outbox()
        out.refresh_from_db()
        assert out.state == "sent"
        assert len(fake.own_comments("已派人疏通。")) == 1
        assert out.events.filter(kind="found").exists()

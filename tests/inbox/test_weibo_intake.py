"""Letters from Weibo against the fake Weibo API: a private message or a mention that asks for a
letter (写信 / #领导信箱#) becomes one and is answered in the same conversation — private
message reply for a private message, a comment on the post for a mention; anything else lands
in the unified inbox. Fetching twice makes nothing twice."""

from __future__ import annotations

import pytest

from govhub.inbox import weibo_intake
from govhub.inbox.models import InboxMessage
from govhub.letters.models import Letter, Status
from tests.fakes.weibo_api import FakeWeiboApi
from tests.publishing.factories import weibo_account

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _jobs_run_at_once(settings):
    """Notices are queued jobs; here they run when queued (a worker would run them)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def weibo():
    with FakeWeiboApi() as fake:
        yield fake


@pytest.fixture
def account(county, weibo):
    return weibo_account(county.dept("rmt"), weibo)


def _as(client, user):
    c = client.__class__()
    c.force_login(user)
    return c


def test_choosing_letter_by_private_message_makes_a_letter_answered_by_private_message(
    client, county, weibo, account, django_capture_on_commit_callbacks
):
    weibo.add_private_message("7001", "写信：我们村到镇上的桥出现裂缝，车辆还在通行，很危险。")
    with django_capture_on_commit_callbacks(execute=True):
        counts = weibo_intake.poll_account(account)
    assert counts == {"letter": 1, "inbox": 0}
    lt = Letter.objects.get()
    assert lt.channel == "weibo" and lt.citizen.weibo_uid == "7001"
    assert lt.content == "我们村到镇上的桥出现裂缝，车辆还在通行，很危险。"
    assert lt.channel_account == account and lt.channel_ref["kind"] == "dm"
    (receipt,) = weibo.replies
    assert receipt["receiver_id"] == "7001" and lt.tracking_code in receipt["text"]
    assert "手机号后四位" not in receipt["text"]  # no phone left: no portal lookup promised

    with django_capture_on_commit_callbacks(execute=True):
        _as(client, county.user("dispatcher")).post(
            f"/admin/letters/{lt.pk}/act/dispatch/", {"department": county.dept("jtj").pk}
        )
    assert "县交通运输局" in weibo.replies[-1]["text"]
    handler = _as(client, county.user("jtj_handler"))
    handler.post(f"/admin/letters/{lt.pk}/act/accept/", {})
    handler.post(
        f"/admin/letters/{lt.pk}/act/draft/",
        {"body": "已对桥梁限行并安排加固。", "submit": "1"},
    )
    from tests.factories import make_user

    reviewer = make_user("jtj_rev", department=county.dept("jtj"), role="reviewer")
    with django_capture_on_commit_callbacks(execute=True):
        r = _as(client, reviewer).post(
            f"/api/letters/{lt.pk}/review", {"approve": True}, content_type="application/json"
        )
    assert r.status_code == 200, r.content
    lt.refresh_from_db()
    assert lt.status == Status.REPLIED
    assert "已对桥梁限行并安排加固" in weibo.replies[-1]["text"]
    assert len(weibo.replies) == 3
    assert lt.replies.get().deliveries.get(platform="weibo").state == "sent"

    # fetched again: the same messages make nothing new
    with django_capture_on_commit_callbacks(execute=True):
        assert weibo_intake.poll_account(account) == {"letter": 0, "inbox": 0}
    from django.core.cache import cache

    cache.clear()  # the since-id lost: a full re-fetch is still idempotent
    with django_capture_on_commit_callbacks(execute=True):
        weibo_intake.poll_account(account)
    assert Letter.objects.count() == 1 and len(weibo.replies) == 3


def test_a_mention_with_the_mailbox_tag_is_answered_by_a_comment(
    county, weibo, account, django_capture_on_commit_callbacks
):
    sid = weibo.add_mention(
        "7002", "@示范县发布 #领导信箱# 城关镇菜市场门口下水道堵塞，污水漫到路面好几天了。"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert weibo_intake.poll_account(account) == {"letter": 1, "inbox": 0}
    lt = Letter.objects.get()
    assert lt.content.startswith("城关镇菜市场门口下水道堵塞")
    assert lt.channel_ref == {"kind": "mention", "status_id": sid, "remote_id": sid}
    (comment,) = weibo.comments[sid]
    assert lt.tracking_code in comment["text"] and len(comment["text"]) <= 140
    assert weibo.replies == []  # a mention is not answered by private message


def test_other_messages_land_in_the_inbox(county, weibo, account):
    weibo.add_private_message("7003", "请问社保卡在哪里补办？")
    weibo.add_mention("7004", "@示范县发布 今天的发布会什么时候开始")
    weibo.add_private_message("7005", "写信")  # asked, but wrote nothing: staff see it
    assert weibo_intake.poll_account(account) == {"letter": 0, "inbox": 3}
    channels = sorted(InboxMessage.objects.values_list("channel", "sender_ref"))
    assert channels == [("weibo_dm", "7003"), ("weibo_dm", "7005"), ("weibo_mention", "7004")]
    mention = InboxMessage.objects.get(channel="weibo_mention")
    assert mention.meta["status_id"] == mention.remote_id and mention.account == account
    assert Letter.objects.count() == 0
    assert weibo_intake.poll_account(account) == {"letter": 0, "inbox": 0}


def test_an_expired_token_is_reported_and_other_accounts_still_poll(county, weibo, account):
    from govhub.inbox.jobs import poll_weibo_messages as poll_weibo_letters

    weibo.add_private_message("7006", "写信：小区门口的井盖丢了，晚上有人差点掉进去。")
    weibo.expire_token("weibo-fake-token")
    assert weibo_intake.poll_all() == {"letter": 0, "inbox": 0, "failed": 1}
    weibo.tokens["weibo-fake-token"] = "5550001"
    weibo.expired.clear()
    assert poll_weibo_letters.call() == {"letter": 1, "inbox": 0, "failed": 0}


@pytest.mark.parametrize(
    "text,wanted",
    [
        ("写信：路灯坏了很久了没人修", True),
        ("@示范县发布 写信 路灯坏了很久了没人修", True),
        ("#县长信箱# 路灯坏了", True),
        ("我想问一下怎么写信", False),
        ("路灯坏了", False),
    ],
)
def test_what_counts_as_choosing_letter(text, wanted):
    assert weibo_intake.wants_letter(text) is wanted

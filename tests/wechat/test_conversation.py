"""A citizen nobody could answer leaves a letter through a short guided conversation."""

from __future__ import annotations

import time

import pytest

from govhub.inbox.models import InboxMessage
from govhub.wechat.simulate import open_reply, text_xml
from tests.wechat.helpers import make_account, make_entries, post

pytestmark = pytest.mark.django_db


def say(client, account, openid, text):
    res, push = post(client, account, text_xml(account.remote_id, openid, text))
    assert res.status_code == 200
    return open_reply(account, res.content, push.query).get("Content", "")


def test_unanswered_question_then_leave_a_letter_with_a_phone_number(client, county):
    from govhub.letters.models import Letter

    account = make_account(county.dept("rmt"))
    make_entries()
    reply = say(client, account, "o-c1", "我们村到镇上的路坑坑洼洼的，什么时候能修")
    assert "回复「1」" in reply
    assert InboxMessage.objects.filter(sender_ref="o-c1").count() == 1
    assert "手机号" in say(client, account, "o-c1", "1")
    assert "格式不对" in say(client, account, "o-c1", "12345")
    reply = say(client, account, "o-c1", "13812345678")
    assert "查询码" in reply
    letter = Letter.objects.get(channel="wechat")
    assert letter.tracking_code in reply
    assert "坑坑洼洼" in letter.content


def test_a_short_letter_is_asked_again_and_cancel_leaves_the_conversation(client, county):
    from govhub.letters.models import Letter

    account = make_account(county.dept("rmt"))
    make_entries()
    assert "反映的问题" in say(client, account, "o-c2", "留言")
    assert "太短" in say(client, account, "o-c2", "修路")
    assert "已取消" in say(client, account, "o-c2", "取消")
    assert "派出所" in say(client, account, "o-c2", "怎么办理居住证")
    assert not Letter.objects.exists()


def test_choosing_to_wait_for_a_person_keeps_the_inbox_entry(client, county):
    account = make_account(county.dept("rmt"))
    make_entries()
    say(client, account, "o-c3", "县里今年有没有针对大学生的租房补贴政策")
    time.sleep(0.01)
    assert "工作人员" in say(client, account, "o-c3", "2")
    assert InboxMessage.objects.get(sender_ref="o-c3").status == "new"


def test_a_keyword_rule_wins_over_the_knowledge_base(client, county):
    from govhub.qa.engine import bump_version
    from govhub.qa.models import KeywordRule

    account = make_account(county.dept("rmt"))
    make_entries()
    KeywordRule.objects.create(
        name="居住证专项",
        keywords="居住证",
        match_type="contains",
        reply_text="居住证集中办理周：本周六照常受理。",
        priority=5,
        account=account,
    )
    bump_version()
    assert "集中办理周" in say(client, account, "o-c4", "怎么办理居住证")


def test_a_new_unanswered_question_replaces_the_open_offer(client, county):
    from govhub.wechat.models import Conversation

    account = make_account(county.dept("rmt"))
    make_entries()
    say(client, account, "o-c5", "县里今年有没有针对大学生的租房补贴政策")
    assert "回复「1」" in say(client, account, "o-c5", "我们小区的路灯坏了半个月了没人修")
    conv = Conversation.objects.get(openid="o-c5")
    assert (conv.flow, conv.data["question"]) == ("offer", "我们小区的路灯坏了半个月了没人修")
    assert InboxMessage.objects.filter(sender_ref="o-c5").count() == 2
    assert "路灯坏了" in say(client, account, "o-c5", "1")


def test_an_answered_question_closes_the_open_offer(client, county):
    from govhub.wechat.models import Conversation

    account = make_account(county.dept("rmt"))
    make_entries()
    say(client, account, "o-c6", "县里今年有没有针对大学生的租房补贴政策")
    assert Conversation.objects.filter(openid="o-c6").exists()
    assert "派出所" in say(client, account, "o-c6", "怎么办理居住证")
    assert not Conversation.objects.filter(openid="o-c6").exists()
    assert InboxMessage.objects.filter(sender_ref="o-c6").count() == 1


def _lapse(openid: str) -> None:
    """As if the sender had said nothing for longer than a conversation lives."""
    import datetime as dt

    from django.utils import timezone

    from govhub.wechat.models import CONVERSATION_TTL, Conversation

    past = timezone.now() - CONVERSATION_TTL - dt.timedelta(minutes=1)
    assert Conversation.objects.filter(openid=openid).update(updated_at=past) == 1


def test_a_one_typed_after_the_offer_lapsed_is_not_taken_as_the_offer(client, county):
    from govhub.letters.models import Letter

    account = make_account(county.dept("rmt"))
    make_entries()
    assert "回复「1」" in say(client, account, "o-c9", "我们小区门口的路灯坏了半个多月了")
    _lapse("o-c9")
    reply = say(client, account, "o-c9", "1")
    assert "手机号" not in reply and "登记信件" not in reply
    assert not Letter.objects.exists()


def test_a_question_after_a_lapsed_letter_is_answered_not_taken_as_its_content(client, county):
    account = make_account(county.dept("rmt"))
    make_entries()
    assert "反映的问题" in say(client, account, "o-c10", "留言")
    _lapse("o-c10")
    assert "派出所" in say(client, account, "o-c10", "怎么办理居住证")


def test_the_daily_purge_keeps_recent_records_and_live_conversations(county):
    import datetime as dt

    from django.utils import timezone

    from govhub.core import jobs
    from govhub.wechat.delivered import purge
    from govhub.wechat.models import CONVERSATION_TTL, KEEP_DELIVERED, Conversation
    from govhub.wechat.models import DeliveredMessage as Delivered

    account = make_account(county.dept("rmt"))
    now = timezone.now()
    for key, age in [("old", KEEP_DELIVERED + dt.timedelta(hours=1)), ("new", dt.timedelta(0))]:
        Delivered.objects.create(
            account=account, dedupe_key=key, openid="o", msg_type="text:", received_at=now - age
        )
    for openid in ("o-live", "o-lapsed"):
        Conversation.objects.create(account=account, openid=openid, flow="offer", step="choose")
    Conversation.objects.filter(openid="o-lapsed").update(
        updated_at=now - CONVERSATION_TTL - dt.timedelta(seconds=1)
    )
    assert purge(now) == {"delivered": 1, "conversations": 1}
    assert list(Delivered.objects.values_list("dedupe_key", flat=True)) == ["new"]
    assert list(Conversation.objects.values_list("openid", flat=True)) == ["o-live"]
    jobs.load_job_modules()
    assert jobs.PERIODIC["wechat.purge"].at_hour == 3  # the worker runs it nightly


def test_a_citizen_looks_up_the_letters_left_through_the_account(client, county):
    """No phone was left, so the portal cannot look the letter up: "查询" and the menu's
    我的信件 button list the sender's own letters, with the approved answer once replied."""
    from govhub.letters.models import Letter, Reply, ReplyStatus, Status
    from govhub.wechat.simulate import event_xml

    account = make_account(county.dept("rmt"))
    make_entries()
    assert "还没有" in say(client, account, "o-c11", "查询")
    say(client, account, "o-c11", "留言")
    say(client, account, "o-c11", "我们村东头的桥栏杆断了两根，孩子上学经过很危险")
    filed = say(client, account, "o-c11", "跳过")
    letter = Letter.objects.get(channel="wechat")
    assert letter.tracking_code in filed
    listed = say(client, account, "o-c11", "查询")
    assert letter.tracking_code in listed and "待分办" in listed and "前答复" in listed
    assert "还没有" in say(client, account, "o-someone-else", "我的信件")

    Reply.objects.create(
        letter=letter,
        department=county.dept("rmt"),
        body="您好，乡镇已于本周修复桥栏杆，感谢您的监督。",
        status=ReplyStatus.APPROVED,
    )
    Letter.objects.filter(pk=letter.pk).update(status=Status.REPLIED)
    res, push = post(client, account, event_xml(account.remote_id, "o-c11", "CLICK", "MY_LETTERS"))
    clicked = open_reply(account, res.content, push.query)["Content"]
    assert "已答复" in clicked and "修复桥栏杆" in clicked and letter.tracking_code in clicked


def test_the_letters_listed_are_the_senders_own_even_under_a_shared_phone_number(client, county):
    """The citizen record is matched by an unverified phone number: someone who gives another
    person's number must not see that person's letters through "查询"."""
    from django.contrib.auth import get_user_model

    from govhub.inbox.actions import convert_to_letter
    from govhub.inbox.models import InboxMessage
    from govhub.letters.models import Letter

    account = make_account(county.dept("rmt"))
    make_entries()
    codes = {}
    for openid, content in [
        ("o-owner", "我家楼上漏水已经一个月了，物业一直不处理，请帮忙协调"),
        ("o-other", "小区门口的夜市太吵了，晚上十二点还有人在烧烤喝酒"),
    ]:
        say(client, account, openid, "留言")
        say(client, account, openid, content)
        filed = say(client, account, openid, "13812345678")  # the same number for both
        codes[openid] = filed.split("查询码：")[1][:14]
    assert codes["o-owner"] in say(client, account, "o-owner", "查询")
    listed = say(client, account, "o-other", "查询")
    assert codes["o-other"] in listed and codes["o-owner"] not in listed

    # a message staff turned into a letter from the inbox is listed for its sender too
    say(client, account, "o-inbox", "县医院门口的停车场收费太贵了，一小时十块钱")
    msg = InboxMessage.objects.get(sender_ref="o-inbox")
    letter = Letter.objects.get(
        pk=convert_to_letter(get_user_model().objects.get(username="admin"), msg)
    )
    assert letter.tracking_code in say(client, account, "o-inbox", "查询")

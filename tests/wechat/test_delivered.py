"""Answered questions' dedup rows are written in batches, and retries are still recognised."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from govhub.inbox.models import InboxMessage
from govhub.wechat import delivered
from govhub.wechat.models import Conversation, DeliveredMessage
from govhub.wechat.simulate import open_reply, text_xml
from tests.factories import make_department
from tests.wechat.helpers import make_account, make_entries, post
from tests.wechat.test_retries import _deliver_concurrently


@pytest.fixture
def account(transactional_db):
    acc = make_account(make_department(name="县融媒体中心"))
    make_entries()
    return acc


def _rows(account) -> list[DeliveredMessage]:
    return list(DeliveredMessage.objects.filter(account=account))


def test_an_answered_question_is_recorded_by_the_writer_thread(client, account, settings):
    settings.WECHAT_DELIVERY_DELAY = 0.05
    before = timezone.now()
    xml = text_xml(account.remote_id, "o-batch-1", "公积金怎么提取", msg_id=88001)
    res, push = post(client, account, xml)
    assert "公积金中心" in open_reply(account, res.content, push.query)["Content"]
    deadline = time.monotonic() + 5
    while (delivered._pending or not _rows(account)) and time.monotonic() < deadline:
        time.sleep(0.02)
    [row] = _rows(account)
    assert row.reply_xml == res.content.decode()
    assert row.openid == "o-batch-1" and row.done
    assert before <= row.received_at <= timezone.now()  # when it was answered, not written
    assert not delivered._pending  # written: the retry below is answered from the database
    again, _ = post(client, account, xml)
    assert again.content == res.content
    assert len(_rows(account)) == 1


def test_a_retry_before_the_write_gets_the_same_reply_from_memory(client, account, settings):
    settings.WECHAT_DELIVERY_DELAY = 60  # the writer thread waits: the row stays in memory
    xml = text_xml(account.remote_id, "o-batch-2", "新生儿医保怎么办理", msg_id=88002)
    first, _ = post(client, account, xml)
    assert _rows(account) == []
    second, _ = post(client, account, xml)
    assert second.content == first.content
    assert delivered.flush() == 1
    [row] = _rows(account)
    assert row.reply_xml == first.content.decode()
    assert delivered.flush() == 0  # written once


def test_a_row_the_database_refused_is_written_at_the_next_turn(
    client, account, settings, monkeypatch
):
    settings.WECHAT_DELIVERY_DELAY = 60
    post(client, account, text_xml(account.remote_id, "o-batch-3", "怎么办理居住证"))
    real = DeliveredMessage.objects.bulk_create

    def refuse(*args, **kwargs):
        raise RuntimeError("database is locked")

    monkeypatch.setattr(DeliveredMessage.objects, "bulk_create", refuse)
    with pytest.raises(RuntimeError):
        delivered.flush()
    monkeypatch.setattr(DeliveredMessage.objects, "bulk_create", real)
    assert delivered.flush() == 1
    assert len(_rows(account)) == 1


def test_four_deliveries_of_an_answered_question_at_once_get_one_reply_and_one_row(
    live_server, account, settings
):
    settings.WECHAT_DELIVERY_DELAY = 0.05
    xml = text_xml(account.remote_id, "o-batch-4", "公积金怎么提取", msg_id=88004)
    results, push = _deliver_concurrently(live_server, account, xml)
    assert [r.status_code for r in results] == [200] * 4
    assert len({r.content for r in results}) == 1
    assert "公积金中心" in open_reply(account, results[0].content, push.query)["Content"]
    delivered.flush()
    assert len(_rows(account)) == 1
    assert not InboxMessage.objects.filter(sender_ref="o-batch-4").exists()


def test_a_question_inside_a_conversation_is_recorded_with_its_effects(client, account, settings):
    settings.WECHAT_DELIVERY_DELAY = 60
    Conversation.objects.create(
        account=account, openid="o-batch-5", flow="letter", step="content", data={}
    )
    # an answerable question, but the sender is writing a letter: it is the letter's content
    res, push = post(
        client, account, text_xml(account.remote_id, "o-batch-5", "公积金怎么提取好几次都没办成")
    )
    assert "手机号" in open_reply(account, res.content, push.query)["Content"]
    assert len(_rows(account)) == 1  # written in the conversation's transaction, not batched
    assert Conversation.objects.get(openid="o-batch-5").step == "phone"


def test_a_stopped_writer_ends_at_once_and_the_next_answer_starts_a_new_one(
    client, account, settings
):
    settings.WECHAT_DELIVERY_DELAY = 60  # the thread sleeps a minute before its turn
    post(client, account, text_xml(account.remote_id, "o-batch-7", "新生儿医保怎么办理"))
    sleeping = delivered._writer[0]
    assert sleeping is not None and sleeping.is_alive()
    started = time.monotonic()
    delivered.stop_writer()
    assert not sleeping.is_alive() and time.monotonic() - started < 2
    assert len(delivered._pending) == 1  # what waited stays in memory, unwritten
    settings.WECHAT_DELIVERY_DELAY = 0.05
    post(client, account, text_xml(account.remote_id, "o-batch-8", "公积金怎么提取"))
    assert delivered._writer[0] is not sleeping
    deadline = time.monotonic() + 5
    while delivered._pending and time.monotonic() < deadline:
        time.sleep(0.02)
    assert {row.openid for row in _rows(account)} == {"o-batch-7", "o-batch-8"}

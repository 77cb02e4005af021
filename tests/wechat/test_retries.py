"""WeChat retries: the same push four times at once is processed once and answered alike."""

from __future__ import annotations

import threading
import time
from urllib.parse import urlencode

import pytest
import requests

from govhub.inbox.models import InboxMessage
from govhub.wechat.models import Conversation
from govhub.wechat.simulate import open_reply, sign_push, text_xml
from tests.factories import make_department
from tests.wechat.helpers import make_account, make_entries, post


def _deliver_concurrently(live_server, account, xml, n=4):
    """Four deliveries released at once. The in-memory SQLite test database shares one
    connection between the live server's threads, so there the requests are serialised (the
    retries then arrive back to back); on PostgreSQL they really run at the same time."""
    from django.db import connection

    push = sign_push(account, xml)
    url = f"{live_server.url}/wechat/callback/{account.slug}/?{urlencode(push.query)}"
    results, barrier = [None] * n, threading.Barrier(n)
    gate = threading.Lock() if connection.vendor == "sqlite" else None

    def send(i):
        barrier.wait()
        if gate is None:
            results[i] = requests.post(
                url, data=push.body, headers={"Content-Type": "text/xml"}, timeout=20
            )
        else:
            with gate:
                results[i] = requests.post(
                    url, data=push.body, headers={"Content-Type": "text/xml"}, timeout=20
                )

    threads = [threading.Thread(target=send, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, push


@pytest.mark.django_db(transaction=True)
def test_an_unanswered_question_delivered_four_times_at_once_makes_one_inbox_entry_and_one_reply(
    live_server,
):
    account = make_account(make_department(name="县融媒体中心"))
    make_entries()
    xml = text_xml(
        account.remote_id,
        "o-retry-1",
        "我家楼下的垃圾站每天早上五点就开始作业，太吵了",
        msg_id=77001,
    )
    results, push = _deliver_concurrently(live_server, account, xml)
    assert [r.status_code for r in results] == [200] * 4
    assert len({r.content for r in results}) == 1
    assert "转给工作人员" in open_reply(account, results[0].content, push.query)["Content"]
    assert InboxMessage.objects.filter(sender_ref="o-retry-1").count() == 1
    from govhub.qa.models import UnansweredQuestion
    from govhub.wechat.handlers import flush_hits

    flush_hits()  # counted in memory, written in batches; once per message, not per delivery
    assert UnansweredQuestion.objects.get().count == 1


@pytest.mark.django_db(transaction=True)
def test_the_last_step_of_a_letter_delivered_four_times_at_once_makes_one_letter(live_server):
    from govhub.core.demo import build_core
    from govhub.letters.models import Letter

    build_core()
    account = make_account(make_department(name="县融媒体中心2"))
    Conversation.objects.create(
        account=account,
        openid="o-retry-2",
        flow="letter",
        step="phone",
        data={"content": "村里的自来水这一周每天下午都停水，希望尽快解决。"},
    )
    xml = text_xml(account.remote_id, "o-retry-2", "跳过", msg_id=77002)
    results, push = _deliver_concurrently(live_server, account, xml)
    assert [r.status_code for r in results] == [200] * 4, [r.text[:300] for r in results]
    assert len({r.content for r in results}) == 1
    assert "查询码" in open_reply(account, results[0].content, push.query)["Content"]
    assert Letter.objects.filter(channel="wechat").count() == 1


@pytest.mark.django_db
def test_a_later_retry_gets_the_stored_reply_byte_for_byte(client):
    account = make_account(make_department(name="县融媒体中心3"))
    make_entries()
    xml = text_xml(account.remote_id, "o-retry-3", "公积金怎么提取", msg_id=77003)
    first, _ = post(client, account, xml)
    time.sleep(1.1)
    second, _ = post(client, account, xml)
    assert first.content == second.content
    from govhub.qa.models import KnowledgeEntry
    from govhub.wechat.handlers import flush_hits

    flush_hits()  # hit counts are written in batches
    assert KnowledgeEntry.objects.get(question="公积金怎么提取").hits == 1

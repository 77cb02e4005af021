"""Asking through the API and the /qa/ page; handing a question over to staff."""

from __future__ import annotations

import pytest

from govhub.inbox.models import InboxMessage
from tests.wechat.helpers import make_entries

pytestmark = pytest.mark.django_db


def test_ask_answers_from_the_knowledge_base(client):
    make_entries()
    res = client.post("/api/qa/ask", {"question": "居住证去哪办"}, content_type="application/json")
    body = res.json()
    assert res.status_code == 200 and body["answered"] and "派出所" in body["text"]


def test_ask_offers_a_person_or_a_letter_when_nothing_fits(client):
    make_entries()
    body = client.post(
        "/api/qa/ask", {"question": "县里的体育馆什么时候开放"}, content_type="application/json"
    ).json()
    assert not body["answered"]
    assert {o["action"] for o in body["options"]} == {"handover", "letter"}


@pytest.mark.parametrize(
    "question, code", [("   ", "empty_question"), ("问" * 600, "question_too_long")]
)
def test_bad_questions_get_a_structured_error(client, question, code):
    res = client.post("/api/qa/ask", {"question": question}, content_type="application/json")
    assert res.status_code == 400 and res.json()["error"] == code


def test_chat_handover_lands_in_the_inbox_and_staff_replies_come_back(client, county):
    from govhub.inbox import actions

    res = client.post(
        "/api/qa/chat/handover",
        {"question": "体育馆开放时间", "session": "chat-abc123"},
        content_type="application/json",
    )
    assert res.status_code == 200
    msg = InboxMessage.objects.get(channel="chat")
    actions.reply_to_message(county.user("editor"), msg, "体育馆每天 8:00-21:00 开放。")
    replies = client.get("/api/qa/chat/replies", {"session": "chat-abc123"}).json()["replies"]
    assert replies[0]["text"].startswith("体育馆每天")
    assert client.get("/api/qa/chat/replies", {"session": "chat-other"}).json()["replies"] == []
    bad = client.post(
        "/api/qa/chat/handover",
        {"question": "x", "session": "steal"},
        content_type="application/json",
    )
    assert bad.status_code == 400


def test_the_no_js_page_answers_and_hands_over(client):
    make_entries()
    page = client.get("/qa/", {"q": "公积金怎么取出来"}).content.decode()
    assert "公积金中心" in page
    page = client.get("/qa/", {"q": "县城哪里可以游泳"}).content.decode()
    assert "转人工客服" in page
    res = client.post("/qa/handover/", {"q": "县城哪里可以游泳"})
    assert res.status_code == 302
    assert InboxMessage.objects.filter(channel="chat", text_redacted="县城哪里可以游泳").exists()
    assert "问题不能超过" in client.get("/qa/", {"q": "长" * 700}).content.decode()


def test_following_a_question_link_counts_nothing_asking_with_the_form_counts(client):
    """A GET (a suggestion link, a crawler, a prefetching browser) only reads; the form posts."""
    from govhub.qa.models import KnowledgeEntry, UnansweredQuestion

    make_entries()
    hits = sum(KnowledgeEntry.objects.values_list("hits", flat=True))
    client.get("/qa/", {"q": "公积金怎么取出来"})
    client.get("/qa/", {"q": "县城哪里可以游泳"})
    assert sum(KnowledgeEntry.objects.values_list("hits", flat=True)) == hits
    assert not UnansweredQuestion.objects.exists()
    page = client.post("/qa/", {"q": "县城哪里可以游泳"}).content.decode()
    assert "转人工客服" in page
    assert UnansweredQuestion.objects.filter(text="县城哪里可以游泳").exists()

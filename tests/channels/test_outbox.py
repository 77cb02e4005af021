"""The one outbox's API as other apps use it: written in the caller's transaction, sent after
commit, one message per key, encrypted personal data, one Chinese vocabulary everywhere."""

from __future__ import annotations

import re

import pytest
from django.db import connection, transaction

from govhub.channels import outbox
from govhub.channels.models import MessageKind, OutboundMessage
from govhub.channels.sms import LoggingSmsGateway
from tests.factories import make_department

pytestmark = pytest.mark.django_db


def _reminder(key="appointment:1:remind", phone="13900001111"):
    return outbox.enqueue(
        kind=MessageKind.APPOINTMENT_REMINDER,
        platform="sms",
        recipient=phone,
        payload={"short": "您预约的社保窗口明天上午9点办理，请带身份证。"},
        key=key,
        department=make_department(),
    )


def test_a_message_is_sent_after_the_callers_commit_and_once_per_key(
    django_capture_on_commit_callbacks,
):
    LoggingSmsGateway.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        m = _reminder()
        again = _reminder()  # the same key: the same message
        assert m.pk == again.pk and LoggingSmsGateway.outbox == []  # nothing inside
    assert len(callbacks) == 1  # one wake-up for the transaction
    callbacks[0]()
    m.refresh_from_db()
    assert m.state == "sent" and m.status_label == "已发送" and m.detail == "已发送短信"
    assert LoggingSmsGateway.outbox == [
        ("13900001111", "您预约的社保窗口明天上午9点办理，请带身份证。")
    ]
    assert m.summary == "短信：已发送（已发送短信）"


def test_a_rolled_back_change_sends_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        _reminder(key="appointment:2:remind")
        raise RuntimeError("the caller's change failed")
    assert not OutboundMessage.objects.filter(key="appointment:2:remind").exists()


def test_the_worker_refuses_to_send_inside_an_open_transaction():
    m = _reminder(key="appointment:3:remind")
    token = outbox.claim(m.pk)
    with transaction.atomic(), pytest.raises(RuntimeError, match="outside a transaction"):
        outbox.send_claimed(m.pk, token)


def test_recipient_and_payload_are_encrypted_at_rest():
    m = _reminder(key="appointment:4:remind", phone="13900004444")
    with connection.cursor() as cur:
        cur.execute(
            "select recipient, payload_data from channels_outboundmessage where id = %s", [m.pk]
        )
        recipient, payload = cur.fetchone()
    assert recipient.startswith("pii1:") and "13900004444" not in recipient
    assert payload.startswith("pii1:") and "社保" not in payload
    assert OutboundMessage.objects.get(pk=m.pk).payload["short"].startswith("您预约的")


def test_unknown_kind_and_missing_platform_are_refused():
    with pytest.raises(ValueError):
        outbox.enqueue(kind="fax", platform="sms", key="x")
    with pytest.raises(ValueError):
        outbox.enqueue(kind=MessageKind.SURVEY_INVITATION, key="y")


def test_the_back_office_outbox_lists_messages_in_chinese_without_recipients(client):
    from govhub.core.demo import build_core

    county = build_core()
    _reminder(key="appointment:5:remind", phone="13900005555")
    outbox.run_outbox()
    client.force_login(county.user("admin"))
    page = client.get("/admin/outbox/").content.decode()
    visible = re.sub(r"<[^>]+>", " ", page)  # what a person reads (not the filter's values)
    assert "预约提醒" in visible and "短信" in visible and "已发送" in visible
    assert "appointment_reminder" not in visible and "13900005555" not in page
    assert client.get("/admin/outbox/?state=sent").status_code == 200

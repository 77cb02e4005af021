"""Reliability and bad input that the other files do not cover: a crash before commit loses
nothing the citizen was told and leaves no file behind; HTML in every field stays text in the
back office, the API and the channels; a 50,000-character Weibo message does not become a letter
and does not break intake."""

from __future__ import annotations

import io
import os
import re
from unittest import mock

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from govhub.channels.models import OutboundMessage
from govhub.channels.sms import LoggingSmsGateway
from govhub.letters.models import Attachment, Letter

pytestmark = pytest.mark.django_db

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture(autouse=True)
def _private(settings, tmp_path):
    settings.LETTERS_PRIVATE_ROOT = str(tmp_path / "private")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(buf, format="PNG")
    return buf.getvalue()


def _files(root: str) -> list[str]:
    return [os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs]


def test_a_crash_before_commit_shows_no_code_sends_nothing_and_keeps_no_file(
    client, county, settings, django_capture_on_commit_callbacks
):
    LoggingSmsGateway.outbox.clear()
    html = client.get("/letters/write/").content.decode()
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    data = {
        "subject": "桥面破损",
        "content": "村口小桥的桥面破了一个大洞，晚上看不见很危险。",
        "name": "钱七",
        "phone": "13800001111",
        "email": "qian@example.cn",
        "token": token,
    }
    client.raise_request_exception = False
    with (
        mock.patch(  # the last step inside intake's transaction
            "govhub.letters.jobs.queue_routing",
            side_effect=RuntimeError("crashed before commit"),
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        resp = client.post(
            "/letters/write/",
            {**data, "attachments": SimpleUploadedFile("a.png", _png(), "image/png")},
        )
    assert resp.status_code == 500
    assert "查询码" not in resp.content.decode()
    assert Letter.objects.count() == 0 and Attachment.objects.count() == 0
    assert _files(settings.LETTERS_PRIVATE_ROOT) == []  # the rolled-back file is gone too
    assert (
        mail.outbox == []
        and LoggingSmsGateway.outbox == []
        and not OutboundMessage.objects.exists()
    )

    # the citizen presses submit again (same form, same token): one letter, one code, one file
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(
            "/letters/write/",
            {**data, "attachments": SimpleUploadedFile("a.png", _png(), "image/png")},
        )
    assert resp.status_code == 200
    lt = Letter.objects.get()
    assert lt.tracking_code in resp.content.decode()
    assert len(_files(settings.LETTERS_PRIVATE_ROOT)) == 1
    assert [m.subject for m in mail.outbox] == ["您的来信已收到"]


def test_html_in_every_field_is_text_in_the_back_office_and_the_api(client, county):
    from tests.letters.helpers import letter

    lt = letter(subject=EVIL[:60], content=EVIL + " 路灯坏了。", name=EVIL[:40])
    staff = client.__class__()
    staff.force_login(county.user("dispatcher"))
    page = staff.get(f"/admin/letters/{lt.pk}/").content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page
    queue = staff.get("/admin/letters/?tab=dispatch").content.decode()
    assert "<script>alert" not in queue
    detail = staff.get(f"/api/letters/{lt.pk}").json()
    assert detail["content"].startswith(EVIL)  # stored as typed: nothing lost
    r = staff.get(f"/api/letters/{lt.pk}")
    assert r["Content-Type"].startswith("application/json")


def test_html_and_huge_messages_from_weibo(county, django_capture_on_commit_callbacks):
    from govhub.inbox import weibo_intake
    from govhub.inbox.models import InboxMessage
    from tests.fakes.weibo_api import FakeWeiboApi
    from tests.publishing.factories import weibo_account

    with FakeWeiboApi() as weibo:
        account = weibo_account(county.dept("rmt"), weibo)
        weibo.add_private_message("8001", "写信：" + "很" * 50000)
        weibo.add_private_message("8002", "写信：" + EVIL + "小区门口积水严重。")
        with django_capture_on_commit_callbacks(execute=True):
            assert weibo_intake.poll_account(account) == {"letter": 1, "inbox": 1}
        big = InboxMessage.objects.get(sender_ref="8001")
        assert len(big.text) == 5000  # kept for staff, cut to the inbox's limit
        lt = Letter.objects.get()
        assert lt.content.startswith(EVIL)
        (receipt,) = weibo.replies
        assert receipt["receiver_id"] == "8002" and lt.tracking_code in receipt["text"]

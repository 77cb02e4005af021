"""Attachments are private: no public URL; the citizen reaches them only in a session that
proved code + last four digits, staff only when they may see the letter (back office and API);
the published archive shows none."""

from __future__ import annotations

import io
import os
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from govhub.letters import actions as lc
from govhub.letters.models import Attachment, Letter

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _jobs_run_at_once(settings):
    """Notices are queued jobs; here they run when queued (a worker would run them)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _private_dirs(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.LETTERS_PRIVATE_ROOT = str(tmp_path / "private")
    settings.LETTERS_X_ACCEL_PREFIX = ""
    return tmp_path


def _png(colour="red") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buf, format="PNG")
    return buf.getvalue()


def _write(client, phone="13912345678", colour="red") -> tuple[Letter, Attachment, bytes]:
    html = client.get("/letters/write/").content.decode()
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    data = _png(colour)
    resp = client.post(
        "/letters/write/",
        {
            "subject": "路边垃圾堆放",
            "content": "城关镇东街路口的垃圾堆了一周没人清理，附上照片。",
            "name": "李四",
            "phone": phone,
            "token": token,
            "publish_consent": "on",
            "attachments": SimpleUploadedFile("我的照片.png", data, content_type="image/png"),
        },
    )
    assert resp.status_code == 200
    code = re.search(r'id="tracking-code">([^<]+)<', resp.content.decode()).group(1)
    lt = Letter.objects.get(tracking_code=code)
    return lt, lt.attachments.get(), data


def _file_url(lt, att) -> str:
    return f"/letters/track/{lt.pk}/files/{att.pk}/"


def _body(resp) -> bytes:
    return b"".join(resp.streaming_content) if resp.streaming else resp.content


def test_files_are_stored_outside_public_media_under_random_names(client, county, settings):
    lt, att, data = _write(client)
    path = os.path.join(settings.LETTERS_PRIVATE_ROOT, att.file.name)
    with open(path, "rb") as fh:
        assert fh.read() == data
    assert "我的照片" not in att.file.name and re.search(r"/[0-9a-f]{24}\.png$", att.file.name)
    assert not os.path.exists(os.path.join(settings.MEDIA_ROOT, att.file.name))
    with pytest.raises(ValueError):
        att.file.url  # noqa: B018 - there is no public URL to hand out
    assert client.get("/media/" + att.file.name).status_code == 404


def test_citizen_downloads_own_file_after_lookup_and_nobody_else_does(client, county):
    lt, att, data = _write(client)
    # the writer's own session (remembered on submit) sees a download link and gets the bytes
    page = client.get(f"/letters/track/{lt.pk}/").content.decode()
    assert _file_url(lt, att) in page and "我的照片.png" in page
    resp = client.get(_file_url(lt, att))
    assert resp.status_code == 200 and _body(resp) == data
    assert resp["Content-Type"] == "image/png"
    assert resp["Content-Disposition"].startswith("attachment;")
    assert resp["X-Content-Type-Options"] == "nosniff" and "no-store" in resp["Cache-Control"]
    assert "sandbox" in resp["Content-Security-Policy"]

    anonymous = client.__class__()
    assert anonymous.get(_file_url(lt, att)).status_code == 404
    # a session that proved code + last four digits gets it too …
    resp = anonymous.post("/letters/track/", {"code": lt.tracking_code, "last4": "5678"})
    assert resp.status_code == 302
    assert _body(anonymous.get(_file_url(lt, att))) == data
    # … but a wrong number proves nothing
    stranger = client.__class__()
    stranger.post("/letters/track/", {"code": lt.tracking_code, "last4": "0000"})
    assert stranger.get(_file_url(lt, att)).status_code == 404


def test_a_verified_session_cannot_reach_another_letters_file(client, county):
    mine, my_att, _ = _write(client, phone="13900001111")
    other_client = client.__class__()
    theirs, their_att, _ = _write(other_client, phone="13900002222", colour="blue")
    # my letter's id with their attachment's id, and their letter outright: both 404
    assert client.get(f"/letters/track/{mine.pk}/files/{their_att.pk}/").status_code == 404
    assert client.get(_file_url(theirs, their_att)).status_code == 404
    assert client.get(_file_url(mine, my_att)).status_code == 200


def test_staff_see_files_only_of_letters_they_may_see(client, county):
    lt, att, data = _write(client.__class__())
    url = f"/admin/letters/{lt.pk}/files/{att.pk}/"
    staff = client.__class__()
    staff.force_login(county.user("dispatcher"))  # the intake office
    assert url in staff.get(f"/admin/letters/{lt.pk}/").content.decode()
    resp = staff.get(url)
    assert resp.status_code == 200 and _body(resp) == data
    lc.dispatch_letter(county.user("dispatcher"), lt, department=county.dept("rsj"))

    handler = client.__class__()
    handler.force_login(county.user("handler"))  # 人社局: the letter's department
    assert _body(handler.get(url)) == data
    other = client.__class__()
    other.force_login(county.user("jyj_handler"))  # 教育局: another department
    assert other.get(url).status_code == 403
    assert other.get(f"/admin/letters/{lt.pk}/").status_code in (302, 403)  # Wagtail: home
    assert client.__class__().get(url).status_code in (302, 403)  # not logged in: to login

    from govhub.core.models import AuditRecord

    assert AuditRecord.objects.filter(action="letter_attachment_downloaded").count() == 2


def test_api_lists_files_and_checks_permission_on_download(client, county):
    lt, att, data = _write(client.__class__())
    lc.dispatch_letter(county.user("dispatcher"), lt, department=county.dept("rsj"))
    api = client.__class__()
    api.force_login(county.user("handler"))
    detail = api.get(f"/api/letters/{lt.pk}").json()
    assert detail["attachments"] == [
        {
            "id": att.pk,
            "name": "我的照片.png",
            "mime": "image/png",
            "size": len(data),
            "url": f"/api/letters/{lt.pk}/attachments/{att.pk}",
        }
    ]
    resp = api.get(detail["attachments"][0]["url"])
    assert resp.status_code == 200 and _body(resp) == data
    assert api.get(f"/api/letters/{lt.pk}/attachments/{att.pk + 999}").status_code == 404

    other = client.__class__()
    other.force_login(county.user("jyj_handler"))
    resp = other.get(f"/api/letters/{lt.pk}/attachments/{att.pk}")
    assert resp.status_code == 403 and "error" in resp.json()
    assert client.__class__().get(f"/api/letters/{lt.pk}/attachments/{att.pk}").status_code in (
        401,
        403,
    )


def test_published_archive_shows_no_attachments(client, county):
    lt, att, _ = _write(client.__class__())
    lc.dispatch_letter(county.user("dispatcher"), lt, department=county.dept("rsj"))
    lc.accept_letter(county.user("handler"), lt)
    lc.draft_reply(county.user("handler"), lt, body="已安排清运。", submit=True)
    lc.review_reply(county.user("rsj_reviewer"), lt, approve=True)
    lc.publish_letter(
        county.user("supervisor"),
        lt,
        subject="路边垃圾堆放",
        content="东街路口垃圾堆放。",
        reply="已安排清运。",
    )
    page = client.get(f"/letters/archive/{lt.pk}/").content.decode()
    assert "路边垃圾堆放" in page
    assert "我的照片" not in page and "/files/" not in page and att.file.name not in page


def test_x_accel_redirect_hands_the_file_to_nginx(client, county, settings):
    settings.LETTERS_X_ACCEL_PREFIX = "/_private/"
    lt, att, _ = _write(client)
    resp = client.get(_file_url(lt, att))
    assert resp.status_code == 200 and resp.content == b""
    assert resp["X-Accel-Redirect"] == "/_private/" + att.file.name
    assert resp["Content-Disposition"].startswith("attachment;")


def test_a_missing_file_is_a_404_not_a_500(client, county, settings):
    lt, att, _ = _write(client)
    os.remove(os.path.join(settings.LETTERS_PRIVATE_ROOT, att.file.name))
    assert client.get(_file_url(lt, att)).status_code == 404


def test_old_public_files_are_moved_into_private_storage(county, settings):
    """The migration step for attachments written before storage became private."""
    import importlib

    mig = importlib.import_module(
        "govhub.letters.migrations.0002_private_attachments_channel_replies"
    )
    lt = Letter.objects.create(
        tracking_code="OLD1-OLD2-OLD3",
        channel="portal",
        subject="旧信",
        content="旧的来信内容",
        intake_department=county.dept("xfj"),
        supervising_department=county.dept("gov-office"),
        received_at="2026-01-05T09:00:00+08:00",
        dispatch_due="2026-01-05",
        reply_due="2026-01-08",
    )
    name = "letters/2026/01/0123456789abcdef01234567.png"
    os.makedirs(os.path.join(settings.MEDIA_ROOT, "letters/2026/01"))
    with open(os.path.join(settings.MEDIA_ROOT, name), "wb") as fh:
        fh.write(b"old bytes")
    Attachment.objects.create(letter=lt, file=name, original_name="a.png", mime="image/png", size=9)
    from django.apps import apps

    mig.move_to_private(apps, None)
    assert not os.path.exists(os.path.join(settings.MEDIA_ROOT, name))
    with open(os.path.join(settings.LETTERS_PRIVATE_ROOT, name), "rb") as fh:
        assert fh.read() == b"old bytes"


def test_a_full_disk_refuses_the_letter_in_chinese_and_the_same_form_goes_through_later(
    client, county, monkeypatch
):
    import errno

    from govhub.letters.attachments import PrivateStorage

    html = client.get("/letters/write/").content.decode()
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    form = {
        "subject": "路边垃圾堆放",
        "content": "城关镇东街路口的垃圾堆了一周没人清理，附上照片。",
        "phone": "13912345678",
        "token": token,
    }

    def full(self, name, content):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(PrivateStorage, "_save", full)
    photo = SimpleUploadedFile("照片.png", _png(), content_type="image/png")
    refused = client.post("/letters/write/", {**form, "attachments": photo})
    assert refused.status_code == 400
    assert "附件暂时无法保存，信件没有提交" in refused.content.decode()
    assert not Letter.objects.exists() and not Attachment.objects.exists()

    monkeypatch.undo()
    photo = SimpleUploadedFile("照片.png", _png(), content_type="image/png")
    accepted = client.post("/letters/write/", {**form, "attachments": photo})
    assert accepted.status_code == 200 and 'id="tracking-code"' in accepted.content.decode()
    letter = Letter.objects.get()
    assert letter.attachments.get().file.storage.exists(letter.attachments.get().file.name)

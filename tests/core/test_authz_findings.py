"""What the authorization matrix (bench/authz.py) found, each kept from coming back."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _admin_client():
    admin = make_user(superuser=True)
    client = Client()
    client.force_login(admin)
    return client


def test_no_administrator_reads_someone_elses_authenticator_secret():
    """Django's admin showed a TOTP device's secret and QR code to any administrator (who could
    then pass anyone's second factor), and answered 500 for an id that does not exist."""
    owner = make_user()
    device = TOTPDevice.objects.create(user=owner, name="身份验证器", confirmed=True)
    client = _admin_client()
    for view in ("config", "qrcode"):
        res = client.get(f"/django-admin/otp_totp/totpdevice/{device.pk}/{view}/")
        assert res.status_code == 403
        assert device.key not in res.content.decode("utf-8", "replace")
        missing = client.get(f"/django-admin/otp_totp/totpdevice/{device.pk + 99}/{view}/")
        assert missing.status_code == 403  # was 500 (DoesNotExist)
    change = client.get(f"/django-admin/otp_totp/totpdevice/{device.pk}/change/")
    assert change.status_code == 200
    assert device.key not in change.content.decode()


def test_moderators_see_what_citizens_can_write_on_never_another_departments_draft(county):
    """Any reviewer (even a bureau's) read every department's draft consultation and draft
    interview, in the back office and through the API (one shared fetch), because moderation
    is county-wide; moderators now see the published ones, drafts stay with their department."""
    from govhub.api.auth import issue_token
    from govhub.participation import actions, queries

    editor = county.user("editor")
    draft = actions.create_consultation(
        editor, {"title": "城管草稿", "body": "正文一段", "department": county.dept("cgj")}
    )
    talk = actions.create_interview(
        editor,
        {
            "title": "城管访谈草稿",
            "guest": "嘉宾",
            "department": county.dept("cgj"),
            "starts_at": "2027-01-05T10:00",
        },
    )
    for login in ("reviewer", "rsj_reviewer"):
        user = county.user(login)
        assert draft not in queries.consultations_for(user)
        assert talk not in queries.interviews_for(user)
        client = Client()
        client.force_login(user)
        for url in (
            f"/admin/participation/consultations/{draft.pk}/",
            f"/admin/participation/interviews/{talk.pk}/",
        ):
            res = client.get(url)  # Wagtail answers a refusal with a redirect to its home
            assert res.status_code in (302, 403, 404), url
            assert "草稿" not in res.content.decode()
        for url in ("/admin/participation/", "/admin/participation/interviews/"):
            page = client.get(url).content.decode()
            assert "城管草稿" not in page and "城管访谈草稿" not in page
        key = issue_token(user=user, name="t")[1]
        res = Client().post(
            f"/api/participation/staff/consultations/{draft.pk}/publish",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )
        assert res.status_code in (403, 404) and "城管草稿" not in res.content.decode()
    assert draft in queries.consultations_for(editor)
    assert talk in queries.interviews_for(editor)
    assert draft in queries.consultations_for(county.user("supervisor"))
    # once citizens may comment or ask, the moderators see it (to moderate what they write)
    actions.publish_consultation(editor, draft)
    actions.schedule_interview(editor, talk)
    for login in ("reviewer", "rsj_reviewer"):
        assert draft in queries.consultations_for(county.user(login))
        assert talk in queries.interviews_for(county.user(login))

"""Two-factor login: the roles that publish, sign, dispatch, see personal data or administer
enrol an authenticator and type its code after the password; recovery codes work once; an
editor who only writes is not asked; every step is in the audit chain."""

from __future__ import annotations

import re
import time

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from govhub.core.models import AuditRecord, Role
from tests.factories import make_department, make_user

pytestmark = pytest.mark.django_db
PASSWORD = "Wo-de-mima-2026"


@pytest.fixture
def required(settings):
    settings.REQUIRE_2FA = True


def _login(client: Client, username: str):
    page = client.get("/admin/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    done = client.post(
        "/admin/login/",
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert done.status_code == 302, done.content.decode()[:500]


def _post(client: Client, url: str, data: dict):
    page = client.get(url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    return client.post(url, {**data, "csrfmiddlewaretoken": token})


def _code(key_hex: str, offset: int = 0) -> str:
    totp = TOTP(bytes.fromhex(key_hex), 30, 0, 6, 0)
    totp.time = totp.time + offset * 30
    return f"{totp.token():06d}"


def test_the_signer_enrols_then_types_the_code_at_every_login(required):
    dept = make_department()
    signer = make_user("signer7", department=dept, role=Role.SIGNER, password=PASSWORD)
    client = Client(enforce_csrf_checks=True)
    _login(client, "signer7")

    first = client.get("/admin/")
    assert first.status_code == 302 and first.url.startswith("/admin/2fa/setup/")
    setup = client.get(first.url)
    html = setup.content.decode()
    assert "设置双因素认证" in html and "<svg" in html and "data-secret" in html
    assert not TOTPDevice.objects.filter(user=signer).exists()  # opening the page writes nothing

    wrong = _post(client, "/admin/2fa/setup/", {"token": "123456", "next": "/admin/"})
    assert "验证码不正确" in wrong.content.decode()
    key = client.session["twofactor_key"]
    done = _post(client, "/admin/2fa/setup/", {"token": _code(key), "next": "/admin/"})
    codes = re.findall(r"<li>(\d{8})</li>", done.content.decode())
    assert len(codes) == 10 and "恢复码" in done.content.decode()
    assert client.get("/admin/").status_code == 200
    assert TOTPDevice.objects.get(user=signer).confirmed

    # next login: the code is asked; a recovery code works once
    again = Client(enforce_csrf_checks=True)
    _login(again, "signer7")
    ask = again.get("/publishing/")
    assert ask.status_code == 302 and ask.url.startswith("/admin/2fa/verify/")
    bad = _post(again, "/admin/2fa/verify/", {"token": "000000"})
    assert "验证码不正确" in bad.content.decode()
    time.sleep(1.1)  # after a wrong code the next try waits a second (django-otp's throttle)
    ok = _post(again, "/admin/2fa/verify/", {"token": codes[0], "next": "/admin/"})
    assert ok.status_code == 302 and ok.url == "/admin/"
    assert again.get("/admin/").status_code == 200

    third = Client(enforce_csrf_checks=True)
    _login(third, "signer7")
    reused = _post(third, "/admin/2fa/verify/", {"token": codes[0]})
    assert "验证码不正确" in reused.content.decode()
    actions = list(AuditRecord.objects.values_list("action", flat=True))
    for name in ("twofactor_enrolled", "twofactor_verified", "twofactor_failed"):
        assert name in actions


def test_an_editor_who_only_writes_is_not_asked(required):
    make_user("editor7", department=make_department(), role=Role.EDITOR, password=PASSWORD)
    client = Client(enforce_csrf_checks=True)
    _login(client, "editor7")
    assert client.get("/admin/").status_code == 200


def test_whoever_enrolled_is_asked_for_the_code_even_where_not_required(settings):
    settings.REQUIRE_2FA = False
    person = make_user("editor8", department=make_department(), role=Role.EDITOR, password=PASSWORD)
    client = Client(enforce_csrf_checks=True)
    _login(client, "editor8")
    assert client.get("/admin/").status_code == 200  # nothing enrolled, nothing asked
    TOTPDevice.objects.create(user=person, name="x", confirmed=True)
    again = Client(enforce_csrf_checks=True)
    _login(again, "editor8")
    answer = again.get("/admin/")
    assert answer.status_code == 302 and answer.url.startswith("/admin/2fa/verify/")


def test_an_unverified_signer_reaches_no_back_office_page_nor_the_api(required):
    make_user("signer6", department=make_department(), role=Role.SIGNER, password=PASSWORD)
    client = Client(enforce_csrf_checks=True)
    _login(client, "signer6")
    for url in ("/admin/", "/publishing/", "/letters/desk/", "/api/publications"):
        answer = client.get(url)
        assert answer.status_code == 302 and "/admin/2fa/" in answer.url, url
    # what the two-factor page loads itself: translations and icons, not the page again
    assert client.get("/admin/jsi18n/")["Content-Type"].startswith("text/javascript")
    assert client.get("/admin/sprite/").status_code == 200


def test_the_administrator_resets_a_lost_phone(required):
    dept = make_department()
    person = make_user("handler7", department=dept, role=Role.HANDLER, password=PASSWORD)
    TOTPDevice.objects.create(user=person, name="x", confirmed=True)
    StaticDevice.objects.create(user=person, name="y", confirmed=True)
    admin = make_user("admin7", superuser=True, password=PASSWORD)
    admin_client = Client()
    admin_client.force_login(admin)
    TOTPDevice.objects.create(user=admin, name="a", confirmed=True)
    from django_otp import login as otp_login  # noqa: F401  (the session is verified below)

    session = admin_client.session
    session["otp_device_id"] = TOTPDevice.objects.get(user=admin).persistent_id
    session.save()
    done = admin_client.post(f"/admin/2fa/reset/{person.pk}/")
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=person).exists()
    assert not StaticDevice.objects.filter(user=person).exists()
    assert AuditRecord.objects.filter(action="twofactor_reset").exists()
    # a handler may not reset another person's factor
    other = Client()
    other.force_login(make_user("handler6", department=dept, role=Role.HANDLER))
    assert other.post(f"/admin/2fa/reset/{admin.pk}/").status_code in (302, 403)
    assert TOTPDevice.objects.filter(user=admin).exists()


def test_wrong_codes_are_throttled_per_account_beyond_the_apps_own_wait(required):
    """django-otp makes each try after a wrong code wait a little longer; on top of that ten
    failures within 15 minutes stop the account's attempts, the right code included."""
    dept = make_department()
    signer = make_user("signer7", department=dept, role=Role.SIGNER, password=PASSWORD)
    device = TOTPDevice.objects.create(user=signer, name="身份验证器", confirmed=True)
    client = Client(enforce_csrf_checks=True)
    _login(client, "signer7")
    for _ in range(10):
        wrong = _post(client, "/admin/2fa/verify/", {"token": "000000"})
        assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)  # the app's wait
    refused = _post(client, "/admin/2fa/verify/", {"token": _code(device.key), "next": "/admin/"})
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "第二步验证失败次数过多" in html and "请 15 分钟后再试" in html
    assert client.get("/admin/").status_code == 302
    assert AuditRecord.objects.filter(action="twofactor_failed").count() == 10
    record = AuditRecord.objects.get(action="twofactor_throttled")
    assert record.actor_id == signer.pk and record.summary == {"purpose": "verify", "by": "account"}

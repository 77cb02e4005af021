"""Staff logins: lockout per account, throttle per address, password rules, idle expiry, and
every login event in the audit chain — tried through the real login page with CSRF on."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from govhub.core import logins
from govhub.core.models import AuditRecord
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "Wo-de-mima-2026"


@pytest.fixture
def lockout(settings):
    settings.AXES_ENABLED = True
    from axes.models import AccessAttempt

    AccessAttempt.objects.all().delete()


def _login(client: Client, username: str, password: str, ip: str = "10.1.1.1"):
    page = client.get("/admin/login/", REMOTE_ADDR=ip)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    return client.post(
        "/admin/login/",
        {"username": username, "password": password, "csrfmiddlewaretoken": token},
        REMOTE_ADDR=ip,
    )


def test_five_wrong_passwords_lock_the_account_with_a_chinese_page(lockout):
    make_user("handler9", password=PASSWORD)
    client = Client(enforce_csrf_checks=True)
    for _ in range(5):
        wrong = _login(client, "handler9", "not-the-password")
        assert wrong.status_code in (200, 429)
    locked = _login(client, "handler9", PASSWORD)
    assert locked.status_code == 429
    body = locked.content.decode()
    assert "账号已暂时锁定" in body and "30 分钟" in body
    assert "_auth_user_id" not in client.session
    # another person's account from the same office address is not locked
    make_user("handler8", password=PASSWORD)
    other = _login(Client(enforce_csrf_checks=True), "handler8", PASSWORD)
    assert other.status_code == 302
    actions = list(AuditRecord.objects.values_list("action", flat=True))
    assert actions.count("login_failed") >= 5
    assert "login_locked_out" in actions
    assert "login_succeeded" in actions


def test_a_right_password_after_a_few_wrong_ones_logs_in_and_is_audited(lockout):
    user = make_user("editor9", password=PASSWORD)
    client = Client(enforce_csrf_checks=True)
    for _ in range(2):
        _login(client, "editor9", "wrong-one")
    ok = _login(client, "editor9", PASSWORD)
    assert ok.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    rec = AuditRecord.objects.filter(action="login_succeeded").last()
    assert rec.actor_id == user.pk and rec.ip == "10.1.1.1"
    failed = AuditRecord.objects.filter(action="login_failed").last()
    assert failed.summary == {"username": "editor9"} and "wrong-one" not in str(failed.summary)


def test_an_address_with_many_failures_is_refused_even_the_right_password(lockout):
    make_user("signer9", password=PASSWORD)
    client = Client(enforce_csrf_checks=True)
    for i in range(logins.ADDRESS_FAILURE_LIMIT):
        _login(client, f"nobody{i}", "guess", ip="10.9.9.9")
    refused = _login(client, "signer9", PASSWORD, ip="10.9.9.9")
    assert "_auth_user_id" not in client.session
    assert refused.status_code != 302
    # from the office's own address the same person logs in
    assert _login(Client(enforce_csrf_checks=True), "signer9", PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("13812345678", "手机号码"),
        ("20262026", None),  # too short and all digits
        ("handler1handler1", "登录名"),
        ("password123", None),  # a common password
        ("abc", None),
    ],
)
def test_weak_staff_passwords_are_refused_in_chinese(password, message):
    user = make_user("handler1")
    with pytest.raises(ValidationError) as err:
        validate_password(password, user)
    text = " ".join(err.value.messages)
    assert re.search(r"[\u4e00-\u9fff]", text), text
    if message:
        assert message in text


def test_a_good_password_passes():
    validate_password("Qing-shui-he-2026", make_user("handler2"))


def test_a_staff_session_ends_after_thirty_idle_minutes_and_each_request_renews_it(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST
    user = make_user("editor8", password=PASSWORD, superuser=True)
    client = Client()
    client.force_login(user)
    first = client.get("/admin/")
    assert first.status_code == 200
    assert first.cookies["sessionid"]["max-age"] == 30 * 60

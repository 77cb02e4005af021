"""Two-factor login and lockout in Chromium, as production has them: 张卫东 (signer) enrols an
authenticator, typing the code his app computes from the key shown; logs out; logs in again and
is asked for the code; uses a recovery code once (a second use is refused); and an attacker's
wrong passwords lock his account, with the Chinese page saying so. Every step is audited."""

from __future__ import annotations

import base64
import re
import time

import pytest
from django_otp.oath import TOTP

from govhub.core.demo import DEMO_PASSWORD


def _code(secret: str, offset: int = 0) -> str:
    """What an authenticator app shows for the key on the page (base32, in groups of four)."""
    key = secret.replace(" ", "")
    totp = TOTP(base64.b32decode(key + "=" * (-len(key) % 8)), 30, 0, 6, 0)
    totp.time = time.time() + offset
    return f"{totp.token():06d}"


def _log_out(site, page) -> None:
    """注销 from the back office's account menu."""
    page.goto(site.url + "/admin/")
    sidebar = page.locator("[data-wagtail-sidebar]")
    sidebar.locator("button[aria-haspopup]").last.click()
    page.get_by_role("button", name="注销").click()
    page.wait_for_url(re.compile(r"/admin/login/"))


@pytest.fixture
def production_logins(settings, site):
    settings.REQUIRE_2FA = True
    settings.AXES_ENABLED = True
    yield
    # the demo's signer logs in with his password alone in the other tests
    with site.db():
        from axes.utils import reset
        from django_otp.plugins.otp_static.models import StaticDevice
        from django_otp.plugins.otp_totp.models import TOTPDevice

        TOTPDevice.objects.filter(user__username="signer").delete()
        StaticDevice.objects.filter(user__username="signer").delete()
        reset(username="signer")


def test_signer_enrols_logs_in_with_the_code_and_a_recovery_code_then_is_locked_out(
    site, production_logins
):
    # after the password: the enrolment page, its QR code drawn by the server and the key
    signer = site.login("signer")
    assert "/admin/2fa/setup/" in signer.url
    assert signer.locator("svg.segno").is_visible()  # the QR code, drawn by the server
    secret = signer.inner_text("code[data-secret]")
    site.shot(signer, "enrol")
    signer.fill("#token", "000000" if _code(secret) != "000000" else "111111")
    signer.get_by_role("button", name="完成设置").click()
    signer.wait_for_load_state()
    assert "验证码不正确" in signer.inner_text("[role=alert]")
    signer.fill("#token", _code(secret))
    signer.get_by_role("button", name="完成设置").click()
    signer.locator("ul.recovery-codes li").first.wait_for()
    codes = signer.locator("ul.recovery-codes li").all_inner_texts()
    assert all(re.fullmatch(r"\d{8}", c) for c in codes), codes
    assert len(codes) == 10, signer.inner_text("body")[:500]
    site.shot(signer, "recovery-codes")
    signer.goto(site.url + "/admin/")
    assert "张卫东" in signer.inner_text("body")
    _log_out(site, signer)

    # the next login asks for the code; nothing else opens until it is typed
    again = site.login("signer")
    assert "/admin/2fa/verify/" in again.url
    again.goto(site.url + "/publishing/")
    assert "/admin/2fa/verify/" in again.url
    site.shot(again, "asks-code")
    again.fill("#token", _code(secret, offset=30))  # the app's next code (the last one is used)
    again.get_by_role("button", name="验证").click()
    again.wait_for_url(re.compile(r"/publishing/"))
    _log_out(site, again)

    # no phone at hand: a recovery code, once
    third = site.login("signer")
    third.fill("#token", codes[0])
    third.get_by_role("button", name="验证").click()
    third.wait_for_url(re.compile(r"/admin/$"))
    assert "张卫东" in third.inner_text("body")
    _log_out(site, third)
    fourth = site.login("signer")
    fourth.fill("#token", codes[0])
    fourth.get_by_role("button", name="验证").click()
    fourth.locator("[role=alert]").wait_for()
    assert "验证码不正确" in fourth.inner_text("[role=alert]")
    site.shot(fourth, "recovery-code-used-twice")
    fourth.get_by_role("button", name="退出登录").click()

    # an attacker guesses passwords: the fifth wrong one locks the account, in Chinese
    attacker = site.citizen(phone=False)
    for guess in ("shifan-2025", "zhangweidong", "13812345678", "signer2026", "admin12345"):
        attacker.goto(site.url + "/admin/login/")
        attacker.fill("input[name=username]", "signer")
        attacker.fill("input[name=password]", guess)
        attacker.click("button[type=submit]")
        attacker.wait_for_load_state()
    assert "账号已暂时锁定" in attacker.inner_text("body")
    site.shot(attacker, "locked-out")
    # locked: the right password does not open it either
    attacker.goto(site.url + "/admin/login/")
    attacker.fill("input[name=username]", "signer")
    attacker.fill("input[name=password]", DEMO_PASSWORD)
    attacker.click("button[type=submit]")
    attacker.wait_for_load_state()
    body = attacker.inner_text("body")
    assert "账号已暂时锁定" in body and "30 分钟" in body
    assert "/admin/2fa/" not in attacker.url
    site.shot(attacker, "locked-right-password")

    with site.db():
        from govhub.core.models import AuditRecord

        actions = set(AuditRecord.objects.values_list("action", flat=True))
    for action in (
        "twofactor_enrolled",
        "twofactor_verified",
        "twofactor_failed",
        "logged_out",
        "login_failed",
        "login_locked_out",
    ):
        assert action in actions, action
    assert site.csp_violations == [], site.csp_violations

"""Security keys in Chromium, with its virtual authenticator standing in for a USB key or a
phone's passkey: 张卫东 (signer) registers a key instead of the authenticator app, logs out,
logs in with password + key and reaches the back office, on his desk and on a phone; a browser
without his key, and a key answering with the wrong private key, are refused; removing the key
asks for it again. The site runs as production has it (two-factor required) under
``localhost`` (a key is bound to a domain name; 127.0.0.1 cannot carry one). Every step is in
the audit chain and the browser refuses nothing under the strict policy of /admin/2fa/."""

from __future__ import annotations

import base64
import re

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from govhub.core.demo import DEMO_PASSWORD

AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
}


def _authenticator(page) -> tuple:
    """A virtual authenticator for this page (Chromium's DevTools protocol)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    made = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})
    return cdp, made["authenticatorId"]


def _password(site, page) -> None:
    page.goto(site.url + "/admin/login/")
    page.fill("input[name=username]", "signer")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/2fa/"))


def _log_out(site, page) -> None:
    page.goto(site.url + "/admin/")
    sidebar = page.locator("[data-wagtail-sidebar]")
    sidebar.locator("button[aria-haspopup]").last.click()
    page.get_by_role("button", name="注销").click()
    page.wait_for_url(re.compile(r"/admin/login/"))


def _no_english(page, where: str = "main") -> None:
    text = page.inner_text(where)
    words = re.findall(r"[A-Za-z]{4,}", text)
    assert not words, words


@pytest.fixture
def keys_site(settings, site):
    """Production's two-factor rule, the site under localhost, and the signer as he was after."""
    local = site.url.replace("127.0.0.1", "localhost")
    settings.REQUIRE_2FA = True
    settings.SITE_URL = local
    settings.OTP_WEBAUTHN_TIMEOUT_SECONDS = 15
    site.url = local
    yield site
    with site.db():
        from django_otp.plugins.otp_static.models import StaticDevice
        from django_otp.plugins.otp_totp.models import TOTPDevice
        from django_otp_webauthn.models import WebAuthnCredential

        for model in (WebAuthnCredential, TOTPDevice, StaticDevice):
            model.objects.filter(user__username="signer").delete()


def test_signer_registers_a_key_logs_in_with_it_and_a_wrong_key_is_refused(keys_site):
    site = keys_site
    desk = site.citizen(phone=False)
    cdp, authenticator = _authenticator(desk)

    # after the password: the enrolment page offers the key beside the authenticator app
    _password(site, desk)
    assert "/admin/2fa/setup/" in desk.url
    register = desk.get_by_role("button", name="登记安全密钥")
    register.wait_for()
    _no_english(desk, ".webauthn-option")
    site.shot(desk, "enrol-offers-key")
    register.click()
    desk.wait_for_url(re.compile(r"/admin/2fa/codes/"))
    codes = desk.locator("ul.recovery-codes li").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"\d{8}", c) for c in codes), codes
    site.shot(desk, "recovery-codes")
    desk.get_by_role("link", name="我已保存，继续").click()
    desk.wait_for_url(re.compile(r"/admin/$"))
    assert "张卫东" in desk.inner_text("body")
    stored = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert len(stored) == 1
    _log_out(site, desk)

    # the next login: password, then the key; nothing else opens before it
    _password(site, desk)
    assert "/admin/2fa/verify/" in desk.url
    desk.goto(site.url + "/publishing/")
    assert "/admin/2fa/verify/" in desk.url
    verify = desk.get_by_role("button", name="使用安全密钥验证")
    verify.wait_for()
    assert desk.inner_text("label[for=token]") == "恢复码"
    _no_english(desk)
    site.shot(desk, "asks-key")
    verify.click()
    desk.wait_for_url(re.compile(r"/publishing/"))
    desk.wait_for_load_state("networkidle")  # the page settles before the next goto
    desk.goto(site.url + "/admin/")
    assert "张卫东" in desk.inner_text("body")
    _log_out(site, desk)

    # on a phone, with the same passkey (synced to it)
    phone = site.citizen()
    phone_cdp, phone_auth = _authenticator(phone)
    phone_cdp.send(
        # its counter ahead of the desk's (a counter that goes back is refused as a clone)
        "WebAuthn.addCredential",
        {"authenticatorId": phone_auth, "credential": {**stored[0], "signCount": 100}},
    )
    _password(site, phone)
    button = phone.get_by_role("button", name="使用安全密钥验证")
    button.wait_for()
    assert button.bounding_box()["width"] <= 375
    site.shot(phone, "phone-asks-key")
    button.click()
    phone.wait_for_url(re.compile(r"/admin/$"))
    phone.wait_for_load_state("networkidle")
    # on a phone the sidebar with the name is folded away: the signer's own post shows instead
    assert "县政府办公室主任" in phone.inner_text("body")
    site.shot(phone, "phone-back-office")

    # a browser without the key: refused, still on the verification page
    stranger = site.citizen(phone=False)
    _authenticator(stranger)
    _password(site, stranger)
    stranger.get_by_role("button", name="使用安全密钥验证").click()
    status = stranger.locator("#passkey-verification-status-message")
    status.filter(has_text="验证已取消或未获允许").wait_for()
    site.shot(stranger, "no-key-refused")
    stranger.goto(site.url + "/admin/")
    assert "/admin/2fa/verify/" in stranger.url

    # a key with his key's id but another private key: the server refuses the signature
    forger = site.citizen(phone=False)
    forger_cdp, forger_auth = _authenticator(forger)
    other = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    forged = {**stored[0], "privateKey": base64.b64encode(other).decode(), "signCount": 200}
    forger_cdp.send(
        "WebAuthn.addCredential", {"authenticatorId": forger_auth, "credential": forged}
    )
    _password(site, forger)
    forger.get_by_role("button", name="使用安全密钥验证").click()
    refusal = forger.locator("#passkey-verification-status-message")
    refusal.filter(has_text="安全密钥验证未通过").wait_for()
    site.shot(forger, "forged-key-refused")
    forger.goto(site.url + "/admin/")
    assert "/admin/2fa/verify/" in forger.url

    # the key list; removing the key asks for it again
    phone.goto(site.url + "/admin/2fa/keys/")
    assert "安全密钥 1" in phone.inner_text("main") or "本机通行密钥 1" in phone.inner_text("main")
    _no_english(phone)
    site.shot(phone, "keys")
    phone.get_by_role("link", name="移除").click()
    phone.wait_for_url(re.compile(r"/remove/"))
    site.shot(phone, "remove-asks-factor")
    phone.get_by_role("button", name="用安全密钥确认并移除").click()
    # no second factor left: the signer must enrol again before anything else
    phone.wait_for_url(re.compile(r"/admin/2fa/setup/"))
    site.shot(phone, "enrol-again")

    with site.db():
        from django_otp_webauthn.models import WebAuthnCredential

        from govhub.core.models import AuditRecord

        assert not WebAuthnCredential.objects.filter(user__username="signer").exists()
        actions = list(AuditRecord.objects.values_list("action", flat=True))
        failures = list(
            AuditRecord.objects.filter(action="webauthn_failed").values_list("summary", flat=True)
        )
    for action in ("webauthn_registered", "webauthn_verified", "webauthn_removed"):
        assert action in actions, action
    assert {"reason": "invalid_authentication_response"} in failures
    assert site.csp_violations == [], site.csp_violations
    assert site.script_errors == [], site.script_errors

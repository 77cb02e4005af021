"""Security keys and passkeys (WebAuthn) as the second factor: a signer registers one instead of
the authenticator app and logs in with password + key; a wrong key, another person's key, a
forged signature and a replay are refused; recovery codes still work; removing a key needs the
current second factor; every step is in the audit chain. The key is a software one
(tests/fakes/softkey.py) so that the server checks real signatures."""

from __future__ import annotations

import json
import re
import time

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from govhub.core.models import AuditRecord, Role
from tests.factories import make_department, make_user
from tests.fakes.softkey import SoftKey

pytestmark = pytest.mark.django_db
PASSWORD = "Wo-de-mima-2026"
ORIGIN = "http://localhost"
REGISTER = "/admin/2fa/webauthn/register/"
VERIFY = "/admin/2fa/webauthn/verify/"


@pytest.fixture
def site(settings):
    """Production's setting and a site address that can carry keys."""
    settings.REQUIRE_2FA = True
    settings.SITE_URL = ORIGIN


def _client() -> Client:
    return Client(enforce_csrf_checks=True, HTTP_HOST="localhost")


def _login(client: Client, username: str) -> None:
    page = client.get("/admin/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    done = client.post(
        "/admin/login/", {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert done.status_code == 302, done.content.decode()[:500]


def _api(client: Client, url: str, body: dict | None = None):
    return client.post(
        url,
        json.dumps(body or {}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
        HTTP_ACCEPT="application/json",
    )


def _post(client: Client, url: str, data: dict):
    page = client.get(url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    return client.post(url, {**data, "csrfmiddlewaretoken": token})


def _register(client: Client, key: SoftKey):
    options = _api(client, REGISTER + "begin/")
    assert options.status_code == 200, options.content.decode()
    assert options.json()["rp"]["id"] == "localhost"
    return _api(client, REGISTER + "complete/", key.register(options.json()))


def _sign_in(client: Client, key: SoftKey, query: str = "?next=/admin/account/"):
    options = _api(client, VERIFY + "begin/")
    assert options.status_code == 200, options.content.decode()
    return _api(client, VERIFY + "complete/" + query, key.sign_in(options.json()))


def _signer_with_key(name: str = "signer9") -> tuple:
    user = make_user(name, department=make_department(), role=Role.SIGNER, password=PASSWORD)
    client = _client()
    _login(client, name)
    client.get("/admin/2fa/setup/")  # sets the CSRF cookie
    key = SoftKey(ORIGIN)
    assert _register(client, key).status_code == 200
    codes = re.findall(r"<li>(\d{8})</li>", client.get("/admin/2fa/codes/").content.decode())
    return user, key, codes


def test_the_signer_registers_a_key_instead_of_the_app_and_logs_in_with_it(site):
    signer = make_user("signer9", department=make_department(), role=Role.SIGNER, password=PASSWORD)
    client = _client()
    _login(client, "signer9")
    setup = client.get("/admin/2fa/setup/")
    html = setup.content.decode()
    # the key is offered beside the app, by static scripts only
    assert "登记安全密钥" in html and 'id="passkey-register-button"' in html
    assert "otp_webauthn_register.js" in html and "core/webauthn.js" in html
    assert not re.search(r"<script(?![^>]*(src=|application/json))", html)

    done = _register(client, SoftKey(ORIGIN))
    assert done.status_code == 200, done.content.decode()
    key = WebAuthnCredential.objects.get(user=signer)
    assert key.name == "安全密钥 1"
    assert not TOTPDevice.objects.filter(user=signer).exists()
    # the first second factor brings recovery codes, shown once, and opens the back office
    page = client.get("/admin/2fa/codes/?next=/admin/")
    codes = re.findall(r"<li>(\d{8})</li>", page.content.decode())
    assert len(codes) == 10
    assert client.get("/admin/2fa/codes/").status_code == 302  # not twice
    assert client.get("/admin/").status_code == 200
    record = AuditRecord.objects.get(action="webauthn_registered")
    assert record.actor_id == signer.pk and record.summary == {"key": "安全密钥 1"}


def test_the_next_login_asks_for_the_key_and_it_opens_the_back_office(site):
    signer, key, _codes = _signer_with_key()
    again = _client()
    _login(again, "signer9")
    ask = again.get("/publishing/")
    assert ask.status_code == 302 and ask.url.startswith("/admin/2fa/verify/")
    page = again.get(ask.url).content.decode()
    assert "使用安全密钥验证" in page and "otp_webauthn_auth.js" in page
    assert ">恢复码</label>" in page  # no authenticator app: the field takes recovery codes

    answer = _sign_in(again, key)
    assert answer.status_code == 200, answer.content.decode()
    assert answer.json()["redirect_url"] == "/admin/account/"
    assert again.get("/admin/account/").status_code == 200
    assert WebAuthnCredential.objects.get(user=signer).last_used_at is not None
    assert AuditRecord.objects.filter(action="webauthn_verified", actor_id=signer.pk).exists()


def test_a_wrong_key_another_persons_key_a_forgery_and_a_replay_are_refused(site):
    signer, key, _codes = _signer_with_key()
    _other, other_key, _ = _signer_with_key("signer8")
    client = _client()
    _login(client, "signer9")
    client.get("/admin/2fa/verify/")

    unknown = _sign_in(client, SoftKey(ORIGIN))
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "这把安全密钥未在本平台登记，或已被移除。"
    foreign = _sign_in(client, other_key)
    assert foreign.status_code == 403 and "不属于当前登录的账号" in foreign.json()["detail"]
    forged = SoftKey(ORIGIN, credential_id=key.credential_id)  # same id, another private key
    refused = _sign_in(client, forged)
    assert refused.status_code == 422 and "安全密钥验证未通过" in refused.json()["detail"]
    elsewhere = _sign_in(client, SoftKey("https://evil.example", credential_id=key.credential_id))
    assert elsewhere.status_code == 422
    # still not verified
    assert client.get("/admin/").status_code == 302

    options = _api(client, VERIFY + "begin/").json()
    assertion = key.sign_in(options)
    assert _api(client, VERIFY + "complete/", assertion).status_code == 200
    replay = _api(client, VERIFY + "complete/", assertion)
    assert replay.status_code == 400 and replay.json()["detail"] == "验证已过期，请重新操作。"
    failures = AuditRecord.objects.filter(action="webauthn_failed").values_list(
        "summary", flat=True
    )
    reasons = sorted(s["reason"] for s in failures)
    assert reasons == sorted(
        [
            "credential_not_found",
            "credential_user_mismatch",
            "invalid_authentication_response",
            "invalid_authentication_response",
            "invalid_state",
        ]
    )


def test_a_recovery_code_still_works_for_a_person_with_only_a_key(site):
    _signer, _key, codes = _signer_with_key()
    client = _client()
    _login(client, "signer9")
    ok = _post(client, "/admin/2fa/verify/", {"token": codes[3], "next": "/admin/"})
    assert ok.status_code == 302 and ok.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_second_key_cannot_be_added_before_the_first_one_is_used(site):
    _signer_with_key()
    client = _client()
    _login(client, "signer9")
    client.get("/admin/2fa/verify/")
    refused = _api(client, REGISTER + "begin/")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "请先用现有的验证方式完成验证，再登记新的安全密钥。"
    assert WebAuthnCredential.objects.count() == 1


def test_removing_a_key_needs_the_current_second_factor(site):
    signer, key, codes = _signer_with_key()
    client = _client()
    _login(client, "signer9")
    client.get("/admin/2fa/verify/")
    assert _sign_in(client, key).status_code == 200
    second = SoftKey(ORIGIN)
    assert _register(client, second).status_code == 200
    assert client.get("/admin/2fa/codes/").status_code == 302  # codes exist: none made again
    listing = client.get("/admin/2fa/keys/").content.decode()
    assert "安全密钥 1" in listing and "安全密钥 2" in listing
    first, other = WebAuthnCredential.objects.filter(user=signer).order_by("pk")

    # a verified session alone is not enough
    refused = _post(client, f"/admin/2fa/keys/{first.pk}/remove/", {"token": ""})
    assert "请先验证" in refused.content.decode()
    wrong = _post(client, f"/admin/2fa/keys/{first.pk}/remove/", {"token": "12345678"})
    assert "请先验证" in wrong.content.decode()
    assert WebAuthnCredential.objects.filter(user=signer).count() == 2

    # a recovery code (after a wrong one django-otp makes the next try wait a second)
    time.sleep(1.1)
    done = _post(client, f"/admin/2fa/keys/{first.pk}/remove/", {"token": codes[0]})
    assert done.status_code == 302 and not WebAuthnCredential.objects.filter(pk=first.pk).exists()

    # the remaining key, confirmed just now (the removal page's button)
    page = client.get(f"/admin/2fa/keys/{other.pk}/remove/").content.decode()
    assert "用安全密钥确认并移除" in page and "purpose=confirm" in page
    confirm = _sign_in(client, second, query="?purpose=confirm")
    assert confirm.status_code == 200 and confirm.json()["redirect_url"] == ""
    gone = _post(client, f"/admin/2fa/keys/{other.pk}/remove/", {"token": ""})
    assert gone.status_code == 302
    # no factor left: the recovery codes go too, and the signer enrols again
    assert not WebAuthnCredential.objects.filter(user=signer).exists()
    assert not StaticDevice.objects.filter(user=signer).exists()
    removed = AuditRecord.objects.filter(action="webauthn_removed").values_list(
        "summary", flat=True
    )
    assert sorted(s["key"] for s in removed) == ["安全密钥 1", "安全密钥 2"]
    assert AuditRecord.objects.filter(
        action="twofactor_failed", summary={"purpose": "remove_key"}
    ).exists()


def test_another_persons_key_cannot_be_removed(site):
    _signer, _key, _codes = _signer_with_key()
    other, _k, other_codes = _signer_with_key("signer8")
    client = _client()
    _login(client, "signer8")
    _post(client, "/admin/2fa/verify/", {"token": other_codes[0]})
    target = WebAuthnCredential.objects.get(user__username="signer9")
    client.get("/admin/2fa/keys/")
    answer = client.post(
        f"/admin/2fa/keys/{target.pk}/remove/",
        {"token": other_codes[1], "csrfmiddlewaretoken": client.cookies["csrftoken"].value},
    )
    assert answer.status_code == 302 and answer.url == "/admin/2fa/keys/"
    assert WebAuthnCredential.objects.filter(pk=target.pk).exists()


def test_no_key_is_offered_under_an_address_keys_cannot_use(settings):
    settings.REQUIRE_2FA = True
    make_user("signer9", department=make_department(), role=Role.SIGNER, password=PASSWORD)
    for site_url, host in (
        ("http://127.0.0.1:8000", "127.0.0.1:8000"),  # an IP address
        ("http://gov.example.cn", "gov.example.cn"),  # no HTTPS
        ("https://gov.example.cn", "10.0.0.5"),  # another host than the site's
    ):
        settings.SITE_URL = site_url
        settings.ALLOWED_HOSTS = ["*"]
        client = Client(HTTP_HOST=host)
        _login(client, "signer9")
        html = client.get("/admin/2fa/setup/").content.decode()
        assert "设置双因素认证" in html and "passkey" not in html, site_url


def test_the_administrator_reset_removes_keys_too(site):
    signer, _key, _codes = _signer_with_key()
    admin = make_user("admin9", superuser=True, password=PASSWORD)
    client = Client()
    client.force_login(admin)
    TOTPDevice.objects.create(user=admin, name="a", confirmed=True)
    session = client.session
    session["otp_device_id"] = TOTPDevice.objects.get(user=admin).persistent_id
    session.save()
    assert client.post(f"/admin/2fa/reset/{signer.pk}/").status_code == 302
    assert not WebAuthnCredential.objects.filter(user=signer).exists()


def test_the_account_page_links_to_the_keys():
    person = make_user("editor9", department=make_department(), role=Role.EDITOR)
    client = Client()
    client.force_login(person)
    assert "/admin/2fa/keys/" in client.get("/admin/account/").content.decode()


def test_failed_key_answers_are_throttled_per_account_then_the_right_key_waits_too(
    site, monkeypatch
):
    """Ten wrong key answers within 15 minutes: the account's next second-factor attempt is
    refused whatever it is (the right key, a recovery code), with a Chinese message and one
    audit record; after the window it works again."""
    from types import SimpleNamespace

    from govhub.core import ratelimit

    signer, key, codes = _signer_with_key()
    client = _client()
    _login(client, "signer9")
    client.get("/admin/2fa/verify/")
    forged = SoftKey(ORIGIN, credential_id=key.credential_id)
    assert ratelimit.LIMITS["second-factor"] == (10, 900)
    for _ in range(10):
        assert _sign_in(client, forged).status_code == 422

    refused = _sign_in(client, key)
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("第二步验证失败次数过多")
    page = _post(client, "/admin/2fa/verify/", {"token": codes[0], "next": "/admin/"})
    assert page.status_code == 429 and "请 15 分钟后再试" in page.content.decode()
    assert client.get("/admin/").status_code == 302  # still not verified
    throttled = AuditRecord.objects.filter(action="twofactor_throttled")
    assert [(r.actor_id, r.summary) for r in throttled] == [
        (signer.pk, {"purpose": "key_verify", "by": "account"})
    ]
    assert AuditRecord.objects.filter(action="webauthn_failed").count() == 10

    later = time.time() + 1800
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: later))
    assert _sign_in(client, key).status_code == 200
    assert client.get("/admin/").status_code == 200


def test_failed_second_factors_from_one_address_are_throttled_across_accounts(site, monkeypatch):
    """One address failing for several accounts: past the address's limit every account from
    it waits; the same person from another address is not held up."""
    from govhub.core import ratelimit

    monkeypatch.setitem(ratelimit.LIMITS, "second-factor-address", (3, 900))
    _signer, key, _ = _signer_with_key()
    _other, other_key, _ = _signer_with_key("signer8")
    first = _client()
    _login(first, "signer9")
    first.get("/admin/2fa/verify/")
    for _ in range(3):
        assert _sign_in(first, SoftKey(ORIGIN, credential_id=key.credential_id)).status_code == 422

    same_address = _client()
    _login(same_address, "signer8")
    same_address.get("/admin/2fa/verify/")
    refused = _sign_in(same_address, other_key)
    assert refused.status_code == 429 and "失败次数过多" in refused.json()["detail"]
    record = AuditRecord.objects.get(action="twofactor_throttled")
    assert record.summary == {"purpose": "key_verify", "by": "address"}

    elsewhere = Client(enforce_csrf_checks=True, HTTP_HOST="localhost", REMOTE_ADDR="10.20.30.40")
    _login(elsewhere, "signer8")
    elsewhere.get("/admin/2fa/verify/")
    assert _sign_in(elsewhere, other_key).status_code == 200

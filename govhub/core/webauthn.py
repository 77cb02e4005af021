"""Security keys and passkeys (WebAuthn, 安全密钥/通行密钥) as the second factor, beside or instead
of the TOTP authenticator app, through django-otp-webauthn (its credentials are django-otp
devices, so the login middleware, ``user_has_device`` and ``is_verified`` treat them like TOTP).

Never instead of the password: the key is asked after it, like the six-digit code. The relying
party is the host of the site's configured address (``GOVHUB_SITE_URL``), so a key registered
for the county's site answers nowhere else; a page reached under another host (an intranet IP,
say) does not offer keys at all, since the browser would refuse the ceremony. Recovery codes keep
working; removing a key needs the current second factor again; every registration, removal,
success and failure is a record in the audit chain.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.models import WebAuthnCredential

from govhub.core import audit
from govhub.core.twofactor import (
    TwoFactorError,
    count_failure,
    new_recovery_codes,
    refuse_if_throttled,
)

# a key confirmation counts for removing a key this long (the person clicks 移除 right after)
CONFIRMATION_SECONDS = 120
_CONFIRMED = "webauthn_confirmed_at"
NEW_CODES = "twofactor_new_codes"

# the library's refusals, in Chinese (its own texts are English)
MESSAGES = {
    "credential_not_found": "这把安全密钥未在本平台登记，或已被移除。",
    "credential_user_mismatch": "这把安全密钥不属于当前登录的账号。",
    "credential_disabled": "这把安全密钥已停用。",
    "user_disabled": "该账号已停用。",
    "not_authenticated": "请先用账号和密码登录。",
    "user_not_verified": "请先用现有的验证方式完成验证，再登记新的安全密钥。",
    "passwordless_login_disabled": "请先用账号和密码登录，再使用安全密钥验证。",
    "invalid_state": "验证已过期，请重新操作。",
}
DEFAULT_MESSAGE = "安全密钥验证未通过，请重试；也可以输入验证码或恢复码。"


def _site() -> tuple[str, str, str]:
    """(scheme, host with port, host name) of the site's configured address."""
    parts = urlsplit(settings.SITE_URL or "")
    return parts.scheme, parts.netloc, (parts.hostname or "")


def relying_party_id(request: HttpRequest | None = None) -> str:
    """The host name of GOVHUB_SITE_URL (a key is bound to it for good: changing the address
    means registering keys again)."""
    return _site()[2]


def origin() -> str:
    scheme, netloc, _ = _site()
    return f"{scheme}://{netloc}"


def available(request: HttpRequest) -> bool:
    """Whether this page may offer keys: it is served under the configured address, which is a
    domain name (not an IP address) and HTTPS, or localhost for a trial on one's own machine."""
    scheme, netloc, host = _site()
    if not host or host.replace(".", "").isdigit() or ":" in host:
        return False
    if scheme != "https" and host != "localhost":
        return False
    return request.get_host() == netloc


class Helper(WebAuthnHelper):
    """The library's ceremony helper, with the relying party taken from the site's address."""

    def get_relying_party_domain(self) -> str:
        return relying_party_id(self.request)

    def get_allowed_origins(self) -> list[str]:
        return [origin()]

    def get_credential_name(self, user) -> str:
        return user.get_username()


def keys_of(user) -> list[WebAuthnCredential]:
    return list(WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("pk"))


def has_keys(user) -> bool:
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()


def has_totp(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def configuration(request: HttpRequest, *, purpose: str = "") -> dict:
    """What the library's scripts read from the page (``#otp_webauthn_config``)."""
    from django.middleware import csrf

    complete = reverse("otp_webauthn:credential-authentication-complete")
    if purpose:
        complete += f"?purpose={purpose}"
    return {
        "autocompleteLoginFieldSelector": None,
        "nextFieldSelector": "input[name='next']",
        "csrfToken": csrf.get_token(request),
        "beginAuthenticationUrl": reverse("otp_webauthn:credential-authentication-begin"),
        "completeAuthenticationUrl": complete,
        "beginRegistrationUrl": reverse("otp_webauthn:credential-registration-begin"),
        "completeRegistrationUrl": reverse("otp_webauthn:credential-registration-complete"),
    }


def key_registered(request: HttpRequest, device: WebAuthnCredential, attachment: str) -> None:
    """Names the new key, audits it, and gives recovery codes to a person who has none yet
    (their first second factor): they wait in the session for the page that shows them once."""
    user = device.user
    count = WebAuthnCredential.objects.filter(user=user).count()
    kind = "本机通行密钥" if attachment == "platform" else "安全密钥"
    device.name = f"{kind} {count}"
    device.save(update_fields=["name"])
    if not StaticDevice.objects.filter(user=user, confirmed=True, token_set__isnull=False).exists():
        request.session[NEW_CODES] = new_recovery_codes(user)
    audit.record(actor=user, action="webauthn_registered", summary={"key": device.name})


def key_verified(request: HttpRequest, device: WebAuthnCredential, purpose: str) -> None:
    """A key answered: at login (the session is now verified) or to confirm a removal."""
    if purpose == "confirm":
        request.session[_CONFIRMED] = time.time()
    audit.record(
        actor=device.user,
        action="webauthn_verified",
        summary={"key": device.name, **({"purpose": "confirm"} if purpose else {})},
    )


def key_failed(request: HttpRequest, code: str, *, attempt: bool = False) -> None:
    """A ceremony refused; ``attempt``: a key's answer at verification, counted towards the
    second-factor throttle like a wrong code."""
    user = request.user if request.user.is_authenticated else None
    if attempt:
        count_failure(request)
    audit.record(actor=user, action="webauthn_failed", summary={"reason": code[:60]})


def remove_key(request: HttpRequest, key_id: int, token: str = "") -> WebAuthnCredential:
    """Removes one of the person's own keys, on the current second factor given again: a code
    from the authenticator app, a recovery code, or a key confirmed in the last two minutes.
    Without any key or authenticator left, the recovery codes go too (the person enrols again);
    a key confirming its own removal leaves the session to be verified again by another factor."""
    user = request.user
    device = WebAuthnCredential.objects.filter(user=user, pk=key_id).first()
    if device is None:
        raise TwoFactorError("没有这把安全密钥。", code="not_found", status=404)
    token = (token or "").strip().replace(" ", "")
    confirmed_at = request.session.pop(_CONFIRMED, None)
    fresh = confirmed_at is not None and time.time() - confirmed_at <= CONFIRMATION_SECONDS
    if token and not fresh:
        refuse_if_throttled(request, "remove_key")
    proof = match_token(user, token) if token else None
    if not fresh and proof is None:
        if token:
            count_failure(request)
        audit.record(actor=user, action="twofactor_failed", summary={"purpose": "remove_key"})
        raise TwoFactorError("请先验证：输入验证码或恢复码，或使用一把安全密钥确认。")
    with transaction.atomic():
        name = device.name
        device.delete()
        if not has_keys(user) and not has_totp(user):
            StaticDevice.objects.filter(user=user).delete()
        audit.record(actor=user, action="webauthn_removed", summary={"key": name})
    if proof is not None and has_keys(user) | has_totp(user):
        # the session stays verified by the factor just given (the removed key may have been
        # the one it was verified with at login)
        otp_login(request, proof)
    return device


def pop_new_codes(request: HttpRequest) -> list[str]:
    return request.session.pop(NEW_CODES, None) or []


def success_url(request: HttpRequest) -> str:
    nxt = request.GET.get("next") or "/admin/"
    ok = url_has_allowed_host_and_scheme(nxt, {request.get_host()}, request.is_secure())
    return nxt if ok else "/admin/"

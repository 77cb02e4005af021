"""Two-factor login (双因素认证) for the staff who can publish, sign, dispatch, see personal data
or administer: a TOTP authenticator app (django-otp) or a security key / passkey (WebAuthn,
core.webauthn), plus ten one-time recovery codes.

After the password, such a person is sent to enrol (first time) or to type the six-digit code;
until then every page but these answers with a redirect. Staff whose roles need no second
factor (an editor who only writes, a supervisor who reads reports) may enrol if they wish, and
whoever enrolled is asked for the code at every login.
``GOVHUB_REQUIRE_2FA`` switches the requirement on (default in production; the demo county's
printed logins work without it, and its 账号安全 page lets anyone try it).
"""

from __future__ import annotations

import secrets
from urllib.parse import quote

from django.conf import settings
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex
from django_otp_webauthn.models import WebAuthnCredential

from govhub.core import audit
from govhub.core.errors import DomainError
from govhub.core.models import Role
from govhub.core.permissions import roles_of

STRONG_ROLES = {
    Role.REVIEWER,
    Role.SIGNER,
    Role.DISPATCHER,
    Role.HANDLER,
    Role.ADMINISTRATOR,
}
RECOVERY_CODES = 10
# what an unverified person may still open: the login, the two-factor pages, static files
_OPEN_PREFIXES = ("/static/", "/media/", "/healthz", "/favicon")


class TwoFactorError(DomainError):
    code = "two_factor"


class TooManyAttempts(TwoFactorError):
    code = "rate_limited"
    status = 429


THROTTLED = (
    "第二步验证失败次数过多，为保护账号安全已暂停验证，请 15 分钟后再试。"
    "如手机或安全密钥丢失，请联系管理员重置。"
)


def required() -> bool:
    return bool(getattr(settings, "REQUIRE_2FA", False))


def needs_second_factor(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or roles_of(user) & STRONG_ROLES)


def _open_paths() -> tuple[str, ...]:
    return (
        *_OPEN_PREFIXES,
        reverse("wagtailadmin_login"),
        reverse("wagtailadmin_logout"),
        reverse("twofactor_setup"),
        reverse("twofactor_verify"),
        # the security-key ceremonies (core.webauthn): the library refuses to register a new key
        # for a session not verified by the factor already enrolled
        reverse("otp_webauthn:credential-registration-begin"),
        reverse("otp_webauthn:credential-registration-complete"),
        reverse("otp_webauthn:credential-authentication-begin"),
        reverse("otp_webauthn:credential-authentication-complete"),
        # what the two-factor pages themselves load: Wagtail's translations and icons (else
        # they are answered with the page, and the page is drawn twice, untranslated)
        reverse("wagtailadmin_javascript_catalog"),
        reverse("wagtailadmin_sprite"),
    )


class RequireSecondFactorMiddleware:
    """After django_otp's OTPMiddleware: a person who needs a second factor (by role when it is
    required, or because they enrolled one) and has not given it this session reaches only the
    login and the two-factor pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(_open_paths())
        ):
            # someone who enrolled an authenticator is asked for its code whether or not the
            # role requires it (else enrolling would protect nothing)
            enrolled = user_has_device(user)
            if enrolled or (required() and needs_second_factor(user)):
                target = "twofactor_verify" if enrolled else "twofactor_setup"
                return redirect(f"{reverse(target)}?next={quote(request.get_full_path())}")
        return self.get_response(request)


def safe_next(request, default: str = "/admin/") -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or default
    ok = url_has_allowed_host_and_scheme(nxt, {request.get_host()}, request.is_secure())
    return nxt if ok else default


def pending_device(request) -> TOTPDevice:
    """The authenticator being enrolled, not saved until its first code matches: its key waits
    in the session, so that opening the page writes nothing."""
    key = request.session.get("twofactor_key")
    if not key:
        key = request.session["twofactor_key"] = random_hex(20)
    return TOTPDevice(user=request.user, key=key, name="身份验证器", confirmed=False)


def confirm_device(request, device: TOTPDevice, token: str) -> list[str]:
    """Enrolment ends when the app's first code matches; returns the new recovery codes (shown
    once). Earlier authenticators and codes of the person are replaced."""
    token = (token or "").strip().replace(" ", "")
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if not (token.isdigit() and len(token) == 6 and totp.verify(int(token), tolerance=1)):
        raise TwoFactorError("验证码不正确，请核对手机上的身份验证器后重新输入六位数字。")
    user = device.user
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        device.confirmed = True
        device.last_t = totp.t()
        device.save()
        codes = new_recovery_codes(user)
        audit.record(actor=user, action="twofactor_enrolled")
    request.session.pop("twofactor_key", None)
    otp_login(request, device)
    return codes


def new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="恢复码", confirmed=True)
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    return codes


def _throttle_keys(request) -> list[tuple[str, str]]:
    from govhub.core.middleware import client_ip

    keys = [("second-factor-address", client_ip(request))]
    if getattr(request.user, "is_authenticated", False):
        keys.append(("second-factor", f"user:{request.user.pk}"))
    return keys


def refuse_if_throttled(request, purpose: str) -> None:
    """Before a second-factor attempt (app code, recovery code or security key): refused with
    429 while the account, or the address, has failed too often lately (``second-factor`` and
    ``second-factor-address`` in core.ratelimit) — a correct answer too, so guessing gains
    nothing. The first refusal of each account or address in a window is an audit record."""
    from django.core.cache import cache

    from govhub.core import ratelimit

    for scope, key in _throttle_keys(request):
        if ratelimit.reached(scope, key):
            _limit, window = ratelimit.LIMITS[scope]
            if cache.add(f"2fa-throttled:{scope}:{key}", 1, window):
                user = request.user if request.user.is_authenticated else None
                by = "account" if scope == "second-factor" else "address"
                audit.record(
                    actor=user, action="twofactor_throttled", summary={"purpose": purpose, "by": by}
                )
            raise TooManyAttempts(THROTTLED)


def count_failure(request) -> None:
    """One failed second-factor attempt, counted for the account and the address."""
    from govhub.core import ratelimit

    for scope, key in _throttle_keys(request):
        ratelimit.hit(scope, key, *ratelimit.LIMITS[scope])


def verify(request, token: str) -> None:
    """Checks a six-digit code or a recovery code (used once) and marks the session verified."""
    refuse_if_throttled(request, "verify")
    token = (token or "").strip().replace(" ", "")
    device = match_token(request.user, token) if token else None
    if device is None:
        count_failure(request)
        audit.record(actor=request.user, action="twofactor_failed")
        raise TwoFactorError("验证码不正确或已过期，请重新输入；手机不在身边可使用一个恢复码。")
    otp_login(request, device)
    used_recovery = isinstance(device, StaticDevice)
    audit.record(
        actor=request.user, action="twofactor_verified", summary={"recovery_code": used_recovery}
    )


def reset(actor, user) -> None:
    """An administrator removes a person's authenticator, security keys and codes (lost phone or
    key); the person enrols again at the next login."""
    if not (actor.is_superuser or Role.ADMINISTRATOR in roles_of(actor)):
        raise TwoFactorError("只有管理员可以重置他人的双因素认证。", code="forbidden")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        WebAuthnCredential.objects.filter(user=user).delete()
        audit.record(actor=actor, action="twofactor_reset", obj=user)


def otpauth_qr_svg(device: TOTPDevice) -> str:
    """The enrolment QR code as inline SVG (drawn here: no image service, no Internet)."""
    import segno

    return segno.make(device.config_url, error="m").svg_inline(scale=4)


def secret_text(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for apps that cannot scan."""
    import base64

    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))

"""Staff login protection: password rules, a per-address throttle beside django-axes' per-account
lockout, and every login, failure and lockout in the audit chain.

django-axes locks one account after a few wrong passwords whatever address they come from; it
has one failure limit for every lockout parameter, and five wrong passwords from a county office
behind one NAT address must not lock the whole office out. So the address gets its own, higher
limit here, counted in the shared cache (Redis in production) so that every worker sees it.
"""

from __future__ import annotations

import re

from axes.backends import AxesBackend
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.dispatch import receiver

from govhub.core import audit
from govhub.core.middleware import client_ip

ADDRESS_FAILURE_LIMIT = 30
ADDRESS_WINDOW_SECONDS = 15 * 60
_MOBILE = re.compile(r"1[3-9]\d{9}")


def axes_client_ip(request) -> str:
    """The address django-axes records: the same honest address the audit chain records."""
    return client_ip(request)


def _address_key(request) -> str:
    return f"login-failures:{client_ip(request)}"


def address_failures(request) -> int:
    return int(cache.get(_address_key(request), 0) or 0)


class GuardedBackend(AxesBackend):
    """The one authentication backend: an address with too many recent failures is refused,
    then a locked account (django-axes), then the password is checked (Django's ModelBackend).
    One backend, so that sessions and ``force_login`` name a backend that can load the user."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is not None and address_failures(request) >= ADDRESS_FAILURE_LIMIT:
            raise PermissionDenied("该地址登录失败次数过多，请稍后再试")
        super().authenticate(request, username=username, password=password, **kwargs)
        return ModelBackend.authenticate(
            self, request, username=username, password=password, **kwargs
        )


@receiver(user_login_failed)
def _count_and_audit_failure(sender, credentials=None, request=None, **kwargs):
    username = str((credentials or {}).get("username", ""))[:150]
    if request is not None:
        key = _address_key(request)
        if cache.add(key, 1, ADDRESS_WINDOW_SECONDS) is False:
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, ADDRESS_WINDOW_SECONDS)
    audit.record(actor=None, action="login_failed", summary={"username": username})


@receiver(user_logged_in)
def _audit_login(sender, request=None, user=None, **kwargs):
    audit.record(actor=user, action="login_succeeded")


@receiver(user_logged_out)
def _audit_logout(sender, request=None, user=None, **kwargs):
    if user is not None:
        audit.record(actor=user, action="logged_out")


def _audit_lockout(sender, request=None, username=None, ip_address=None, **kwargs):
    audit.record(actor=None, action="login_locked_out", summary={"username": str(username)[:150]})


def connect_lockout_signal() -> None:
    """django-axes' own signal; connected from CoreConfig.ready (axes is an installed app)."""
    from axes.signals import user_locked_out

    user_locked_out.connect(_audit_lockout, dispatch_uid="govhub-audit-lockout")


class NotPhoneOrUsernameValidator:
    """A staff password may not be a mobile number, nor contain the login name or the user's
    phone: both are the first guesses of anyone who knows who works where."""

    def validate(self, password: str, user=None) -> None:
        digits = re.sub(r"\D", "", password)
        if _MOBILE.fullmatch(digits) and len(digits) >= len(password) - 2:
            raise ValidationError("密码不能是手机号码。", code="password_is_phone")
        username = (getattr(user, "username", "") or "").lower()
        if username and len(username) >= 3 and username in password.lower():
            raise ValidationError("密码不能包含登录名。", code="password_has_username")
        phone = re.sub(r"\D", "", getattr(user, "phone", "") or "")
        if phone and len(phone) >= 7 and phone in digits:
            raise ValidationError("密码不能包含本人的电话号码。", code="password_has_phone")

    def get_help_text(self) -> str:
        return "密码不能是手机号码，也不能包含登录名或本人电话号码。"

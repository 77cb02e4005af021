"""The two-factor pages: enrol an authenticator, type the code after the password, and the
administrator's reset. Thin: the work is in core.twofactor."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django_otp import user_has_device

from govhub.core import twofactor, webauthn
from govhub.core.errors import DomainError


def setup(request):
    device = twofactor.pending_device(request)
    context = {"error": "", "next": twofactor.safe_next(request)}
    if request.method == "POST":
        try:
            codes = twofactor.confirm_device(request, device, request.POST.get("token", ""))
        except DomainError as exc:
            context["error"] = exc.message
        else:
            return render(
                request, "core/twofactor_codes.html", {"codes": codes, "next": context["next"]}
            )
    context.update(
        qr=twofactor.otpauth_qr_svg(device),
        secret=twofactor.secret_text(device),
        enrolled=user_has_device(request.user),
        webauthn_available=webauthn.available(request),
        webauthn_config=webauthn.configuration(request),
    )
    return render(request, "core/twofactor_setup.html", context)


def verify(request):
    if not user_has_device(request.user):
        return redirect("twofactor_setup")
    context = {"error": "", "next": twofactor.safe_next(request)}
    status = 200
    if request.method == "POST":
        try:
            twofactor.verify(request, request.POST.get("token", ""))
        except DomainError as exc:
            context["error"] = exc.message
            status = 429 if isinstance(exc, twofactor.TooManyAttempts) else 200
        else:
            return redirect(context["next"])
    context.update(
        has_totp=webauthn.has_totp(request.user),
        has_keys=webauthn.has_keys(request.user),
        webauthn_available=webauthn.available(request),
        webauthn_config=webauthn.configuration(request),
    )
    return render(request, "core/twofactor_verify.html", context, status=status)


@require_POST
def reset(request, user_id: int):
    person = get_object_or_404(get_user_model(), pk=user_id)
    try:
        twofactor.reset(request.user, person)
    except DomainError as exc:
        return render(request, "403.html", {"message": exc.message}, status=403)
    return redirect(request.POST.get("next") or "wagtailusers_users:index")

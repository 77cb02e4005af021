"""The security-key pages and the four ceremony endpoints (the library's views, with Chinese
refusals and the audit chain). Thin: the work is in core.webauthn."""

from __future__ import annotations

from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from django_otp_webauthn import exceptions
from django_otp_webauthn import views as lib

from govhub.core import twofactor, webauthn
from govhub.core.errors import DomainError


def _refusal(exc: exceptions.OTPWebAuthnApiError) -> JsonResponse:
    message = webauthn.MESSAGES.get(exc.code, webauthn.DEFAULT_MESSAGE)
    return JsonResponse({"detail": message, "code": exc.code}, status=exc.status_code)


class BeginRegistration(lib.BeginCredentialRegistrationView):
    def handle_exception(self, exc):
        if isinstance(exc, exceptions.OTPWebAuthnApiError):
            return _refusal(exc)
        raise exc


class CompleteRegistration(lib.CompleteCredentialRegistrationView):
    def handle_exception(self, exc):
        if isinstance(exc, exceptions.OTPWebAuthnApiError):
            webauthn.key_failed(self.request, f"register:{exc.code}")
            return _refusal(exc)
        raise exc

    def post(self, *args, **kwargs):
        with transaction.atomic():
            answer = super().post(*args, **kwargs)
            device = webauthn.WebAuthnCredential.objects.get(pk=_json(answer)["id"])
            attachment = str(self.request.data.get("authenticatorAttachment") or "")
            webauthn.key_registered(self.request, device, attachment)
        return answer


class BeginAuthentication(lib.BeginCredentialAuthenticationView):
    def handle_exception(self, exc):
        if isinstance(exc, exceptions.OTPWebAuthnApiError):
            return _refusal(exc)
        raise exc


class CompleteAuthentication(lib.CompleteCredentialAuthenticationView):
    def handle_exception(self, exc):
        if isinstance(exc, twofactor.TooManyAttempts):
            return JsonResponse({"detail": exc.message, "code": exc.code}, status=exc.status)
        if isinstance(exc, exceptions.OTPWebAuthnApiError):
            webauthn.key_failed(self.request, exc.code, attempt=True)
            return _refusal(exc)
        raise exc

    def post(self, *args, **kwargs):
        twofactor.refuse_if_throttled(self.request, "key_" + (self._purpose() or "verify"))
        return super().post(*args, **kwargs)

    def _purpose(self) -> str:
        return "confirm" if self.request.GET.get("purpose") == "confirm" else ""

    def complete_auth(self, device):
        super().complete_auth(device)
        webauthn.key_verified(self.request, device, self._purpose())

    def get_success_url(self):
        # a removal's confirmation stays on its page (the page's script sends the form)
        return "" if self._purpose() else webauthn.success_url(self.request)


def _json(answer) -> dict:
    import json

    return json.loads(answer.content)


def keys(request):
    """账号安全 → 安全密钥: the person's keys, adding one, and the way to remove one."""
    return render(
        request,
        "core/webauthn_keys.html",
        {
            "keys": webauthn.keys_of(request.user),
            "available": webauthn.available(request),
            "webauthn_config": webauthn.configuration(request),
            "has_totp": webauthn.has_totp(request.user),
            "next": twofactor.safe_next(request, default=request.path),
        },
    )


@require_http_methods(["GET", "POST"])
def remove(request, key_id: int):
    device = webauthn.WebAuthnCredential.objects.filter(user=request.user, pk=key_id).first()
    if device is None:
        return redirect("webauthn_keys")
    context = {
        "key": device,
        "error": "",
        "available": webauthn.available(request) and webauthn.has_keys(request.user),
        "webauthn_config": webauthn.configuration(request, purpose="confirm"),
        "has_totp": webauthn.has_totp(request.user),
    }
    status = 200
    if request.method == "POST":
        try:
            webauthn.remove_key(request, key_id, request.POST.get("token", ""))
        except DomainError as exc:
            context["error"] = exc.message
            status = 429 if isinstance(exc, twofactor.TooManyAttempts) else 200
        else:
            return redirect("webauthn_keys")
    return render(request, "core/webauthn_remove.html", context, status=status)


def new_codes(request):
    """The recovery codes made with a first key, shown once."""
    codes = webauthn.pop_new_codes(request)
    nxt = twofactor.safe_next(request, default="/admin/2fa/keys/")
    if not codes:
        return redirect(nxt)
    return render(request, "core/twofactor_codes.html", {"codes": codes, "next": nxt})

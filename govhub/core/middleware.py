from __future__ import annotations

from govhub.core.context import ActingContext, reset_context, set_context


def client_ip(request) -> str:
    """The client address; X-Forwarded-For is trusted only from the local reverse proxy."""
    remote = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and remote in {"127.0.0.1", "::1"}:
        return forwarded.split(",")[0].strip()
    return remote


class RequestContextMiddleware:
    """Makes the client address available to the audit log for the length of a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_context(ActingContext(ip=client_ip(request), channel="web"))
        try:
            return self.get_response(request)
        finally:
            reset_context(token)

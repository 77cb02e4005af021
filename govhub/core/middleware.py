from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

from govhub.core.context import ActingContext, reset_context, set_context


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(e, strict=False) for e in entries)


def _trusted(addr: str, networks: tuple) -> bool:
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip.version == n.version and ip in n for n in networks)


def client_ip(request) -> str:
    """The client address, as honest as the proxy chain allows.

    X-Forwarded-For is read only when the direct peer is one of ``GOVHUB_TRUSTED_PROXIES``; it is
    walked from the right (the hop our own proxy appended or set), skipping trusted proxies, and
    the first untrusted hop is the client. A value the client put on the left is never believed
    over the hop the proxy saw, so a rotating forged header changes nothing for rate limits or
    the audit log. A malformed hop stops the walk: the last good address is used.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ("127.0.0.1", "::1"))))
    if not _trusted(remote, networks):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    client = remote
    for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break
        client = hop
        if not _trusted(hop, networks):
            break
    return client


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

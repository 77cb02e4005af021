"""The callback endpoint: thin — protocol checks in ``protocol``, answers in ``handlers``."""

from __future__ import annotations

import re
import time

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.security import SecurityMiddleware
from django.views.decorators.csrf import csrf_exempt

from govhub.core.context import ActingContext, reset_context, set_context
from govhub.core.middleware import client_ip
from govhub.wechat import cache, handlers, protocol


def _plain(status: int, text: str) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


@csrf_exempt
def callback(request: HttpRequest, slug: str) -> HttpResponse:
    account = cache.account(slug)
    if account is None or not account.callback_token:
        return _plain(404, "未知的公众号")
    try:
        if request.method == "GET":
            protocol.verify_signature(account, request.GET)
            return _plain(200, request.GET.get("echostr", ""))
        if request.method != "POST":
            return _plain(405, "不支持的请求方法")
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > protocol.MAX_BODY:
            return _plain(413, "消息过大")
        body = request.read(protocol.MAX_BODY + 1)
        if len(body) > protocol.MAX_BODY:
            return _plain(413, "消息过大")
        msg, env = protocol.open_message(account, request.GET, body)
    except protocol.CallbackError as exc:
        return _plain(exc.status, exc.message)
    reply = handlers.handle_once(account, msg)
    _keep_sqlite_connection()
    sealed = protocol.seal_reply(account, reply, env)
    return HttpResponse(
        sealed, content_type="application/xml; charset=utf-8" if reply else "text/plain"
    )


SQLITE_KEEP = 60.0


def _keep_sqlite_connection() -> None:
    """Reuse this thread's SQLite connection for the next pushes (as CONN_MAX_AGE=60 does).

    The embedded configuration closes SQLite connections after every request; closing the last
    connection to a WAL database checkpoints and syncs it, about 12 ms of disk wait per push
    on the test machine, the largest single cost of a message. PostgreSQL already keeps its
    connections (CONN_MAX_AGE=60)."""
    if connection.vendor == "sqlite" and connection.connection is not None:
        connection.close_at = time.monotonic() + SQLITE_KEEP


CALLBACK_PATH = re.compile(r"^/wechat/callback/(?P<slug>[-a-zA-Z0-9_]+)/\Z")  # as in urls.py


class CallbackMiddleware:
    """Serve WeChat's pushes without the site's session, locale, auth, CSRF (the view is exempt)
    and message middleware and URL resolution, which cost about a fifth of a push's CPU and do
    nothing for it. Put first in MIDDLEWARE. What protects the endpoint stays: the host check
    (ALLOWED_HOSTS), SecurityMiddleware (HTTPS redirect, its headers), X-Frame-Options, and the
    client address for the audit log."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.security = SecurityMiddleware(get_response)
        self.xframe = XFrameOptionsMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        match = CALLBACK_PATH.match(request.path_info)
        if match is None:
            return self.get_response(request)
        request.get_host()  # DisallowedHost (a 400) for a host not in ALLOWED_HOSTS
        response = self.security.process_request(request)
        if response is None:
            token = set_context(ActingContext(ip=client_ip(request), channel="web"))
            try:
                response = callback(request, match["slug"])
            finally:
                reset_context(token)
        response = self.security.process_response(request, response)
        return self.xframe.process_response(request, response)

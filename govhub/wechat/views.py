"""The callback endpoint: thin — protocol checks in ``protocol``, answers in ``handlers``."""

from __future__ import annotations

import time

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

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

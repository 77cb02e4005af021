"""Health check and the Chinese error pages."""

from __future__ import annotations

import logging
import re

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.crypto import get_random_string

log = logging.getLogger(__name__)


def _check_database() -> str:
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return "ok"


def _check_cache() -> str:
    key = "govhub:healthz:" + get_random_string(8)
    cache.set(key, "1", 5)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return the value it was given")
    cache.delete(key)
    return "ok"


def _check_jobs() -> str:
    from django.conf import settings

    if settings.JOBS_BACKEND == "rq":
        import django_rq

        django_rq.get_connection("default").ping()
        return "ok (rq)"
    if settings.JOBS_BACKEND == "database":
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.exists()
        return "ok (database)"
    return f"ok ({settings.JOBS_BACKEND})"


def healthz(request):
    """200 when database, cache and job queue answer; 503 naming what does not."""
    checks, healthy = {}, True
    for name, fn in [("database", _check_database), ("cache", _check_cache), ("jobs", _check_jobs)]:
        try:
            checks[name] = fn()
        except Exception as exc:
            healthy = False
            checks[name] = f"error: {type(exc).__name__}"
            log.warning("healthz: %s failed: %s", name, type(exc).__name__)
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )


def _wants_json(request) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )


def permission_denied(request, exception=None):
    message = str(exception) if exception and str(exception) else "您没有执行此操作的权限。"
    if _wants_json(request):
        return JsonResponse({"error": "forbidden", "message": message}, status=403)
    return render(request, "403.html", {"message": message}, status=403)


def page_not_found(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"error": "not_found", "message": "页面不存在"}, status=404)
    return render(request, "404.html", {"path": request.path}, status=404)


DB_UNAVAILABLE = "系统正在恢复，请稍后再试。您填写的内容没有提交，返回上一页即可重新提交。"


def server_error(request):
    """The Chinese error page. When the database was unreachable (restarting, failing over) the
    request did nothing: 503 with Retry-After, so a citizen knows to send it again, and
    monitoring sees an outage rather than a bug."""
    import sys

    from django.db import InterfaceError, OperationalError

    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        if _wants_json(request):
            response = JsonResponse({"error": "unavailable", "message": DB_UNAVAILABLE}, status=503)
        else:
            response = render(request, "503.html", {"message": DB_UNAVAILABLE}, status=503)
        response["Retry-After"] = "5"
        return response
    if _wants_json(request):
        return JsonResponse(
            {"error": "server_error", "message": "服务器内部错误，请稍后再试"}, status=500
        )
    return render(request, "500.html", status=500)


_TOKEN = re.compile(r"[\w\-:=+/]+")


def csrf_failure(request, reason: str = ""):
    """A form whose security token no longer holds (left open for hours, cookies cleared, a
    login that changed meanwhile). Django answers in English and the typed form is gone; here a
    Chinese page holds every field that was sent, with a fresh token, ready to send again.
    Files cannot be carried over (no page may fill a file input): the page names them."""
    from django.middleware.csrf import get_token

    fields = [
        (name, value)
        for name in request.POST
        if name != "csrfmiddlewaretoken"
        for value in request.POST.getlist(name)
    ]
    if _wants_json(request):
        return JsonResponse(
            {"error": "csrf", "message": "页面已过期，请刷新页面后重新提交。"}, status=403
        )
    return render(
        request,
        "core/csrf_failure.html",
        {
            "action": request.get_full_path(),
            "fields": fields,
            # what a person typed (not a form's machine token) to copy by hand if need be
            "texts": [v for _, v in fields if len(v.strip()) >= 30 and not _TOKEN.fullmatch(v)],
            "files": [f.name for f in request.FILES.values()],
            "token": get_token(request),
        },
        status=403,
    )


# --- guards in front of two Wagtail admin views that answer 500 to malformed input ----------


def chooser_not_a_number(request, **kwargs):
    """Wagtail's image and document choosers look an id up as given: a non-numeric one (only a
    hand-made URL has it) would be a 500. It is simply not there."""
    return page_not_found(request)


def external_link_chooser(request):
    """Wagtail's external-link chooser reads its field as None when a POST leaves it out and
    fails on it (500): an absent field is treated as an empty one, which the form refuses."""
    from wagtail.admin.auth import require_admin_access
    from wagtail.admin.views.chooser import ExternalLinkView

    field = f"{ExternalLinkView.form_prefix}-url"
    if request.method == "POST" and field not in request.POST:
        post = request.POST.copy()
        post[field] = ""
        request.POST = post
    return require_admin_access(ExternalLinkView.as_view())(request)

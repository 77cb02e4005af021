"""The public 好差评 page: a rating form reached from a page (guide, query result, answer) or a
link sent with a reply (inbox, booking). Works without JavaScript, also in WeChat's browser."""

from __future__ import annotations

import hashlib

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from govhub.core import ratelimit
from govhub.core.errors import DomainError, FieldErrors
from govhub.ratings import actions, targets
from govhub.ratings.models import RatingLevel, RatingTarget

LEVELS = list(RatingLevel.choices)


def channel_of(request: HttpRequest) -> str:
    return "wechat" if "micromessenger" in request.headers.get("User-Agent", "").lower() else "web"


def form_context(token: str, legend: str = "") -> dict:
    """What a page needs to include ``ratings/_form.html``."""
    return {"token": token, "levels": LEVELS, "form": {}, "legend": legend}


@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest) -> HttpResponse:
    token = request.POST.get("token") or request.GET.get("t", "")
    form = {k: request.POST.get(k, "") for k in ("level", "comment", "contact")}
    ctx: dict = {"token": token, "form": form, "levels": LEVELS}
    try:
        target_type, target_id, _, per_visitor = actions.read_rating_token(token)
        target = targets.resolve(target_type, target_id)
        if target is None:
            raise actions.RatingRefused("评价的服务不存在。")
        ctx["target_name"] = target.name
        ctx["target_label"] = RatingTarget(target_type).label
    except DomainError as exc:
        ctx["error"] = exc.message
        return render(request, "ratings/rate.html", ctx, status=exc.status)
    if request.method == "GET":
        return render(request, "ratings/rate.html", ctx)
    if ratelimit.over(request, "services-rate"):
        ctx["error"] = "您的操作太频繁了，请稍后再试。"
        return render(request, "ratings/rate.html", ctx, status=429)
    event = ""
    if per_visitor:
        # one rating per visitor's session (一事一评 for a page that is read, not handled)
        if not request.session.session_key:
            request.session.save()
        event = hashlib.sha256(f"{request.session.session_key}".encode()).hexdigest()[:20]
    try:
        rating = actions.rate(
            token,
            form["level"],
            form["comment"],
            form["contact"],
            channel=channel_of(request),
            event=event,
        )
    except FieldErrors as exc:
        ctx["errors"] = exc.errors
        return render(request, "ratings/rate.html", ctx, status=400)
    except DomainError as exc:
        ctx["error"] = exc.message
        return render(request, "ratings/rate.html", ctx, status=exc.status)
    return render(request, "ratings/rated.html", {"rating": rating})

"""Public pages of 办事服务: guides by life event, department and words; 微查询; 好差评.

Thin: each view parses the request, calls access/actions, renders. Works without JavaScript,
so it reads the same in WeChat's browser.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from govhub.core import ratelimit
from govhub.core.errors import FieldErrors
from govhub.ratings.actions import rating_token
from govhub.ratings.models import RatingTarget
from govhub.ratings.views import channel_of as _channel
from govhub.services import access, actions, config
from govhub.services.models import Audience, LifeEvent, QueryConnector
from govhub.wechat import oauth as wechat_oauth


@require_http_methods(["GET"])
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "services/home.html",
        {
            "person_events": access.events_with_counts("person"),
            "legal_events": access.events_with_counts("legal"),
            "departments": access.departments_with_guides(),
            "queries": QueryConnector.objects.filter(enabled=True),
        },
    )


@require_http_methods(["GET"])
def guide_list(request: HttpRequest) -> HttpResponse:
    q = (request.GET.get("q") or "").strip()[:50]
    event = request.GET.get("event", "")[:30]
    dept = request.GET.get("dept", "")[:64]
    audience = request.GET.get("audience", "")[:8]
    guides = access.find_guides(q=q, event=event, dept=dept, audience=audience)
    page = Paginator(guides, 20).get_page(request.GET.get("page"))
    heading = "办事指南"
    if event and (ev := LifeEvent.objects.filter(slug=event).first()):
        heading = f"{ev.name}：相关事项"
    elif dept and (d := access.departments_with_guides().filter(code=dept).first()):
        heading = f"{d.name}：办事指南"
    elif audience in Audience.values:
        heading = f"{Audience(audience).label}办事"
    if q:
        heading = f"“{q}”的搜索结果"
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "services/guide_list.html",
        {"page": page, "q": q, "heading": heading, "params": params.urlencode()},
    )


def _guide_context(guide, **extra) -> dict:
    return {
        "guide": guide,
        "materials": config.parse_materials(guide.materials),
        "steps": config.parse_steps(guide.steps),
        "connectors": guide.connectors.filter(enabled=True),
        "bookable": bool(access.open_slots(guide)),
        "rating_token": rating_token(RatingTarget.GUIDE, guide.pk, per_visitor=True),
        **extra,
    }


@require_http_methods(["GET"])
def guide_detail(request: HttpRequest, pk: int) -> HttpResponse:
    guide = access.get_guide(pk)
    return render(request, "services/guide_detail.html", _guide_context(guide))


def _query_fields(connector, values=None, errors=None) -> list[dict]:
    values, errors = values or {}, errors or {}
    return [
        {
            "name": f.name,
            "label": f.label,
            "kind": f.kind,
            "value": values.get(f.name, ""),
            "error": errors.get(f.name, ""),
        }
        for f in config.parse_input_fields(connector.input_fields)
    ]


@require_http_methods(["GET", "POST"])
def query_page(request: HttpRequest, slug: str) -> HttpResponse:
    connector = access.get_connector(slug)
    ctx: dict = {"connector": connector, "fields": _query_fields(connector)}
    if request.method == "GET":
        return render(request, "services/query.html", ctx)
    if ratelimit.over(request, "services-query"):
        ctx["error"] = "您查询得太频繁了，请一分钟后再试。"
        return render(request, "services/query.html", ctx, status=429)
    raw = {f["name"]: request.POST.get(f["name"], "") for f in ctx["fields"]}
    try:
        result = actions.run_query(connector, raw, channel=_channel(request))
    except FieldErrors as exc:
        ctx["fields"] = _query_fields(connector, raw, exc.errors)
        return render(request, "services/query.html", ctx, status=400)
    except actions.ServiceBusy:
        return render(request, "services/busy.html", {"connector": connector}, status=503)
    ctx["result"] = result
    return render(request, "services/query.html", ctx)


@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, pk: int) -> HttpResponse:
    guide = access.get_guide(pk)
    form = {k: request.POST.get(k, "") for k in ("slot", "name", "phone")}
    ctx: dict = {
        "guide": guide,
        "slots": access.open_slots(guide),
        "form": form,
        "errors": {},
        "by_wechat": bool(wechat_oauth.openid_of(request)),
    }
    if request.method == "GET":
        # in WeChat's browser, learn the visitor's openid first so the reminder goes there
        return wechat_oauth.authorize_redirect(request) or render(
            request, "services/book.html", ctx
        )
    if ratelimit.over(request, "services-book"):
        ctx["error"] = "您的操作太频繁了，请稍后再试。"
        return render(request, "services/book.html", ctx, status=429)
    try:
        slot_id = int(form["slot"] or 0)
    except ValueError:
        slot_id = 0
    if not slot_id:
        ctx["errors"] = {"slot": "请选择一个时段"}
        return render(request, "services/book.html", ctx, status=400)
    try:
        booking = actions.book(
            slot_id,
            form["name"],
            form["phone"],
            channel=_channel(request),
            openid=wechat_oauth.openid_of(request),
        )
    except FieldErrors as exc:
        ctx["errors"] = exc.errors
        return render(request, "services/book.html", ctx, status=400)
    except actions.DomainError as exc:
        ctx["error"] = exc.message
        ctx["slots"] = access.open_slots(guide)
        return render(request, "services/book.html", ctx, status=exc.status)
    return render(
        request, "services/booked.html", {"booking": booking, "by_wechat": bool(booking.openid)}
    )


@require_http_methods(["GET", "POST"])
def my_booking(request: HttpRequest) -> HttpResponse:
    form = {k: request.POST.get(k, "") for k in ("code", "phone")}
    ctx: dict = {"form": form}
    if request.method == "GET":
        return render(request, "services/my_booking.html", ctx)
    if ratelimit.over(request, "services-find-booking"):
        ctx["error"] = "您的操作太频繁了，请稍后再试。"
        return render(request, "services/my_booking.html", ctx, status=429)
    try:
        booking = actions.find_booking(form["code"], form["phone"])
        if request.POST.get("cancel") == "1":
            actions.cancel_booking(booking)
            booking.refresh_from_db()
            ctx["cancelled"] = True
        elif request.POST.get("change") == "1":
            try:
                slot_id = int(request.POST.get("slot") or 0)
            except ValueError:
                slot_id = 0
            if not slot_id:
                ctx["change_error"] = "请选择要改到的时段"
            else:
                booking = actions.change_booking(booking, slot_id)
                ctx["changed"] = True
                form["code"] = booking.code
    except actions.DomainError as exc:
        ctx["error"] = exc.message
        return render(request, "services/my_booking.html", ctx, status=400)
    ctx["booking"] = booking
    if booking.status == booking.Status.BOOKED:
        ctx["other_slots"] = [
            s for s in access.open_slots(booking.slot.guide) if s.pk != booking.slot_id and s.left
        ]
    if booking.status == booking.Status.ATTENDED:
        # 好差评 of the visit: one per booking
        ctx["rating_token"] = rating_token(
            RatingTarget.BOOKING, booking.pk, event=f"booking:{booking.pk}"
        )
    return render(request, "services/my_booking.html", ctx)

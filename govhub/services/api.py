"""Public API of 办事服务: guides, 微查询 and 好差评 (``/api/services/…``)."""

from __future__ import annotations

from ninja import Router, Schema

from govhub.core import ratelimit
from govhub.core.errors import DomainError
from govhub.core.schemas import StrictIn
from govhub.ratings import actions as rating_actions
from govhub.services import access, actions, config

router = Router(tags=["办事服务"])


class GuideOut(Schema):
    id: int
    code: str
    name: str
    matter_type: str
    department: str
    audience: str
    url: str


class GuideDetailOut(GuideOut):
    implementing_body: str
    summary: str
    legal_basis: str
    conditions: str
    materials: list[dict]
    steps: list[dict]
    statutory_days: int | None
    promised_days: int | None
    fee: str
    fee_basis: str
    place: str
    hours: str
    contact_phone: str
    complaint_phone: str
    online_url: str
    visits: int
    life_events: list[str]


def _guide_out(g) -> dict:
    return {
        "id": g.pk,
        "code": g.code,
        "name": g.name,
        "matter_type": g.get_matter_type_display(),
        "department": g.department.name,
        "audience": g.get_audience_display(),
        "url": g.get_absolute_url(),
    }


@router.get(
    "/guides",
    response=list[GuideOut],
    auth=None,
    summary="办事指南：按主题、部门、对象或关键词查找",
)
def list_guides(request, q: str = "", event: str = "", dept: str = "", audience: str = ""):
    guides = access.find_guides(q=q[:50], event=event[:30], dept=dept[:64], audience=audience)
    return [_guide_out(g) for g in list(guides)[:100]]


@router.get("/guides/{guide_id}", response=GuideDetailOut, auth=None, summary="办事指南详情")
def get_guide(request, guide_id: int):
    g = access.get_guide(guide_id)
    return {
        **_guide_out(g),
        "implementing_body": g.body,
        "summary": g.summary,
        "legal_basis": g.legal_basis,
        "conditions": g.conditions,
        "materials": [m.__dict__ for m in config.parse_materials(g.materials)],
        "steps": [s.__dict__ for s in config.parse_steps(g.steps)],
        "statutory_days": g.statutory_days,
        "promised_days": g.promised_days,
        "fee": g.fee,
        "fee_basis": g.fee_basis,
        "place": g.place,
        "hours": g.hours,
        "contact_phone": g.contact_phone,
        "complaint_phone": g.complaint_phone,
        "online_url": g.online_url,
        "visits": g.visits,
        "life_events": [e.name for e in g.life_events.all()],
    }


class QueryIn(StrictIn):
    params: dict[str, str]
    channel: str = "api"


class QueryOut(Schema):
    found: bool
    rows: list[dict]
    rating_token: str


@router.post("/queries/{slug}", response=QueryOut, auth=None, summary="微查询：按配置调用部门系统")
def run_query(request, slug: str, body: QueryIn):
    if ratelimit.over(request, "services-query"):
        raise DomainError("rate_limited", "您查询得太频繁了，请一分钟后再试。", status=429)
    result = actions.run_query(access.get_connector(slug), body.params, channel=body.channel)
    return {
        "found": not result.empty,
        "rows": [{"label": label, "value": value} for label, value in result.rows],
        "rating_token": result.rating_token,
    }


class RatingIn(StrictIn):
    token: str
    level: int
    comment: str = ""
    contact: str = ""


class RatingOut(Schema):
    id: int
    level: str
    callback_due: str | None


@router.post(
    "/ratings", response=RatingOut, auth=None, summary="好差评：对一次服务评价（一事一评）"
)
def rate(request, body: RatingIn):
    if ratelimit.over(request, "services-rate"):
        raise DomainError("rate_limited", "您的操作太频繁了，请稍后再试。", status=429)
    r = rating_actions.rate(body.token, body.level, body.comment, body.contact, channel="api")
    due = r.callback.due_date.isoformat() if r.is_bad else None
    return {"id": r.pk, "level": r.get_level_display(), "callback_due": due}


@router.post("/guides/{guide_id}/rating-token", auth=None, summary="为一次办事指南浏览取评价凭证")
def guide_token(request, guide_id: int):
    g = access.get_guide(guide_id)
    return {"rating_token": rating_actions.rating_token("guide", g.pk)}


class SlotOut(Schema):
    id: int
    date: str
    start: str
    end: str
    place: str
    left: int


@router.get(
    "/guides/{guide_id}/slots", response=list[SlotOut], auth=None, summary="预约办事：可预约时段"
)
def list_slots(request, guide_id: int):
    return [
        {
            "id": s.pk,
            "date": s.date.isoformat(),
            "start": s.start.strftime("%H:%M"),
            "end": s.end.strftime("%H:%M"),
            "place": s.place,
            "left": s.left,
        }
        for s in access.open_slots(access.get_guide(guide_id))
    ]


class BookIn(StrictIn):
    slot: int
    name: str
    phone: str


class BookingOut(Schema):
    code: str
    guide: str
    date: str
    start: str
    place: str
    status: str


def _booking_out(b) -> dict:
    return {
        "code": b.code,
        "guide": b.slot.guide.name,
        "date": b.slot.date.isoformat(),
        "start": b.slot.start.strftime("%H:%M"),
        "place": b.slot.place,
        "status": b.get_status_display(),
    }


@router.post("/bookings", response=BookingOut, auth=None, summary="预约办事：预约一个时段")
def create_booking(request, body: BookIn):
    if ratelimit.over(request, "services-book"):
        raise DomainError("rate_limited", "您的操作太频繁了，请稍后再试。", status=429)
    return _booking_out(actions.book(body.slot, body.name, body.phone, channel="api"))


class FindIn(StrictIn):
    code: str
    phone: str
    cancel: bool = False


@router.post("/bookings/find", response=BookingOut, auth=None, summary="预约办事：查询或取消预约")
def find_booking(request, body: FindIn):
    if ratelimit.over(request, "services-find-booking"):
        raise DomainError("rate_limited", "您的操作太频繁了，请稍后再试。", status=429)
    b = actions.find_booking(body.code, body.phone)
    if body.cancel:
        actions.cancel_booking(b)
        b.refresh_from_db()
    return _booking_out(b)


ROUTERS = [("/services", router)]

"""The letters API: the staff lifecycle (session or Bearer token, same permission checks as the
back office) and Open311 GeoReport v2 for other systems and the 12345 hotline."""

from __future__ import annotations

import datetime as dt
from xml.sax.saxutils import escape

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Router, Schema

from govhub.api.auth import resolve_token
from govhub.core import paging, ratelimit
from govhub.core.errors import DomainError
from govhub.core.models import Department
from govhub.core.permissions import can
from govhub.core.pii import redact_text, shown_text
from govhub.core.schemas import StrictIn
from govhub.letters import actions, intake
from govhub.letters.access import get_letter_for, visible_letters
from govhub.letters.deadlines import clock
from govhub.letters.geo import coarse_point
from govhub.letters.models import OTHER_SERVICE, Category, ExtensionStatus, Letter, Status
from govhub.letters.text import redact_for_publication

router = Router(tags=["letters"])
open311 = Router(tags=["open311"])


# --- staff API ---------------------------------------------------------------------------


class EventOut(Schema):
    at: dt.datetime
    kind: str
    label: str
    to_status: str
    department: str | None
    note: str


class LetterOut(Schema):
    id: int
    tracking_code: str
    status: str
    status_label: str
    channel: str
    subject: str
    content: str
    category: str | None
    service_code: str
    place: str
    latitude: float | None
    longitude: float | None
    media_url: str
    department: str | None
    co_departments: list[str]
    received_at: dt.datetime
    dispatch_due: dt.date
    handle_due: dt.date | None
    reply_due: dt.date
    clock: str
    suggestion: dict
    satisfaction: str  # the 好差评 level's label, empty when not rated
    rating_level: int | None  # 5 非常满意 … 1 非常不满意


class AttachmentOut(Schema):
    id: int
    name: str
    mime: str
    size: int
    url: str


class LetterDetailOut(LetterOut):
    events: list[EventOut]
    attachments: list[AttachmentOut]


def _out(letter: Letter, user, with_events: bool = False) -> dict:
    """A letter for the staff API: subject and body in full for those with
    ``view_personal_data`` on it, with phone, ID and card numbers masked for everyone else."""
    personal = can(user, "view_personal_data", letter)
    data = {
        "id": letter.pk,
        "tracking_code": letter.tracking_code,
        "status": letter.status,
        "status_label": letter.get_status_display(),
        "channel": letter.channel,
        "subject": shown_text(user, letter, "subject", allowed=personal),
        "content": shown_text(user, letter, "content", allowed=personal),
        "category": letter.category.code if letter.category else None,
        "service_code": letter.service_code,
        "place": letter.place,
        "latitude": letter.latitude,
        "longitude": letter.longitude,
        "media_url": letter.media_url,
        "department": letter.department.code if letter.department else None,
        "co_departments": [
            a.department.code for a in letter.assignments.all() if a.active and a.role == "co"
        ],
        "received_at": letter.received_at,
        "dispatch_due": letter.dispatch_due,
        "handle_due": letter.handle_due,
        "reply_due": letter.reply_due,
        "clock": clock(letter)["label"],
        "suggestion": letter.suggestion or {},
        "satisfaction": letter.rating.get_level_display() if letter.rating else "",
        "rating_level": letter.rating.level if letter.rating else None,
    }
    if with_events:
        data["events"] = [
            {
                "at": e.at,
                "kind": e.kind,
                "label": e.label,
                "to_status": e.to_status,
                "department": e.department.code if e.department else None,
                "note": shown_text(user, e, "note", allowed=personal),
            }
            for e in letter.events.select_related("department")
        ]
        data["attachments"] = [
            {
                "id": a.pk,
                "name": a.original_name,
                "mime": a.mime,
                "size": a.size,
                "url": f"/api/letters/{letter.pk}/attachments/{a.pk}",
            }
            for a in letter.attachments.all()
        ]
    return data


def _run(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except actions.LetterStateError as exc:
        raise DomainError("invalid_state", str(exc), status=409) from exc
    except intake.LetterInputError as exc:
        raise DomainError("invalid_input", str(exc), exc.errors) from exc


def _dept(code: str | None) -> Department | None:
    if not code:
        return None
    dept = Department.objects.filter(code=code).first()
    if dept is None:
        raise DomainError("unknown_department", f"未知的部门代码：{code}")
    return dept


@router.get("/", response=list[LetterOut], summary="我可见的信件")
def list_letters(request, status: str | None = None, limit: int = 50, offset: int = 0):
    qs = (
        visible_letters(request.user)
        .select_related(
            "department", "category", "town", "intake_department", "supervising_department"
        )
        .prefetch_related("assignments__department")
    )
    if status:
        qs = qs.filter(status=status)
    window = paging.window(offset, limit)
    return [_out(lt, request.user) for lt in qs.order_by("-received_at")[window]]


@router.get("/{letter_id}", response=LetterDetailOut, summary="信件详情及办理记录")
def get_letter(request, letter_id: int):
    return _out(get_letter_for(request.user, letter_id), request.user, with_events=True)


@router.get("/{letter_id}/attachments/{attachment_id}", summary="下载附件（须有权查看该信件）")
def get_attachment(request, letter_id: int, attachment_id: int):
    from govhub.letters.attachments import staff_download

    return staff_download(request.user, letter_id, attachment_id, via="api")


class LetterIn(StrictIn):
    channel: str = "api"
    subject: str = ""
    content: str
    name: str = ""
    phone: str = ""
    email: str = ""
    town_code: str | None = None
    category_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    address: str = ""
    media_url: str = ""
    publish_consent: bool = False
    idempotency_key: str | None = None


class CreatedOut(Schema):
    id: int
    tracking_code: str
    status: str


@router.post("/", response={201: CreatedOut}, summary="登记来信（电话、其他系统）")
def create_letter(request, body: LetterIn):
    ratelimit.check(request, "api-submit")
    token = getattr(request, "api_token", None)
    # idempotency keys belong to the caller: another client's key finds nothing of ours
    scope = f"tok{token.pk}" if token is not None else f"u{request.user.pk}"
    letter = _run(
        intake.submit_letter,
        actor=request.user,
        api_token=token,
        idempotency_scope=scope,
        **body.dict(),
    )
    return 201, {"id": letter.pk, "tracking_code": letter.tracking_code, "status": letter.status}


class DispatchIn(StrictIn):
    department: str
    co_departments: list[str] = []
    note: str = ""


class NoteIn(StrictIn):
    note: str = ""


class ReasonIn(StrictIn):
    reason: str


class MergeIn(StrictIn):
    into: str
    note: str = ""


class ExtensionIn(StrictIn):
    days: int
    reason: str


class DecisionIn(StrictIn):
    approve: bool
    note: str = ""


class ReplyIn(StrictIn):
    body: str
    submit: bool = False


class ReopenIn(StrictIn):
    note: str
    department: str | None = None


class PublishIn(StrictIn):
    subject: str
    content: str
    reply: str


def _act(request, letter_id: int, fn, **kwargs) -> dict:
    letter = get_letter_for(request.user, letter_id)
    _run(fn, request.user, letter, **kwargs)
    letter.refresh_from_db()
    return _out(letter, request.user, with_events=True)


@router.post("/{letter_id}/dispatch", response=LetterDetailOut, summary="分办（主办/协办）")
def dispatch(request, letter_id: int, body: DispatchIn):
    return _act(
        request,
        letter_id,
        actions.dispatch_letter,
        department=_dept(body.department),
        co_departments=[_dept(c) for c in body.co_departments],
        note=body.note,
    )


@router.post("/{letter_id}/merge", response=LetterDetailOut, summary="合并重复来信")
def merge(request, letter_id: int, body: MergeIn):
    into = (
        visible_letters(request.user).filter(tracking_code=intake.normalise_code(body.into)).first()
    )
    if into is None:
        raise DomainError("not_found", "未找到要合并到的信件", status=404)
    return _act(request, letter_id, actions.merge_letter, into=into, note=body.note)


@router.post("/{letter_id}/invalid", response=LetterDetailOut, summary="认定无效")
def invalid(request, letter_id: int, body: ReasonIn):
    return _act(request, letter_id, actions.mark_invalid, reason=body.reason)


@router.post("/{letter_id}/accept", response=LetterDetailOut, summary="签收")
def accept(request, letter_id: int, body: NoteIn):
    return _act(request, letter_id, actions.accept_letter, note=body.note)


@router.post("/{letter_id}/return", response=LetterDetailOut, summary="退回分办")
def return_(request, letter_id: int, body: ReasonIn):
    return _act(request, letter_id, actions.return_letter, reason=body.reason)


@router.post("/{letter_id}/extension", response=LetterDetailOut, summary="申请延期")
def extension(request, letter_id: int, body: ExtensionIn):
    return _act(request, letter_id, actions.request_extension, days=body.days, reason=body.reason)


@router.post("/{letter_id}/extension/decide", response=LetterDetailOut, summary="审批延期")
def decide_extension(request, letter_id: int, body: DecisionIn):
    letter = get_letter_for(request.user, letter_id)
    ext = letter.extensions.filter(status=ExtensionStatus.PENDING).first()
    if ext is None:
        raise DomainError("invalid_state", "没有待审批的延期申请。", status=409)
    _run(actions.decide_extension, request.user, ext, approve=body.approve, note=body.note)
    letter.refresh_from_db()
    return _out(letter, request.user, with_events=True)


@router.post("/{letter_id}/reply", response=LetterDetailOut, summary="起草/送审答复")
def reply(request, letter_id: int, body: ReplyIn):
    return _act(request, letter_id, actions.draft_reply, body=body.body, submit=body.submit)


@router.post("/{letter_id}/review", response=LetterDetailOut, summary="审核答复（通过即发出）")
def review(request, letter_id: int, body: DecisionIn):
    return _act(request, letter_id, actions.review_reply, approve=body.approve, note=body.note)


@router.post("/{letter_id}/reopen", response=LetterDetailOut, summary="督办：重新办理")
def reopen(request, letter_id: int, body: ReopenIn):
    return _act(
        request,
        letter_id,
        actions.reopen_letter,
        note=body.note,
        department=_dept(body.department),
    )


@router.post("/{letter_id}/close", response=LetterDetailOut, summary="办结")
def close(request, letter_id: int, body: NoteIn):
    return _act(request, letter_id, actions.close_letter, note=body.note)


@router.post("/{letter_id}/publish", response=LetterDetailOut, summary="公开（核对后的脱敏文本）")
def publish(request, letter_id: int, body: PublishIn):
    return _act(
        request,
        letter_id,
        actions.publish_letter,
        subject=body.subject,
        content=body.content,
        reply=body.reply,
    )


# --- Open311 GeoReport v2 ------------------------------------------------------------------
# https://wiki.open311.org/GeoReport_v2 — service_request_id is the tracking code. Every time
# is given in the county's one time zone (settings.TIME_ZONE, e.g. +08:00); a time sent without
# an offset is read in it too. Bad requests answer 400 with every problem at once, as a list of
# {"code", "description", "field"} (Open311's error format plus the offending field).

WINDOW = dt.timedelta(days=90)  # the default (and widest) window of a request list


def _to_xml(root: str, item: str, rows: list[dict]) -> str:
    def value(v):
        if v is None:
            return ""
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, list):
            return "".join(
                "<attribute>"
                + "".join(f"<{k}>{value(x)}</{k}>" for k, x in a.items())
                + "</attribute>"
                for a in v
            )
        return escape(str(v))

    body = "".join(
        f"<{item}>" + "".join(f"<{k}>{value(v)}</{k}>" for k, v in row.items()) + f"</{item}>"
        for row in rows
    )
    return f'<?xml version="1.0" encoding="utf-8"?><{root}>{body}</{root}>'


def _respond(rows, fmt: str, root: str, item: str, status: int = 200):
    if fmt == "xml":
        rows = rows if isinstance(rows, list) else [rows]
        return HttpResponse(
            _to_xml(root, item, rows), content_type="text/xml; charset=utf-8", status=status
        )
    return JsonResponse(rows, safe=False, status=status, json_dumps_params={"ensure_ascii": False})


def _errors(fmt: str, code: int, problems: dict[str, str] | str):
    """Open311's error list: one entry per problem, each naming its field."""
    if isinstance(problems, str):
        problems = {"": problems}
    rows = [
        {"code": code, "description": message, "field": field or None}
        for field, message in problems.items()
    ]
    return _respond(rows, fmt, "errors", "error", status=code)


def _error(fmt: str, code: int, description: str):
    return _errors(fmt, code, description)


def _service_list() -> list[tuple[str, str]]:
    services = [(c.code, c.name) for c in Category.objects.filter(is_public=True)]
    if OTHER_SERVICE[0] not in {code for code, _ in services}:
        services.append(OTHER_SERVICE)
    return services


def _services() -> list[dict]:
    return [
        {
            "service_code": code,
            "service_name": name,
            "description": name,
            "metadata": False,
            "type": "realtime",
            "keywords": "",
            "group": "领导信箱",
        }
        for code, name in _service_list()
    ]


def _iso(value):
    """A time in the county's zone, to the second (e.g. 2026-12-06T10:15:00+08:00)."""
    if not value:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def _parse_time(raw: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_current_timezone())
    return value


def _precise_for(letter: Letter, token) -> bool:
    """Who gets a letter's exact point and address: the client that filed it, and a token of
    staff with the right to see personal data on this letter; anyone else reads the grid."""
    if token is None:
        return False
    if letter.api_token_id == token.pk:
        return True
    return token.user is not None and can(token.user, "view_personal_data", letter)


def _request_row(letter: Letter, token) -> dict:
    reply = (
        letter.replies.filter(status="approved").first()
        if letter.status in (Status.REPLIED, Status.CLOSED)
        else None
    )
    own = token is not None and letter.api_token_id == token.pk
    if letter.published:
        description = letter.public_content
    elif own:
        description = redact_for_publication(letter.content)
    else:
        description = ""
    closed = letter.status in (Status.REPLIED, Status.CLOSED, Status.INVALID, Status.MERGED)
    if _precise_for(letter, token):
        lat, lng, place = letter.latitude, letter.longitude, letter.place
    else:
        lat, lng = coarse_point(letter.latitude, letter.longitude)
        place = redact_text(letter.place)
    notes = letter.events.filter(public=True).order_by("-at", "-id").first()
    return {
        "service_request_id": letter.tracking_code,
        "status": "closed" if closed else "open",
        "status_notes": (
            letter.public_reply
            if letter.published
            else (
                redact_for_publication(reply.body)
                if reply and own
                else (notes.public_note if notes else "")
            )
        ),
        "service_name": letter.category.name if letter.category else OTHER_SERVICE[1],
        "service_code": letter.service_code,
        "description": description,
        "agency_responsible": letter.department.name if letter.department else None,
        "service_notice": f"依规定 {letter.reply_due:%Y-%m-%d} 前答复",
        "requested_datetime": _iso(letter.received_at),
        "updated_datetime": _iso(
            letter.events.order_by("-at").values_list("at", flat=True).first()
        ),
        "expected_datetime": _iso(
            dt.datetime.combine(
                letter.reply_due, dt.time(17, 30), tzinfo=timezone.get_current_timezone()
            )
        ),
        "address": place or None,
        "address_id": None,
        "zipcode": None,
        "lat": lat,
        "long": lng,
        "media_url": letter.media_url or None,
    }


def _token(key: str | None):
    if not key:
        return None
    token = resolve_token(key)
    if token is None or "open311" not in (token.scopes or []):
        return None
    return token


def _float(raw: str, field: str, label: str, problems: dict) -> float | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        problems[field] = f"{label}须为数字（十进制度，WGS84），收到“{raw[:20]}”。"
        return None


# Open311's request fields → intake's
_INTAKE_FIELDS = {
    "content": "description",
    "category_code": "service_code",
    "location": "lat",
    "address": "address_string",
    "phone": "phone",
    "email": "email",
    "attachments": "media",
}


def _post_request(request, fmt: str):
    """POST requests.{fmt}: a citizen's request from another system (12345 hotline, an app)."""
    p = request.POST
    token = _token(p.get("api_key"))
    if token is None:
        return _error(fmt, 403, "api_key 无效或无 open311 权限")
    problems: dict[str, str] = {}
    service_code = (p.get("service_code") or "").strip()
    services = dict(_service_list())
    if not service_code:
        problems["service_code"] = "请提供 service_code（见 services.json）。"
    elif service_code not in services:
        problems["service_code"] = f"未知的 service_code：{service_code[:40]}（见 services.json）。"
    lat = _float(p.get("lat", ""), "lat", "纬度 lat", problems)
    lng = _float(p.get("long", ""), "long", "经度 long", problems)
    address = (p.get("address_string") or "").strip()
    if lat is None and lng is None and not address and "lat" not in problems:
        if "long" not in problems:
            problems["location"] = "请提供位置：lat 和 long，或 address_string（至少其一）。"
    elif (lat is None) != (lng is None) and not ({"lat", "long"} & set(problems)):
        problems["location"] = "lat 和 long 须同时提供。"
    description = (p.get("description") or "").strip()
    media_url = (p.get("media_url") or "").strip()
    category_code = service_code if service_code != OTHER_SERVICE[0] else None
    for key, message in intake.check_letter(
        channel="api",
        content=description,
        phone=p.get("phone", ""),
        email=p.get("email", ""),
        category_code=category_code if service_code in services else None,
        latitude=lat,
        longitude=lng,
        address=address,
        media_url=media_url,
    ).items():
        problems.setdefault(_INTAKE_FIELDS.get(key, key), message)
    if problems:
        return _errors(fmt, 400, problems)
    try:
        letter = intake.submit_letter(
            channel="api",
            subject="",
            content=description,
            name=f"{p.get('last_name', '')}{p.get('first_name', '')}".strip(),
            phone=p.get("phone", ""),
            email=p.get("email", ""),
            category_code=category_code,
            latitude=lat,
            longitude=lng,
            address=address,
            media_url=media_url,
            attachments=request.FILES.getlist("media"),
            api_token=token,
        )
    except intake.LetterInputError as exc:
        return _errors(fmt, 400, {_INTAKE_FIELDS.get(k, k): v for k, v in exc.errors.items()})
    except PermissionDenied as exc:
        return _error(fmt, 403, str(exc))
    rows = [
        {
            "service_request_id": letter.tracking_code,
            "service_notice": f"依规定 {letter.reply_due:%Y-%m-%d} 前答复",
            "account_id": None,
        }
    ]
    return _respond(rows, fmt, "service_requests", "request", status=201)


def _list_requests(request, fmt: str):
    """GET requests.{fmt}: by id, or the window (default: the last 90 days, at most 90)."""
    g = request.GET
    token = _token(g.get("api_key"))
    problems: dict[str, str] = {}
    qs = Letter.objects.select_related("category", "department", "town").exclude(
        status__in=[Status.INVALID, Status.MERGED]
    )
    ids = (g.get("service_request_id") or "").strip()
    if ids:
        codes = [intake.normalise_code(c) for c in ids.split(",")[:50]]
        qs = qs.filter(tracking_code__in=codes)
    elif token is not None:
        qs = qs.filter(api_token=token)
    else:
        qs = qs.filter(published=True)
    service_code = (g.get("service_code") or "").strip()
    if service_code:
        codes = [c.strip() for c in service_code.split(",") if c.strip()]
        known = dict(_service_list())
        unknown = [c for c in codes if c not in known]
        if unknown:
            problems["service_code"] = f"未知的 service_code：{'、'.join(unknown)[:60]}。"
        cond = models.Q(category__code__in=codes)
        if OTHER_SERVICE[0] in codes:
            cond |= models.Q(category__isnull=True)
        qs = qs.filter(cond)
    status = (g.get("status") or "").strip()
    if status and not set(status.split(",")) <= {"open", "closed"}:
        problems["status"] = "status 只能是 open 或 closed。"
    elif status == "open":
        qs = qs.exclude(status__in=[Status.REPLIED, Status.CLOSED])
    elif status == "closed":
        qs = qs.filter(status__in=[Status.REPLIED, Status.CLOSED])
    start = end = None
    for field in ("start_date", "end_date"):
        raw = (g.get(field) or "").strip()
        if raw:
            try:
                value = _parse_time(raw)
            except ValueError:
                problems[field] = f"{field} 须为 ISO 8601 时间，如 2026-12-01T00:00:00+08:00。"
                continue
            if field == "start_date":
                start = value
            else:
                end = value
    if not ids and not problems:
        if start and end and end - start > WINDOW:
            problems["end_date"] = "start_date 与 end_date 相隔不能超过 90 天。"
        elif start and end and end < start:
            problems["end_date"] = "end_date 不能早于 start_date。"
        end = end or ((start + WINDOW) if start else timezone.now())
        start = start or (end - WINDOW)
        qs = qs.filter(received_at__gte=start, received_at__lte=end)
    if problems:
        return _errors(fmt, 400, problems)
    rows = [_request_row(lt, token) for lt in qs.order_by("-received_at")[:1000]]
    return _respond(rows, fmt, "service_requests", "request")


for _fmt in ("json", "xml"):

    def _make(fmt):
        @open311.get(
            f"/services.{fmt}",
            auth=None,
            summary=f"Open311 服务列表（{fmt}）",
            operation_id=f"open311_services_{fmt}",
        )
        def services(request):
            return _respond(_services(), fmt, "services", "service")

        @open311.get(
            f"/services/{{service_code}}.{fmt}",
            auth=None,
            summary=f"Open311 服务定义（{fmt}）",
            operation_id=f"open311_service_definition_{fmt}",
        )
        def service_definition(request, service_code: str):
            if service_code not in dict(_service_list()):
                return _error(fmt, 404, f"未知的 service_code：{service_code[:40]}")
            # no extra questions per service: what, where and who are the standard fields
            row = {"service_code": service_code, "attributes": []}
            return _respond(row, fmt, "service_definition", "service_definition")

        @open311.post(
            f"/requests.{fmt}",
            auth=None,
            summary=f"Open311 提交诉求（{fmt}）",
            description=(
                "表单字段（application/x-www-form-urlencoded 或 multipart/form-data）：api_key、"
                "service_code、description，位置 lat+long 或 address_string 至少其一；可选 "
                "media_url、media（图片文件）、email、phone、first_name、last_name。"
            ),
            operation_id=f"open311_post_request_{fmt}",
        )
        def post_request(request):
            return _post_request(request, fmt)

        @open311.get(
            f"/requests.{fmt}",
            auth=None,
            summary=f"Open311 诉求列表（{fmt}）",
            description=(
                "参数：service_request_id（逗号分隔）、service_code、status（open/closed）、"
                "start_date、end_date（ISO 8601；不给则为最近 90 天，最长 90 天）、api_key。"
            ),
            operation_id=f"open311_list_requests_{fmt}",
        )
        def list_requests(request):
            return _list_requests(request, fmt)

        @open311.get(
            f"/requests/{{request_id}}.{fmt}",
            auth=None,
            summary=f"Open311 单个诉求（{fmt}）",
            operation_id=f"open311_get_request_{fmt}",
        )
        def get_request(request, request_id: str, api_key: str = ""):
            letter = Letter.objects.filter(tracking_code=intake.normalise_code(request_id)).first()
            if letter is None:
                return _error(fmt, 404, "未找到该诉求")
            return _respond(
                [_request_row(letter, _token(api_key))], fmt, "service_requests", "request"
            )

    _make(_fmt)


ROUTERS = [("/open311/v2", open311), ("/letters", router)]

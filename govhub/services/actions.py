"""Every state change of the services app: one function each, permission-checked and audited.

Guides and connectors are saved by staff; queries are run and slots booked by citizens (no
login, so no permission check, but rate-limited by the caller). 好差评 are ``govhub.ratings``'.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from govhub.channels import query_backend
from govhub.core import audit
from govhub.core.errors import DomainError, FieldErrors
from govhub.core.permissions import require
from govhub.ratings.actions import rating_token
from govhub.ratings.models import RatingTarget
from govhub.services import config, search
from govhub.services.models import (
    QueryConnector,
    QueryRun,
    ServiceGuide,
)
from govhub.services.validators import KINDS


class ServiceBusy(DomainError):
    """The backend behind a query did not answer usably: the citizen sees 服务繁忙."""

    code = "service_busy"
    status = 503


class QueryUnavailable(DomainError):
    code = "query_unavailable"
    status = 404


# ---------------------------------------------------------------- guides


def save_guide(actor, guide: ServiceGuide, life_events=None) -> ServiceGuide:
    """Create or change a guide; its search text is rebuilt with it."""
    require(actor, "manage_guides", guide)
    guide.full_clean()
    with transaction.atomic():
        created = guide.pk is None
        guide.save()
        if life_events is not None:
            guide.life_events.set(life_events)
        guide.search_text = search.text_of(guide)
        guide.save(update_fields=["search_text"])
        audit.record(
            actor=actor, action="service_guide_saved", obj=guide, summary={"created": created}
        )
    return guide


def delete_guide(actor, guide: ServiceGuide) -> None:
    require(actor, "manage_guides", guide)
    with transaction.atomic():
        audit.record(actor=actor, action="service_guide_deleted", obj=guide, summary={})
        guide.delete()


# ---------------------------------------------------------------- connectors


def save_connector(actor, connector: QueryConnector) -> QueryConnector:
    """Create or change a 微查询 connector; its configuration is validated first."""
    require(actor, "manage_connectors")
    connector.full_clean()
    with transaction.atomic():
        created = connector.pk is None
        connector.save()
        _sync_keyword_rule(connector)
        audit.record(
            actor=actor,
            action="query_connector_saved",
            obj=connector,
            summary={"created": created, "接口地址": connector.endpoint},
        )
    return connector


def _rule_prefix(connector: QueryConnector) -> str:
    return f"微查询（{connector.pk}号）"


def _sync_keyword_rule(connector: QueryConnector) -> None:
    """A connector's keyword answers in WeChat and the web chat with a link to the query,
    through the answers engine's own keyword rules (one rule per connector)."""
    from govhub.qa import actions as qa_actions
    from govhub.qa.models import KeywordRule

    rule = KeywordRule.objects.filter(name__startswith=_rule_prefix(connector)).first()
    if not connector.keyword or not connector.enabled:
        if rule is not None:
            qa_actions.delete_object(None, rule)
        return
    rule = rule or KeywordRule()
    rule.name = f"{_rule_prefix(connector)}：{connector.name}"[:80]
    rule.keywords = connector.keyword
    rule.match_type = "contains"
    rule.reply_type = "news"
    rule.news_title = connector.name[:64]
    rule.news_description = (connector.description or "点击进入查询")[:120]
    rule.news_url = settings.SITE_URL + connector.get_absolute_url()
    rule.priority = 50
    rule.enabled = True
    qa_actions.save_rule(None, rule)


def delete_connector(actor, connector: QueryConnector) -> None:
    require(actor, "manage_connectors")
    with transaction.atomic():
        audit.record(actor=actor, action="query_connector_deleted", obj=connector, summary={})
        connector.keyword = ""
        _sync_keyword_rule(connector)
        connector.delete()


@dataclass
class QueryResult:
    connector: QueryConnector
    rows: list[tuple[str, str]] = field(default_factory=list)
    empty: bool = False
    cached: bool = False
    rating_token: str = ""


def check_inputs(connector: QueryConnector, raw: dict) -> dict[str, str]:
    """The citizen's inputs, normalised, or ``FieldErrors`` naming each wrong field."""
    values, errors = {}, {}
    for f in config.parse_input_fields(connector.input_fields):
        checker = KINDS[f.kind][1]
        try:
            values[f.name] = checker(str(raw.get(f.name, "") or "")[:100])
        except ValueError as exc:
            errors[f.name] = str(exc)
    if errors:
        raise FieldErrors(errors)
    return values


def _cache_key(connector: QueryConnector, values: dict) -> str:
    # keyed by a keyed hash: the cache never holds what the citizen typed
    raw = json.dumps(values, sort_keys=True, ensure_ascii=False).encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), raw, hashlib.sha256).hexdigest()
    stamp = connector.updated_at.timestamp() if connector.updated_at else 0
    return f"govhub:query:{connector.pk}:{stamp}:{digest}"


def _format(value) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, list | dict):
        return "；".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return str(value)


def run_query(connector: QueryConnector, raw: dict, *, channel: str = "web") -> QueryResult:
    """Validate, ask the backend through channels' client, map the answer; count the run.

    Only the outcome and the duration are recorded; the inputs are neither stored nor logged."""
    if not connector.enabled:
        raise QueryUnavailable("该查询暂停服务，请稍后再试。")
    values = check_inputs(connector, raw)
    mapping = config.parse_result_mapping(connector.result_mapping)
    key = _cache_key(connector, values)
    started = time.monotonic()
    rows = cache.get(key) if connector.cache_seconds else None
    outcome = "cached" if rows is not None else ""
    if rows is None:
        cfg = query_backend.BackendSettings(
            endpoint=connector.endpoint,
            method=connector.method,
            auth_type=connector.auth_type,
            auth_header=connector.auth_header,
            app_id=connector.app_id,
            secret=connector.secret,
            timeout=connector.timeout_seconds,
        )
        try:
            data = query_backend.call(cfg, values)
        except query_backend.BackendBusy as exc:
            _count(connector, exc.kind, started, channel)
            raise ServiceBusy("服务繁忙，请稍后再试。") from None
        rows = []
        for f in mapping:
            value = config.resolve_path(data, f.path)
            if value is not None and value != "":
                rows.append((f.label, _format(value)[:200]))
        if connector.cache_seconds:
            cache.set(key, rows, connector.cache_seconds)
        outcome = "ok" if rows else "empty"
    _count(connector, outcome, started, channel)
    return QueryResult(
        connector=connector,
        rows=rows,
        empty=not rows,
        cached=outcome == "cached",
        rating_token=rating_token(RatingTarget.QUERY, connector.pk),
    )


def _count(connector: QueryConnector, outcome: str, started: float, channel: str) -> None:
    QueryRun.objects.create(
        connector=connector,
        outcome=outcome,
        duration_ms=int((time.monotonic() - started) * 1000),
        channel=channel[:10],
    )


# ---------------------------------------------------------------- 好差评


# ---------------------------------------------------------------- 预约办事

NO_SHOW_LIMIT = int(os.environ.get("GOVHUB_NO_SHOW_LIMIT") or 3)  # in the last 90 days
BOOKING_DAYS_AHEAD = 14


class SlotFull(DomainError):
    code = "slot_full"
    status = 409


class BookingRefused(DomainError):
    code = "booking_refused"


def publish_slots(
    actor, guide: ServiceGuide, place: str, day: dt.date, times: str, capacity: int
) -> list:
    """Open time slots for one matter on one day; ``times`` is one ``HH:MM-HH:MM`` a line."""
    from govhub.services.models import AppointmentSlot

    require(actor, "manage_appointments", guide)
    errors = {}
    spans = []
    for no, line in enumerate((times or "").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            a, b = (dt.time.fromisoformat(p.strip()) for p in line.replace("—", "-").split("-"))
            if a >= b:
                raise ValueError
            spans.append((a, b))
        except ValueError:
            errors["times"] = f"第 {no} 行应为 开始-结束，例如 09:00-10:00"
            break
    if not spans and "times" not in errors:
        errors["times"] = "请至少填写一个时段"
    if not 1 <= int(capacity or 0) <= 500:
        errors["capacity"] = "每个时段可预约人数应在 1 到 500 之间"
    if day < timezone.localdate():
        errors["date"] = "不能发布已经过去的日期"
    if not (place or "").strip():
        errors["place"] = "请填写办理地点"
    if errors:
        raise FieldErrors(errors)
    with transaction.atomic():
        slots = [
            AppointmentSlot.objects.create(
                guide=guide,
                department=guide.department,
                place=place.strip()[:200],
                date=day,
                start=a,
                end=b,
                capacity=int(capacity),
            )
            for a, b in spans
        ]
        audit.record(
            actor=actor,
            action="appointment_slots_published",
            obj=guide,
            summary={"日期": day.isoformat(), "时段数": len(slots)},
        )
    return slots


def _new_code() -> str:
    import secrets

    return "".join(secrets.choice("23456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(8))


def book(slot_id: int, name: str, phone: str, *, channel: str = "web", openid: str = ""):
    """Book one place in a slot: the count goes up only while places are left (one
    conditional UPDATE), so fifty people taking the last place end with one booking. An
    ``openid`` (booked in WeChat's browser, known by web authorisation) is where the reminder
    goes."""
    from django.db.models import F

    from govhub.core.pii import blind_index
    from govhub.services.models import AppointmentSlot, Booking
    from govhub.services.validators import check_phone

    errors = {}
    name = (name or "").strip()
    if not 2 <= len(name) <= 30:
        errors["name"] = "请填写真实姓名（2 到 30 个字）"
    try:
        phone = check_phone(phone)
    except ValueError as exc:
        errors["phone"] = str(exc)
    if errors:
        raise FieldErrors(errors)
    today = timezone.localdate()
    slot = AppointmentSlot.objects.filter(pk=slot_id).select_related("guide").first()
    if slot is None or not (today < slot.date <= today + dt.timedelta(days=BOOKING_DAYS_AHEAD)):
        raise BookingRefused("该时段不可预约，请重新选择。")
    index = blind_index(phone, "phone")
    since = timezone.now() - dt.timedelta(days=90)
    no_shows = Booking.objects.filter(
        phone_index=index, status=Booking.Status.NO_SHOW, slot__date__gte=since.date()
    ).count()
    if no_shows >= NO_SHOW_LIMIT:
        raise BookingRefused(
            f"您近 90 天内有 {no_shows} 次预约未到场，暂不能网上预约，请到窗口现场办理。"
        )
    if Booking.objects.filter(phone_index=index, slot=slot, status=Booking.Status.BOOKED).exists():
        raise BookingRefused("您已预约了这个时段。")
    with transaction.atomic():
        taken = AppointmentSlot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(
            booked=F("booked") + 1
        )
        if not taken:
            raise SlotFull("这个时段已约满，请选择其他时段。")
        booking = Booking.objects.create(
            slot=slot,
            code=_new_code(),
            name=name,
            phone=phone,
            phone_index=index,
            channel="wechat" if openid else channel[:10],
            openid=(openid or "")[:64],
        )
        audit.record(actor=None, action="appointment_booked", obj=booking, summary={})
    return booking


def find_booking(code: str, phone: str):
    """A booking by its code and the phone it was made with (both needed)."""
    from govhub.core.pii import blind_index
    from govhub.services.models import Booking

    booking = (
        Booking.objects.select_related("slot", "slot__guide")
        .filter(code=(code or "").strip().upper()[:12], phone_index=blind_index(phone, "phone"))
        .first()
    )
    if booking is None:
        raise BookingRefused("预约码或手机号不对，请核对。")
    return booking


def cancel_booking(booking) -> None:
    """The citizen cancels; the place goes back to the slot."""
    from django.db.models import F

    from govhub.services.models import AppointmentSlot, Booking

    with transaction.atomic():
        changed = Booking.objects.filter(pk=booking.pk, status=Booking.Status.BOOKED).update(
            status=Booking.Status.CANCELLED, changed_at=timezone.now()
        )
        if not changed:
            raise BookingRefused("这个预约已经取消或办结，不能再取消。")
        AppointmentSlot.objects.filter(pk=booking.slot_id, booked__gt=0).update(
            booked=F("booked") - 1
        )
        audit.record(actor=None, action="appointment_cancelled", obj=booking, summary={})


def change_booking(booking, new_slot_id: int):
    """改约: move to another slot of the same matter, in one transaction (the old place is
    freed and the new one taken, or neither when the new slot is full). The new booking keeps
    the channel booked with, so its reminder goes the same way; it gets a new code."""
    from govhub.services.models import AppointmentSlot

    if booking.status != booking.Status.BOOKED:
        raise BookingRefused("这个预约已经取消或办结，不能改约。")
    if new_slot_id == booking.slot_id:
        raise BookingRefused("已经是这个时段了，请选择其他时段。")
    target = AppointmentSlot.objects.filter(pk=new_slot_id).first()
    if target is None or target.guide_id != booking.slot.guide_id:
        raise BookingRefused("该时段不可预约，请重新选择。")
    with transaction.atomic():
        cancel_booking(booking)
        new = book(
            new_slot_id,
            booking.name,
            booking.phone,
            channel=booking.channel,
            openid=booking.openid,
        )
        audit.record(
            actor=None, action="appointment_changed", obj=new, summary={"原预约": booking.code}
        )
    return new


def mark_attendance(actor, booking, attended: bool):
    from govhub.services.models import Booking

    require(actor, "manage_appointments", booking)
    status = Booking.Status.ATTENDED if attended else Booking.Status.NO_SHOW
    with transaction.atomic():
        changed = Booking.objects.filter(
            pk=booking.pk,
            status__in=[Booking.Status.BOOKED, Booking.Status.ATTENDED, Booking.Status.NO_SHOW],
        ).update(status=status, changed_at=timezone.now())
        if not changed:
            raise BookingRefused("已取消的预约不能登记到场。")
        audit.record(
            actor=actor,
            action="appointment_attendance",
            obj=booking,
            summary={"登记": Booking.Status(status).label},
        )


def queue_reminders(day: dt.date | None = None) -> int:
    """Tomorrow's bookings are reminded through the outbox (once each, by its key), through
    the channel booked with: a WeChat message to the openid of a booking made in WeChat's
    browser (a template message of purpose 预约提醒 once the 48-hour window is closed), an SMS
    to the phone otherwise (also when no official account is configured)."""
    from govhub.channels import outbox
    from govhub.channels.models import ChannelAccount, MessageKind, TemplatePurpose
    from govhub.services.models import Booking

    day = day or timezone.localdate() + dt.timedelta(days=1)
    account = (
        ChannelAccount.objects.filter(platform="wechat", enabled=True)
        .exclude(app_id="")
        .order_by("pk")
        .first()
    )
    n = 0
    for b in Booking.objects.filter(slot__date=day, status=Booking.Status.BOOKED).select_related(
        "slot", "slot__guide", "slot__department"
    ):
        text = (
            f"【示范县政务服务】您预约的“{b.slot.guide.name}”在 {b.slot.date:%m月%d日} "
            f"{b.slot.start:%H:%M}—{b.slot.end:%H:%M}，地点：{b.slot.place}。预约码 {b.code}。"
        )
        key = f"appointment-reminder:{b.pk}"
        with transaction.atomic():
            if b.openid and account is not None:
                outbox.enqueue(
                    kind=MessageKind.APPOINTMENT_REMINDER,
                    account=account,
                    platform="wechat",
                    recipient=b.openid,
                    payload={
                        "text": text,
                        "template": {
                            "purpose": TemplatePurpose.APPOINTMENT_REMINDER,
                            "values": {
                                "code": b.code,
                                "status": "待办理",
                                "department": b.slot.department.name,
                                "time": f"{b.slot.date:%Y年%m月%d日} {b.slot.start:%H:%M}",
                            },
                        },
                    },
                    key=f"{key}:wechat",
                    source=b,
                    department=b.slot.department,
                )
            else:
                outbox.enqueue(
                    kind=MessageKind.APPOINTMENT_REMINDER,
                    platform="sms",
                    recipient=b.phone,
                    payload={"text": text, "short": text[:140]},
                    key=key,
                    source=b,
                    department=b.slot.department,
                )
        n += 1
    return n

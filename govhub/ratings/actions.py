"""Every state change of 好差评: one function each.

Ratings are given by citizens (no login: the caller proves the event with a signed token, or,
for a letter, the letter's own proof of ownership; callers rate-limit); call-backs are closed
by the responsible department; ``check_callbacks`` sends 催办/督办 before and after deadlines.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
import time

from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from govhub.core import audit, workdays
from govhub.core.errors import DomainError, FieldErrors
from govhub.core.models import Department, Membership, Role
from govhub.core.permissions import require
from govhub.ratings import targets
from govhub.ratings.models import CallbackReminder, CallbackTask, Rating, RatingLevel

log = logging.getLogger(__name__)

BAD_RATING_DAYS = int(os.environ.get("GOVHUB_BAD_RATING_DAYS") or 15)  # working days
REMIND_BEFORE_DAYS = 3  # working days before the deadline: 催办 to the department's handlers
TOKEN_MAX_AGE = 30 * 86400
_SALT = "services.rate"  # kept from when ratings lived in services: links already sent still work


class AlreadyRated(DomainError):
    code = "already_rated"
    status = 409


class RatingRefused(DomainError):
    code = "rating_refused"


class CallbackClosed(DomainError):
    code = "callback_closed"
    status = 409


def rating_token(target_type: str, target_id: int, event: str = "", *, per_visitor=False) -> str:
    """A signed token naming one service event; the rating form or link carries it (一事一评).

    ``per_visitor``: the event is the visitor's session (a guide is read, not handled)."""
    nonce = event or hashlib.sha256(f"{time.time_ns()}:{id(object())}".encode()).hexdigest()[:20]
    data = {"t": target_type, "id": target_id, "n": nonce}
    if per_visitor:
        data["s"] = 1
    return signing.dumps(data, salt=_SALT)


def read_rating_token(token: str) -> tuple[str, int, str, bool]:
    """(target type, id, event, per visitor) of a token; refused when forged or too old."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=TOKEN_MAX_AGE)
        return str(data["t"]), int(data["id"]), str(data["n"]), bool(data.get("s"))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise RatingRefused("评价链接已失效，请重新打开页面后评价。") from None


def _clean(level, comment: str, contact: str) -> tuple[int, str, str]:
    errors = {}
    try:
        level = int(level)
    except (TypeError, ValueError):
        level = 0
    if level not in RatingLevel.values:
        errors["level"] = "请选择一个评价等级"
    comment = (comment or "").strip()
    if len(comment) > 500:
        errors["comment"] = "评价内容不能超过 500 字"
    contact = (contact or "").strip()
    if contact:
        phone = re.sub(r"[\s-]", "", contact).removeprefix("+86")
        if not re.fullmatch(r"1[3-9]\d{9}", phone):
            errors["contact"] = "手机号应为 11 位数字，以 1 开头"
        else:
            contact = phone
    if level and level <= RatingLevel.DISSATISFIED and not comment:
        errors["comment"] = "请简单说明不满意的原因，便于我们改进"
    if errors:
        raise FieldErrors(errors)
    return level, comment, contact


def rate(
    token: str,
    level,
    comment: str = "",
    contact: str = "",
    *,
    channel: str = "web",
    event: str = "",
) -> Rating:
    """Record one 好差评 of the event a token names; ``event`` replaces the token's own (a guide:
    the visitor's session)."""
    target_type, target_id, nonce, _ = read_rating_token(token)
    level, comment, contact = _clean(level, comment, contact)
    target = targets.resolve(target_type, target_id)
    if target is None:
        raise RatingRefused("评价的服务不存在。")
    return _record(
        target_type,
        target_id,
        target.name,
        target.department,
        event or nonce,
        level,
        comment,
        contact,
        channel,
    )


def rate_event(
    target_type: str,
    target_id: int,
    event: str,
    level,
    comment: str = "",
    contact: str = "",
    *,
    channel: str = "web",
) -> Rating:
    """Record one 好差评 of an event the caller has already proved the citizen took part in
    (a letter: tracking code and phone digits, or the account it came from)."""
    level, comment, contact = _clean(level, comment, contact)
    target = targets.resolve(target_type, target_id)
    if target is None:
        raise RatingRefused("评价的服务不存在。")
    return _record(
        target_type,
        target_id,
        target.name,
        target.department,
        event,
        level,
        comment,
        contact,
        channel,
    )


def _record(
    target_type: str,
    target_id: int,
    name: str,
    department: Department,
    event: str,
    level: int,
    comment: str,
    contact: str,
    channel: str,
) -> Rating:
    event_key = hashlib.sha256(f"{target_type}:{target_id}:{event}".encode()).hexdigest()
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                target_type=target_type,
                target_id=target_id,
                target_name=name[:120],
                department=department,
                event_key=event_key,
                level=level,
                comment=comment,
                contact=contact,
                channel=channel[:10],
            )
            if rating.is_bad:
                CallbackTask.objects.create(
                    rating=rating,
                    department=department,
                    due_date=callback_due(timezone.localdate(rating.created_at)),
                )
            audit.record(
                actor=None,
                action="service_rated",
                obj=rating,
                summary={
                    "评价等级": rating.get_level_display(),
                    "评价对象": rating.get_target_type_display(),
                },
            )
    except IntegrityError:
        raise AlreadyRated("这次服务您已经评价过了，感谢您的反馈。") from None
    return rating


def callback_due(day: dt.date) -> dt.date:
    """The call-back deadline of a 差评 given on ``day``: working days on core's calendar
    (national holidays and the administrators' override table)."""
    return workdays.add_working_days(day, BAD_RATING_DAYS)


def rating_of(target_type: str, target_id: int) -> Rating | None:
    """The latest rating of a target (a letter's reply, a booking)."""
    return (
        Rating.objects.filter(target_type=target_type, target_id=target_id)
        .select_related("callback")
        .first()
    )


def close_callback(actor, task: CallbackTask, result: str) -> CallbackTask:
    """Record the call-back and what was put right; the task is done."""
    require(actor, "handle_rating", task)
    result = (result or "").strip()
    if len(result) < 5:
        raise FieldErrors({"result": "请写明回访情况和整改措施（至少 5 个字）"})
    with transaction.atomic():
        task = CallbackTask.objects.select_for_update().get(pk=task.pk)
        if task.status == CallbackTask.Status.DONE:
            raise CallbackClosed("该差评已经办结。")
        task.status = CallbackTask.Status.DONE
        task.result = result[:2000]
        task.done_at = timezone.now()
        task.done_by = actor
        task.save(update_fields=["status", "result", "done_at", "done_by"])
        audit.record(actor=actor, action="bad_rating_closed", obj=task, summary={})
    return task


def is_overdue(task: CallbackTask, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    if task.status == CallbackTask.Status.DONE:
        return timezone.localdate(task.done_at) > task.due_date
    return today > task.due_date


def check_callbacks(today: dt.date | None = None) -> list[CallbackReminder]:
    """催办 the department's handlers when a call-back is due within ``REMIND_BEFORE_DAYS``
    working days, 督办 its supervisors once it is overdue. One row per task, kind and deadline
    is claimed before anything is sent: run twice (or on two workers), it notifies once."""
    today = today or timezone.localdate()
    created = []
    open_tasks = CallbackTask.objects.filter(status=CallbackTask.Status.OPEN).select_related(
        "rating", "department"
    )
    for task in open_tasks.iterator(chunk_size=500):
        if today > task.due_date:
            kind, role = CallbackReminder.Kind.ESCALATE, Role.SUPERVISOR
        elif workdays.working_days_between(today, task.due_date) <= REMIND_BEFORE_DAYS:
            kind, role = CallbackReminder.Kind.REMIND, Role.HANDLER
        else:
            continue
        try:
            with transaction.atomic():
                reminder = CallbackReminder.objects.create(
                    task=task, kind=kind, deadline=task.due_date
                )
                audit.record(
                    actor="system",
                    action=f"bad_rating_{kind}",
                    obj=task,
                    summary={"deadline": task.due_date.isoformat()},
                )
        except IntegrityError:
            continue
        created.append(reminder)
        _notify(task, reminder, role)
    return created


def _notify(task: CallbackTask, reminder: CallbackReminder, role: str) -> None:
    emails = sorted(
        {
            m.user.email
            for m in Membership.objects.filter(
                department__in=task.department.get_ancestors()
                | Department.objects.filter(pk=task.department_id),
                role=role,
            ).select_related("user")
            if m.user.email and m.user.is_active
        }
    )
    if not emails:
        return
    verb = "已超期，请督办" if reminder.kind == CallbackReminder.Kind.ESCALATE else "即将到期"
    subject = f"【{reminder.get_kind_display()}】差评回访“{task.rating.target_name}”{verb}"
    try:
        send_mail(subject, f"{subject}\n整改期限：{task.due_date:%Y-%m-%d}", None, emails)
    except Exception as exc:
        log.warning("call-back reminder %s not mailed: %s", reminder.pk, type(exc).__name__)

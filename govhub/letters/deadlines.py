"""Deadlines on the working-day calendar (工作日, with official holidays and 调休)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from govhub.core import workdays
from govhub.letters.models import Category, Letter, LetterPolicy


def current_policy() -> LetterPolicy:
    """The one policy row (created with seed 001's defaults on first use)."""
    policy = LetterPolicy.objects.select_related(
        "intake_department", "supervising_department"
    ).first()
    if policy is None:
        policy = LetterPolicy.objects.create()
    return policy


def local_date(when: dt.datetime) -> dt.date:
    return timezone.localtime(when).date()


def receive_deadlines(
    received_at: dt.datetime, policy: LetterPolicy, category: Category | None
) -> tuple[dt.date, dt.date]:
    """(dispatch_due, reply_due) for a letter received at ``received_at``.

    A letter that arrives on a rest day counts from the next working day: due "the same working
    day" is that working day, and "3 working days" are counted after it."""
    day = local_date(received_at)
    overrides = workdays.overrides()  # once, not once per date computed
    first = workdays.add_working_days(day, 0, overrides)
    dispatch_due = workdays.add_working_days(first, policy.dispatch_days, overrides)
    if category is not None and category.code == "site_error":
        days = policy.site_error_reply_days
    elif category is not None and category.reply_days:
        days = category.reply_days
    else:
        days = policy.reply_days
    reply_due = workdays.add_working_days(first, days, overrides)
    return dispatch_due, reply_due


def handle_deadline(dispatched_at: dt.datetime, policy: LetterPolicy) -> dt.date:
    first = workdays.add_working_days(local_date(dispatched_at), 0)
    return workdays.add_working_days(first, policy.handle_days)


def clock(letter: Letter, today: dt.date | None = None) -> dict:
    """The letter's clock as shown to staff: the current stage, its deadline and working days
    left (negative when overdue)."""
    today = today or timezone.localdate()
    from govhub.letters.models import Status

    if letter.status == Status.RECEIVED:
        stage, due = "分办", letter.dispatch_due
    elif letter.status in (Status.DISPATCHED, Status.HANDLING) and letter.handle_due:
        stage, due = "办理", min(letter.handle_due, letter.reply_due)
    elif letter.status in (Status.DISPATCHED, Status.HANDLING, Status.REVIEWING, Status.REOPENED):
        stage, due = "答复", letter.reply_due
    else:
        return {"stage": "", "due": None, "left": None, "overdue": False, "label": "—"}
    left = workdays.working_days_between(today, due)
    if left < 0:
        label = f"{stage}已超期 {-left} 个工作日"
    elif left == 0:
        label = f"{stage}今日到期"
    else:
        label = f"{stage}剩余 {left} 个工作日"
    return {"stage": stage, "due": due, "left": left, "overdue": left < 0, "label": label}

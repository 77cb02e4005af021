"""催办 and 督办: reminders before a deadline, escalation to the supervisor when overdue.

``check_deadlines`` is run by a periodic job. Every notice is a Reminder row unique per
letter + kind + stage + deadline, created before anything is sent: a job that runs twice (or two
workers at once) notifies once; a deadline moved by an extension earns a fresh reminder.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from govhub.core import audit, workdays
from govhub.core.models import Membership, Role
from govhub.letters.actions import record_event
from govhub.letters.deadlines import current_policy
from govhub.letters.models import Letter, Reminder, ReminderKind, Status

log = logging.getLogger(__name__)


def _stages(letter: Letter):
    if letter.status == Status.RECEIVED:
        yield "dispatch", letter.dispatch_due, letter.intake_department, Role.DISPATCHER
    if letter.status in (Status.DISPATCHED, Status.HANDLING) and letter.handle_due:
        yield "handle", letter.handle_due, letter.department, Role.HANDLER
    if letter.status in (Status.DISPATCHED, Status.HANDLING, Status.REVIEWING):
        role = Role.REVIEWER if letter.status == Status.REVIEWING else Role.HANDLER
        yield "reply", letter.reply_due, letter.department, role
    if letter.status == Status.REOPENED:
        yield "reply", letter.reply_due, letter.supervising_department, Role.SUPERVISOR


STAGE_LABEL = {"dispatch": "分办", "handle": "办理", "reply": "答复"}


def check_deadlines(today: dt.date | None = None) -> list[Reminder]:
    """Create (and send) every reminder and escalation due today; returns the new ones."""
    today = today or timezone.localdate()
    policy = current_policy()
    created = []
    open_letters = Letter.objects.filter(
        status__in=[
            Status.RECEIVED,
            Status.DISPATCHED,
            Status.HANDLING,
            Status.REVIEWING,
            Status.REOPENED,
        ]
    ).select_related("department", "intake_department", "supervising_department")
    for letter in open_letters.iterator(chunk_size=500):
        for stage, due, dept, role in _stages(letter):
            if due is None:
                continue
            if today > due:
                kind = ReminderKind.ESCALATE
                dept, role = letter.supervising_department, Role.SUPERVISOR
            elif workdays.working_days_between(today, due) <= policy.remind_before_days:
                kind = ReminderKind.REMIND
            else:
                continue
            reminder = _claim(letter, kind, stage, due, dept)
            if reminder is not None:
                created.append(reminder)
                _notify(reminder, role)
    return created


def _claim(letter, kind, stage, due, dept) -> Reminder | None:
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(
                letter=letter, kind=kind, stage=stage, deadline=due, department=dept
            )
            label = f"{ReminderKind(kind).label}：{STAGE_LABEL[stage]}期限 {due:%Y-%m-%d}"
            record_event(
                letter, "system", str(kind), label, letter.status, letter.status, department=dept
            )
            audit.record(
                actor="system",
                action=f"letter_{kind}",
                obj=letter,
                summary={"stage": stage, "deadline": due.isoformat()},
            )
            return reminder
    except IntegrityError:
        return None


def _notify(reminder: Reminder, role: str) -> None:
    letter = reminder.letter
    emails = sorted(
        {
            m.user.email
            for m in Membership.objects.filter(
                department=reminder.department, role=role
            ).select_related("user")
            if m.user.email and m.user.is_active
        }
    )
    if not emails:
        return
    verb = "已超期，请督办" if reminder.kind == ReminderKind.ESCALATE else "即将到期，请抓紧办理"
    subject = f"【{reminder.get_kind_display()}】信件 {letter.tracking_code} {STAGE_LABEL[reminder.stage]}{verb}"
    try:
        send_mail(
            subject,
            f"{subject}\n期限：{reminder.deadline:%Y-%m-%d}\n标题：{letter.subject_redacted}",
            None,
            emails,
        )
    except Exception as exc:
        log.warning("reminder %s not mailed: %s", reminder.pk, type(exc).__name__)

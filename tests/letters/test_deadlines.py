"""Deadlines on the working-day calendar, reminders (催办) and escalation (督办)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from govhub.letters import actions as lc
from govhub.letters.deadlines import clock
from govhub.letters.models import Reminder
from govhub.letters.reminders import check_deadlines
from tests.letters.helpers import letter

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, h=10):
    return dt.datetime(y, m, d, h, tzinfo=SH)


def test_letter_received_on_the_friday_before_national_day_2026(county):
    # 2026-09-25 (Fri) is 中秋节; 10-01…10-07 National Day; 10-10 (Sat) is a 调休 working day
    lt = letter(received_at=at(2026, 9, 25))
    assert lt.dispatch_due == dt.date(2026, 9, 28)  # the first working day
    assert lt.reply_due == dt.date(2026, 10, 8)  # 9-29, 9-30, 10-08


def test_a_saturday_adjusted_working_day_counts(county):
    lt = letter(received_at=at(2026, 9, 30))
    assert lt.dispatch_due == dt.date(2026, 9, 30)
    assert lt.reply_due == dt.date(2026, 10, 10)  # 10-08, 10-09, 10-10 (调休 Saturday)


def test_handling_deadline_counts_from_dispatch(county, monkeypatch):
    lt = letter(received_at=at(2026, 9, 29))
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: at(2026, 9, 30, 9).astimezone(dt.UTC))
    lc.dispatch_letter(county.user("dispatcher"), lt, department=county.dept("rsj"))
    lt.refresh_from_db()
    assert lt.handle_due == dt.date(2026, 10, 9)  # 10-08, 10-09
    assert clock(lt, dt.date(2026, 10, 9))["label"] == "办理今日到期"
    assert clock(lt, dt.date(2026, 10, 12))["overdue"]


def test_site_error_reports_get_a_month(county):
    from tests.letters.helpers import make_categories

    make_categories(county)
    lt = letter(channel="site_error", category_code="site_error", received_at=at(2026, 11, 2))
    assert lt.reply_due == dt.date(2026, 12, 2)  # 22 working days


def test_reminders_and_escalations_are_sent_once_even_when_the_job_runs_twice(county):
    lt = letter(received_at=at(2026, 11, 2))  # Monday; dispatch due the same day
    first = check_deadlines(today=dt.date(2026, 11, 2))
    assert [(r.kind, r.stage) for r in first] == [("remind", "dispatch")]
    assert check_deadlines(today=dt.date(2026, 11, 2)) == []
    escalated = check_deadlines(today=dt.date(2026, 11, 3))
    assert [(r.kind, r.stage) for r in escalated] == [("escalate", "dispatch")]
    assert check_deadlines(today=dt.date(2026, 11, 3)) == []
    assert Reminder.objects.filter(letter=lt).count() == 2
    subjects = [m.subject for m in mail.outbox]
    assert sum("催办" in s for s in subjects) == 1 and sum("督办" in s for s in subjects) == 1
    assert "supervisor@shifanxian.gov.cn" in next(m for m in mail.outbox if "督办" in m.subject).to


def test_an_approved_extension_moves_the_deadline_and_earns_a_fresh_reminder(county):
    lt = letter(received_at=at(2026, 11, 2))
    lc.dispatch_letter(county.user("dispatcher"), lt, department=county.dept("rsj"))
    lc.accept_letter(county.user("handler"), lt)
    lt.refresh_from_db()
    before = lt.reply_due
    ext = lc.request_extension(county.user("handler"), lt, days=5, reason="需要现场勘查")
    lc.decide_extension(county.user("supervisor"), ext, approve=True)
    lt.refresh_from_db()
    assert lt.reply_due == dt.date(2026, 11, 12) and before == dt.date(2026, 11, 5)


def test_letters_of_the_same_minute_share_their_deadlines_whatever_their_channel(county):
    """The deadline is a date on the working-day calendar counted from the day of receipt in
    the county's time zone: two letters of 23:59 (local), one by the portal and one by phone,
    are due the same day — 15:59 UTC is not “the day before”."""
    from tests.letters.helpers import make_categories

    make_categories(county)
    first = letter(received_at=dt.datetime(2026, 12, 7, 23, 59, 5, tzinfo=SH))
    second = letter(
        channel="phone",
        phone="13900000009",
        category_code="labour",
        received_at=dt.datetime(2026, 12, 7, 15, 59, 55, tzinfo=dt.UTC),  # 23:59:55 local
    )
    assert first.reply_due == second.reply_due == dt.date(2026, 12, 10)
    assert first.dispatch_due == second.dispatch_due == dt.date(2026, 12, 7)
    # dispatching one of them later moves its handling step, never its reply deadline
    lc.dispatch_letter(county.user("dispatcher"), second, department=county.dept("rsj"))
    second.refresh_from_db()
    assert second.reply_due == first.reply_due

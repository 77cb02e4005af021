"""Working days on the official calendar: holidays, 调休 days, local overrides, unknown years."""

import datetime as dt
import warnings

import pytest

from govhub.core import actions, workdays
from govhub.core.workdays import add_working_days, is_working_day, working_days_between
from tests.factories import make_user

D = dt.date
pytestmark = pytest.mark.django_db


def test_spring_festival_2026_holiday_and_its_saturday_working_days():
    assert is_working_day(D(2026, 2, 14))  # Saturday, 调休 working day
    assert not any(is_working_day(D(2026, 2, d)) for d in range(15, 24))  # 15–23 Feb off
    assert is_working_day(D(2026, 2, 28))  # Saturday, 调休 working day


def test_a_letter_received_the_friday_before_spring_festival_is_due_after_the_holiday():
    # Fri 13 Feb 2026 + 3 working days: Sat 14 (调休), then 24, 25 Feb.
    assert add_working_days(D(2026, 2, 13), 3) == D(2026, 2, 25)


def test_national_day_2026_and_the_sunday_before_it():
    assert is_working_day(D(2026, 9, 20))  # Sunday, 调休 working day
    assert not any(is_working_day(D(2026, 10, d)) for d in range(1, 8))
    assert is_working_day(D(2026, 10, 10))  # Saturday, 调休 working day
    # Received Wed 30 Sep 2026: two working days later is Fri 9 Oct.
    assert add_working_days(D(2026, 9, 30), 2) == D(2026, 10, 9)
    assert working_days_between(D(2026, 9, 30), D(2026, 10, 12)) == 4  # 8, 9, 10, 12


def test_zero_days_moves_a_holiday_to_the_next_working_day():
    assert add_working_days(D(2026, 10, 3), 0) == D(2026, 10, 8)
    assert add_working_days(D(2026, 10, 8), 0) == D(2026, 10, 8)


def test_between_is_antisymmetric():
    a, b = D(2026, 2, 10), D(2026, 3, 2)
    assert working_days_between(a, b) == -working_days_between(b, a)


def test_local_override_set_in_the_back_office_changes_deadlines():
    admin = make_user(superuser=True)
    assert add_working_days(D(2026, 6, 8), 1) == D(2026, 6, 9)
    actions.set_workday_override(admin, date=D(2026, 6, 9), is_working_day=False, note="县庆放假")
    workdays.overrides_changed()
    assert not is_working_day(D(2026, 6, 9))
    assert add_working_days(D(2026, 6, 8), 1) == D(2026, 6, 10)


def test_unknown_year_falls_back_to_weekends_and_warns_once():
    workdays._warned_years.discard(2031)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert is_working_day(D(2031, 1, 6))  # Monday
        assert not is_working_day(D(2031, 1, 4))  # Saturday
        is_working_day(D(2031, 1, 7))
    fallback = [w for w in caught if issubclass(w.category, workdays.CalendarFallbackWarning)]
    assert len(fallback) == 1
    assert "2031" in str(fallback[0].message)


def test_override_fills_a_year_the_package_does_not_know():
    admin = make_user(superuser=True)
    actions.set_workday_override(admin, date=D(2031, 1, 1), is_working_day=False, note="元旦")
    workdays.overrides_changed()
    assert not is_working_day(D(2031, 1, 1))  # a Wednesday, made a holiday

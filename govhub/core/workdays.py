"""Working days (工作日) on China's official calendar, with 调休 and local overrides.

The official holidays and adjusted working days come from the chinese-calendar package; the
back office's WorkdayOverride table corrects or extends it (a local holiday, or a year the
package does not know yet). Outside the package's years the calendar falls back to
Monday–Friday and warns once per year.
"""

from __future__ import annotations

import datetime as dt
import logging
import warnings
from functools import lru_cache

import chinese_calendar

from govhub.core import hotcache

log = logging.getLogger(__name__)
_warned_years: set[int] = set()
_OVERRIDES_KEY = "govhub:workday-overrides:v1"


class CalendarFallbackWarning(UserWarning):
    """The official calendar does not cover a year; weekends alone are used."""


def _overrides() -> dict[dt.date, bool]:
    def compute() -> dict[str, bool]:
        from govhub.core.models import WorkdayOverride

        return {o.date.isoformat(): o.is_working_day for o in WorkdayOverride.objects.all()}

    data = hotcache.get(_OVERRIDES_KEY, compute, 300)
    return {dt.date.fromisoformat(k): v for k, v in data.items()}


def overrides() -> dict[dt.date, bool]:
    """The administrator's overrides (date → working day?), to pass to several calls at once."""
    return _overrides()


def overrides_changed() -> None:
    """Called by the functions that edit overrides, so the next question sees them."""
    hotcache.drop(_OVERRIDES_KEY)


@lru_cache(maxsize=4096)
def _official(day: dt.date) -> bool | None:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


def is_working_day(day: dt.date, overrides: dict[dt.date, bool] | None = None) -> bool:
    overrides = _overrides() if overrides is None else overrides
    if day in overrides:
        return overrides[day]
    official = _official(day)
    if official is not None:
        return official
    if day.year not in _warned_years:
        _warned_years.add(day.year)
        message = (
            f"{day.year} 年的法定节假日未知，按周一至周五计算工作日；请在后台“工作日调整”中补充。"
        )
        log.warning(message)
        warnings.warn(message, CalendarFallbackWarning, stacklevel=2)
    return day.weekday() < 5


def add_working_days(
    start: dt.date, days: int, overrides: dict[dt.date, bool] | None = None
) -> dt.date:
    """The date ``days`` working days after ``start`` (0: ``start`` itself if it is a working
    day, else the next working day). ``overrides``: from :func:`overrides`, when the caller
    computes several dates."""
    overrides = _overrides() if overrides is None else overrides
    current = start
    if days == 0:
        while not is_working_day(current, overrides):
            current += dt.timedelta(days=1)
        return current
    step = 1 if days > 0 else -1
    remaining = abs(days)
    while remaining:
        current += dt.timedelta(days=step)
        if is_working_day(current, overrides):
            remaining -= 1
    return current


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative when end < start)."""
    if end < start:
        return -working_days_between(end, start)
    overrides = _overrides()
    count, current = 0, start
    while current < end:
        current += dt.timedelta(days=1)
        if is_working_day(current, overrides):
            count += 1
    return count


def next_working_day(day: dt.date) -> dt.date:
    return add_working_days(day, 1)

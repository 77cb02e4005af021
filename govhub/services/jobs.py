"""Periodic services jobs (loaded by ``govhub worker``)."""

from __future__ import annotations

import datetime as dt

from govhub.core.jobs import job, periodic


@periodic(every=dt.timedelta(days=1), at_hour=9)
@job(retries=3)
def remind_tomorrows_appointments() -> int:
    """预约提醒: tomorrow's bookings get an SMS; idempotent (one outbox key per booking)."""
    from govhub.services.actions import queue_reminders

    return queue_reminders()

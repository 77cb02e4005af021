"""Periodic letter jobs (loaded by ``govhub worker``)."""

from __future__ import annotations

import datetime as dt

from govhub.core.jobs import job, periodic


@periodic(every=dt.timedelta(hours=1))
@job(retries=3)
def check_letter_deadlines() -> int:
    """催办/督办 every hour; idempotent (unique reminder rows)."""
    from govhub.letters.reminders import check_deadlines

    return len(check_deadlines())

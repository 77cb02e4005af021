"""Periodic 好差评 jobs (loaded by ``govhub worker``)."""

from __future__ import annotations

import datetime as dt

from govhub.core.jobs import job, periodic


@periodic(every=dt.timedelta(days=1), at_hour=8)
@job(retries=3)
def check_callback_deadlines() -> int:
    """催办/督办 of 差评 call-backs; idempotent (one reminder row per task, kind and deadline)."""
    from govhub.ratings.actions import check_callbacks

    return len(check_callbacks())

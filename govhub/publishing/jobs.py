"""Background jobs of publishing: scheduled publication (定时发布). Sending and statistics are
the outbox's (``govhub.channels.jobs``)."""

from __future__ import annotations

import datetime as dt

from govhub.core.jobs import job, periodic


@periodic(every=dt.timedelta(minutes=1), name="publishing.scheduled_tick")
@job(retries=0)
def scheduled_tick() -> int:
    """定时发布: publish the scheduled pieces whose time has come (their deliveries then enter
    the outbox and go out after commit)."""
    from govhub.publishing.actions import publish_due_scheduled

    return publish_due_scheduled()


@job(retries=0)
def send_due_deliveries() -> int:
    """Kept for tasks queued before the outbox moved to channels: runs the outbox once."""
    from govhub.channels.outbox import run_outbox

    return run_outbox(limit=100)

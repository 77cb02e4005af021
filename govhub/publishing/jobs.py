"""Background jobs of publishing: the outbox, scheduled publication, statistics."""

from __future__ import annotations

import datetime as dt

from govhub.core.jobs import job, periodic


@job(retries=0)
def send_due_deliveries() -> int:
    """Send what is due in the outbox (queued after each approval and every minute)."""
    from govhub.publishing.outbox import run_outbox

    total = 0
    while True:
        n = run_outbox(limit=100)
        total += n
        if n < 100:
            return total


@periodic(every=dt.timedelta(minutes=1), name="publishing.outbox_tick")
@job(retries=0)
def outbox_tick() -> int:
    """定时发布 and the outbox's heartbeat: publish scheduled pieces, send due deliveries."""
    from govhub.publishing.actions import publish_due_scheduled
    from govhub.publishing.outbox import run_outbox

    publish_due_scheduled()
    return run_outbox(limit=500)


@periodic(every=dt.timedelta(days=1), at_hour=4, name="publishing.fetch_statistics")
@job(retries=3)
def fetch_statistics_job() -> dict:
    """Yesterday's and the day before's figures (the platforms settle a day late); overwrites."""
    from django.utils import timezone

    from govhub.publishing.stats import fetch_statistics

    today = timezone.localdate()
    out = {}
    for back in (2, 1):
        out[str(today - dt.timedelta(days=back))] = fetch_statistics(
            today - dt.timedelta(days=back)
        )
    return out

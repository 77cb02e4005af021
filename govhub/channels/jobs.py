"""Background jobs of the outbox: send what is due (after each commit that queued a message and
every minute), and fetch the platforms' figures for published messages once a day."""

from __future__ import annotations

import datetime as dt

from govhub.core.jobs import job, periodic


@job(retries=0)
def send_due_messages() -> int:
    """Send what is due in the outbox (queued after each commit that added a message)."""
    from govhub.channels.outbox import run_outbox

    total = 0
    while True:
        n = run_outbox(limit=100)
        total += n
        if n < 100:
            return total


@periodic(every=dt.timedelta(minutes=1), name="channels.outbox_tick")
@job(retries=0)
def outbox_tick() -> int:
    """The outbox's heartbeat: retries that came due, messages whose wake-up was lost."""
    from govhub.channels.outbox import run_outbox

    return run_outbox(limit=500)


@periodic(every=dt.timedelta(days=1), at_hour=4, name="channels.fetch_statistics")
@job(retries=3)
def fetch_statistics_job() -> dict:
    """Yesterday's and the day before's figures (the platforms settle a day late); overwrites."""
    from django.utils import timezone

    from govhub.channels.stats import fetch_statistics

    today = timezone.localdate()
    out = {}
    for back in (2, 1):
        day = today - dt.timedelta(days=back)
        out[str(day)] = fetch_statistics(day)
    return out


@periodic(every=dt.timedelta(days=1), at_hour=3, name="channels.collect_page_views")
@job(retries=1)
def collect_page_views_job() -> dict:
    """Yesterday's portal page views from nginx's access log; overwrites the day's counts."""
    from django.utils import timezone

    from govhub.channels.pageviews import collect_page_views

    day = timezone.localdate() - dt.timedelta(days=1)
    return {str(day): collect_page_views(day)}

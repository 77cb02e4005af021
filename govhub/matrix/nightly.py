"""The full nightly supervision run: inspection checks, duplicates, counterfeits, indices."""

from __future__ import annotations

import datetime as dt
import time

from django.utils import timezone

from govhub.matrix import counterfeit, duplicates, influence, inspection
from govhub.matrix.collect import collect_delivery_statistics
from govhub.matrix.models import NightlyRun


def run_nightly(today: dt.date | None = None) -> dict:
    """Everything the supervisors look at in the morning; idempotent per day."""
    today = today or timezone.localdate()
    run = NightlyRun.objects.create(started_at=timezone.now())
    stats: dict = {}
    t0 = time.perf_counter()
    from govhub.matrix.actions import sync_channel_accounts

    stats["registry_synced"] = sync_channel_accounts()
    stats["delivery_posts"] = collect_delivery_statistics()
    stats["inspection"] = inspection.run_inspection(today)
    stats["duplicates"] = duplicates.run_duplicates(today)
    stats["counterfeit_alerts"] = counterfeit.assess_seen()
    month = today.replace(day=1)
    stats["indices"] = influence.compute_month(month)
    if today.day <= 3:  # the previous month's final figures arrive in the first days
        influence.compute_month(influence.previous_month(month))
    stats["seconds"] = round(time.perf_counter() - t0, 2)
    run.finished_at = timezone.now()
    run.stats = stats
    run.save(update_fields=["finished_at", "stats"])
    return stats

"""Demo content of analytics: the default assessment scheme and this and last month's topics."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from govhub.analytics import assessment, hotspots
from govhub.analytics.models import DEFAULT_WEIGHTS, AssessmentScheme


def build(county) -> None:
    if not AssessmentScheme.objects.filter(region=county.root).exists():
        assessment.save_scheme(
            county.user("supervisor"),
            county.root,
            "2026年度政务公开与新媒体考核",
            dict(DEFAULT_WEIGHTS),
        )
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    for back in (60, 30):
        end = dt.datetime.combine(today - dt.timedelta(days=back - 30), dt.time(), tz)
        start = end - dt.timedelta(days=30)
        hotspots.save_snapshots(
            county.root, start, end, hotspots.find_topics(start, end, county.root)
        )

"""Availability probe of the portal (站点可用性): fetched from the server side at least 20 times
a day (hourly), a page that does not answer within 15 seconds or answers with an error counts
as unavailable; the weekly share is held against the national 5 % veto line."""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.utils import timezone

from govhub.safety.models import SiteProbe

TIMEOUT = 15.0
VETO_SHARE = 0.05


def probe_site(url: str | None = None, timeout: float = TIMEOUT) -> SiteProbe:
    """Fetch the portal's home page once and record the result (never waits past ``timeout``)."""
    import requests

    url = url or (settings.SITE_URL.rstrip("/") + "/")
    started = time.monotonic()
    ok, status, reason = False, None, ""
    try:
        with requests.get(
            url,
            timeout=(min(5.0, timeout), timeout),
            stream=True,
            headers={"User-Agent": "govhub-probe/1.0"},
        ) as r:
            status = r.status_code
            # the page must arrive in full within the time limit
            for _chunk in r.iter_content(65536):
                if time.monotonic() - started > timeout:
                    reason = f"{timeout:.0f} 秒内未完成"
                    break
            else:
                ok = status < 400
                reason = "" if ok else f"返回错误 {status}"
    except requests.Timeout:
        reason = f"{timeout:.0f} 秒内无响应"
    except requests.RequestException as exc:
        reason = f"无法连接（{type(exc).__name__}）"
    return SiteProbe.objects.create(
        at=timezone.now(),
        url=url[:300],
        ok=ok,
        status=status,
        seconds=round(time.monotonic() - started, 3),
        reason=reason[:200],
    )


def weekly_availability(today: dt.date | None = None) -> dict:
    """Probes of the seven days up to ``today``: count, failures, share, per day, and whether
    the share reaches the veto line."""
    today = today or timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=6), dt.time()))
    end = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time()))
    rows = list(SiteProbe.objects.filter(at__gte=start, at__lt=end).values_list("at", "ok"))
    per_day: dict[dt.date, list[int]] = {}
    for at, ok in rows:
        d = timezone.localtime(at).date()
        per_day.setdefault(d, [0, 0])
        per_day[d][0] += 1
        per_day[d][1] += 0 if ok else 1
    total = len(rows)
    failed = sum(1 for _at, ok in rows if not ok)
    share = failed / total if total else 0.0
    return {
        "probes": total,
        "failed": failed,
        "share": share,
        "veto": total > 0 and share >= VETO_SHARE,
        "days": [
            {
                "date": today - dt.timedelta(days=i),
                "probes": per_day.get(today - dt.timedelta(days=i), [0, 0])[0],
                "failed": per_day.get(today - dt.timedelta(days=i), [0, 0])[1],
            }
            for i in range(6, -1, -1)
        ],
    }

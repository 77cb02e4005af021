"""Background jobs of content safety: the hourly availability probe of the portal."""

from __future__ import annotations

import datetime as dt

from govhub.core.jobs import job, periodic


@periodic(dt.timedelta(hours=1), name="safety.probe_site")
@job(retries=0)
def probe_site_hourly() -> dict:
    """24 probes a day (the national indicator asks for at least 20)."""
    from govhub.safety.probe import probe_site

    p = probe_site()
    return {"ok": p.ok, "seconds": p.seconds}

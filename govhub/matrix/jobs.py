"""Background jobs of the matrix: the nightly supervision run at 02:00."""

from __future__ import annotations

import datetime as dt

from govhub.core.jobs import job, periodic


@periodic(dt.timedelta(days=1), at_hour=2)
@job(retries=2)
def nightly_supervision() -> dict:
    """Nightly: checks, duplicates, counterfeits, influence indices (idempotent per day)."""
    from govhub.matrix.nightly import run_nightly

    return run_nightly()

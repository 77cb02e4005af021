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


# set while a supervisor's run waits or runs (matrix.actions.queue_inspection), so a second
# click starts nothing; cleared when the run ends, and by itself after an hour if a worker died
RUN_QUEUED_KEY = "matrix:inspection:queued"


@job(retries=0)
def inspection_now() -> dict:
    """A supervisor's 立即运行检查: the whole nightly run in the worker, not in a request (it
    takes minutes on a real registry and would hold a web worker all that time)."""
    from django.core.cache import cache

    from govhub.matrix.nightly import run_nightly

    try:
        return run_nightly()
    finally:
        cache.delete(RUN_QUEUED_KEY)

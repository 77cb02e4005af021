"""Periodic letter jobs (loaded by ``govhub worker``)."""

from __future__ import annotations

import datetime as dt

from govhub.core.jobs import Feed, job, periodic, warm


@periodic(every=dt.timedelta(hours=1))
@job(retries=3)
def check_letter_deadlines() -> int:
    """催办/督办 every hour; idempotent (unique reminder rows)."""
    from govhub.letters.reminders import check_deadlines

    return len(check_deadlines())


# Letters are accepted by intake (submit_letter) and routed here, after their commit: the
# router's suggestion, the duplicate check and the automatic dispatch cost more than the rest
# of the acceptance together (docs/load.md, "Where a letter's time goes").
ROUTE_SWEEP_AFTER = dt.timedelta(minutes=5)
ROUTE_SWEEP_BATCH = 500


@warm
def warm_router() -> None:
    """The active router's model and the word cutter, loaded before the worker forks."""
    from govhub.letters import router

    active = router.active_router()
    if active is not None:
        active.explain(router.letter_text("预热", "工资拖欠 学校招生 小区漏水"))


@job(retries=5)
def route_letter(letter_id: int) -> str:
    """Route one accepted letter (letters.actions.route_letter); idempotent."""
    from govhub.letters.actions import route_letter as route

    return route(letter_id)


# accepted letters waiting for the router: one Redis list drained 100 at a time (core.jobs.Feed)
ROUTING = Feed("route-letters", batch=100)


@job(retries=3)
def route_waiting_letters() -> int:
    """Drain the routing feed; returns how many letters were taken."""
    from govhub.letters.actions import route_letter as route

    return ROUTING.drain(route)


ROUTING.bind(route_letter, route_waiting_letters)


def queue_routing(letter_id: int) -> None:
    """Queue the letter's routing once the intake transaction commits (never inside it: the
    worker must find the letter, and a rolled-back letter queues nothing)."""
    ROUTING.push_on_commit(letter_id)


@periodic(every=dt.timedelta(minutes=5))
@job(retries=3)
def route_stray_letters() -> int:
    """Every 5 minutes: re-queue letters received more than ``ROUTE_SWEEP_AFTER`` ago that are
    still waiting for dispatch without having been routed — their job was lost (the queue was
    flushed, Redis restarted without persistence, a worker died past its retries). A letter
    whose job is still in the queue (behind a burst, or waiting for a retry) or running is
    left to it. Returns how many were queued."""
    from itertools import islice

    from django.utils import timezone

    from govhub.core.jobs import pending
    from govhub.letters.models import Letter, Status

    at = timezone.now()
    unrouted = (
        Letter.objects.filter(
            status=Status.RECEIVED, routed_at__isnull=True, received_at__lt=at - ROUTE_SWEEP_AFTER
        )
        .order_by("received_at")
        .values_list("pk", flat=True)
    )
    if not unrouted.exists():
        return 0  # the usual case: the queue is not asked
    ROUTING.rearm()  # letters left in the feed by a killed drain are drained, not skipped
    # still in the feed or in the queue (behind a burst, waiting for a retry): late, not lost
    queued = {args[0] for args, _ in pending(route_letter) if args} | ROUTING.waiting()
    stray = list(
        islice(
            (pk for pk in unrouted.iterator(chunk_size=2000) if pk not in queued), ROUTE_SWEEP_BATCH
        )
    )
    for pk in stray:
        ROUTING.push(pk)
    return len(stray)

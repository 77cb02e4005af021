"""Background jobs: one API over Django's Tasks (the django-tasks backport Wagtail uses).

Why Django's Tasks rather than Celery: Wagtail already enqueues its own work through it, so one
queue serves both; its database backend gives the embedded mode a durable queue with no extra
server, and its RQ backend gives production distributed workers on Redis, with the same
``@job`` code. What the framework lacks we add here, small and tested: retries with capped
exponential backoff, re-queueing work a killed worker had claimed, and periodic jobs declared in
code whose time slots are claimed in the database so no slot runs twice.

Jobs must be idempotent: a job may run twice (a worker killed after the work, before the ack).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task as _task

log = logging.getLogger(__name__)

BACKOFF_BASE = 5  # seconds
BACKOFF_CEILING = 3600


def backoff(attempt: int, base: int = BACKOFF_BASE, ceiling: int = BACKOFF_CEILING) -> int:
    """Seconds to wait before retry ``attempt`` (1-based): 5, 10, 20, … capped."""
    return min(ceiling, base * 2 ** max(0, attempt - 1))


class Retry(Exception):  # noqa: N818 - reads as "raise Retry"
    """Raise to ask for a retry with a reason, without logging a traceback."""


def job(
    func: Callable | None = None, *, retries: int = 5, queue: str = "default", priority: int = 0
):
    """Declare a durable background job. ``fn.enqueue(...)`` stores it; a worker runs it;
    an exception schedules a retry with backoff until ``retries`` are used up."""

    def decorate(fn: Callable):
        @functools.wraps(fn)
        def runner(*args, _attempt: int = 1, **kwargs):
            _drop_stale_connections()
            try:
                return fn(*args, **kwargs)
            except Exception as exc:
                if _attempt > retries:
                    log.error(
                        "job %s gave up after %d attempts: %s", fn.__qualname__, _attempt, exc
                    )
                    raise
                delay = backoff(_attempt)
                log.warning(
                    "job %s failed (attempt %d), retry in %ds: %s",
                    fn.__qualname__,
                    _attempt,
                    delay,
                    exc,
                )
                wrapped.using(run_after=timezone.now() + dt.timedelta(seconds=delay)).enqueue(
                    *args, _attempt=_attempt + 1, **kwargs
                )
                return None

        wrapped = _task(runner, queue_name=queue, priority=priority)
        return wrapped

    return decorate(func) if func is not None else decorate


def _drop_stale_connections() -> None:
    """What Django does at each request's start, done at each job's: a worker that runs jobs in
    its own process (RQ's simple worker, the database worker) drops a connection broken by a
    database restart or past CONN_MAX_AGE instead of failing every later job on it. Not inside
    a transaction (a job run immediately inside a test's or a caller's atomic block)."""
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            conn.close_if_unusable_or_obsolete()


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Queue ``task`` once the surrounding transaction commits (never inside it)."""
    transaction.on_commit(lambda: task.enqueue(*args, **kwargs))


def pending(task) -> list[tuple[list, dict]]:
    """The arguments (args, kwargs) of ``task``'s jobs not done yet: waiting in the queue,
    waiting for a retry, or running. A sweep that re-queues lost work asks this first, so that
    work still in the queue is not queued twice (under a burst that would double the workers'
    load just when they are behind). The database queue and RQ on Redis; a backend that runs
    jobs at once holds none."""
    from django_tasks_db import DatabaseBackend
    from django_tasks_rq import RQBackend

    backend = task.get_backend()
    if isinstance(backend, DatabaseBackend):
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        rows = DBTaskResult.objects.filter(
            backend_name=backend.alias,
            task_path=task.module_path,
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
        ).values_list("args_kwargs", flat=True)
        return [(row["args"], row["kwargs"]) for row in rows.iterator(chunk_size=2000)]
    if isinstance(backend, RQBackend):
        return _pending_in_redis(task)
    return []


def _pending_in_redis(task) -> list[tuple[list, dict]]:
    """RQ keeps a job's id in its queue while it waits, in the scheduled registry while it
    waits for a retry (``run_after``), in the started registry while it runs; the job's hash
    holds its function and arguments."""
    import django_rq
    from django_tasks_rq.backend import Job
    from rq.registry import ScheduledJobRegistry, StartedJobRegistry

    queue = django_rq.get_queue(task.queue_name, job_class=Job)
    ids = [
        *queue.get_job_ids(),
        *queue.intermediate_queue.get_job_ids(),  # taken by a worker, not yet started
        *ScheduledJobRegistry(queue=queue).get_job_ids(cleanup=False),
        *StartedJobRegistry(queue=queue).get_job_ids(cleanup=False),
    ]
    found = []
    for i in range(0, len(ids), 1000):
        for rq_job in Job.fetch_many(
            ids[i : i + 1000], connection=queue.connection, serializer=queue.serializer
        ):
            if rq_job is not None and rq_job.func_name == task.module_path:
                found.append((list(rq_job.args), dict(rq_job.kwargs)))
    return found


# --- work fed in batches ------------------------------------------------------------------


def _on_redis() -> bool:
    from django.conf import settings

    return settings.TASKS["default"]["BACKEND"].endswith("RQBackend")


class Feed:
    """Ids of one kind of work (letters to route) fed to a job that takes them in batches.

    Why: at a peak every accepted letter queued its own RQ job — several Redis commands and a
    job record in the request, and a dequeue, status and result per letter in the worker. On
    Redis an id is now one ``RPUSH`` (and a ``SET NX`` that arms a single drain job when none
    is pending), in one round trip; the drain job pops 100 at a time until the list is empty.
    Without Redis (the embedded mode's database queue, tests) each id is its own ``each`` job,
    as before. Lost ids (Redis flushed, a drain killed mid-batch) are the owner's sweep's to
    find: each item's work must be idempotent."""

    ARM_SECONDS = 120  # a drain job lost with its worker is re-armed by the next push after this
    DRAIN_SECONDS = 240  # one drain job stops after this and queues the next (RQ's timeout)

    def __init__(self, name: str, *, batch: int = 100) -> None:
        self.key = f"govhub:feed:{name}"
        self.armed = f"{self.key}:armed"
        self.batch = batch
        self.each = None  # the per-id job (set by ``bind``)
        self.drainer = None  # the job that drains the list (set by ``bind``)

    def bind(self, each, drainer) -> None:
        self.each, self.drainer = each, drainer

    def _redis(self):
        """The process's pooled client for the job queue's Redis (``core.redisconn``)."""
        from django.conf import settings

        from govhub.core.redisconn import client

        return client(settings.RQ_QUEUES["default"]["URL"])

    def push_on_commit(self, item: int) -> None:
        """Queue ``item`` once the surrounding transaction commits. A queue that cannot be
        reached is logged, not raised: the item's row is committed and the sweep finds it."""
        transaction.on_commit(lambda: self.push(item), robust=True)

    def push(self, item: int) -> None:
        if not _on_redis():
            self.each.enqueue(item)
            return
        pipe = self._redis().pipeline(transaction=False)
        pipe.rpush(self.key, int(item))
        pipe.set(self.armed, 1, nx=True, ex=self.ARM_SECONDS)
        _length, armed = pipe.execute()
        if armed:
            self.drainer.enqueue()

    def rearm(self) -> bool:
        """Queue a drain job if ids wait and none is armed: a drain killed with its worker
        leaves its flag to expire and the rest of the list to the next push — after a burst
        there may be none. The owner's sweep calls this. True when a job was queued."""
        if not _on_redis():
            return False
        conn = self._redis()
        if conn.llen(self.key) and conn.set(self.armed, 1, nx=True, ex=self.ARM_SECONDS):
            self.drainer.enqueue()
            return True
        return False

    def waiting(self) -> set[int]:
        """The ids still in the list (Redis only; empty otherwise)."""
        if not _on_redis():
            return set()
        return {int(x) for x in self._redis().lrange(self.key, 0, -1)}

    def drain(self, work: Callable[[int], object]) -> int:
        """Run ``work(id)`` for each id in the list until it is empty (or ``DRAIN_SECONDS``
        have passed: the next drain job is queued). An id whose work fails becomes its own
        ``each`` job, with that job's retries. Returns how many ids were taken."""
        import time

        conn = self._redis()
        taken, started = 0, time.monotonic()
        while True:
            ids = conn.lpop(self.key, self.batch) or []
            if not ids:
                conn.delete(self.armed)
                # a push between the pop and the delete found the flag set and queued nothing
                if conn.llen(self.key) and conn.set(self.armed, 1, nx=True, ex=self.ARM_SECONDS):
                    continue
                return taken
            conn.expire(self.armed, self.ARM_SECONDS)
            for raw in ids:
                item = int(raw)
                taken += 1
                try:
                    _drop_stale_connections()
                    work(item)
                except Exception as exc:
                    log.warning("%s: item %s failed, queued alone: %s", self.key, item, exc)
                    self.each.enqueue(item)
            if time.monotonic() - started > self.DRAIN_SECONDS:
                self.drainer.enqueue()  # the flag stays armed for it
                return taken


# --- periodic jobs ---------------------------------------------------------------------


@dataclass(frozen=True)
class Periodic:
    name: str
    every: dt.timedelta
    task: object
    at_hour: int | None = None  # daily jobs: local hour to run at


PERIODIC: dict[str, Periodic] = {}


def periodic(every: dt.timedelta, *, at_hour: int | None = None, name: str | None = None):
    """Declare a job that runs every ``every`` (daily jobs may pick a local hour)."""

    def decorate(task_obj):
        key = name or task_obj.module_path
        PERIODIC[key] = Periodic(key, every, task_obj, at_hour)
        return task_obj

    return decorate


def _slot(p: Periodic, now: dt.datetime) -> str | None:
    local = timezone.localtime(now)
    if p.at_hour is not None:
        if local.hour < p.at_hour:
            return None
        return local.date().isoformat()
    seconds = int(p.every.total_seconds())
    return str(int(now.timestamp()) // seconds)


def run_due_periodic(now: dt.datetime | None = None) -> list[str]:
    """Enqueue every periodic job whose current slot has not been claimed; returns their names."""
    from govhub.core.models import PeriodicRun

    now = now or timezone.now()
    started = []
    for p in PERIODIC.values():
        slot = _slot(p, now)
        if slot is None:
            continue
        try:
            with transaction.atomic():
                PeriodicRun.objects.create(name=p.name, slot=slot)
                enqueue_on_commit(p.task)
        except IntegrityError:
            continue
        started.append(p.name)
    return started


def requeue_abandoned(older_than: dt.timedelta = dt.timedelta(minutes=15)) -> int:
    """Put back tasks a killed worker had claimed (database backend only)."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - older_than
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=cutoff
    ).update(status=TaskResultStatus.READY, started_at=None)


WARMERS: list[Callable[[], None]] = []


def warm(fn: Callable[[], None]) -> Callable[[], None]:
    """Declare a warm-up the RQ worker runs once before it forks a process per job: what it
    loads (the router's model, the word cutter's dictionary) is inherited by every job instead
    of loaded again by each — measured: a routing job took seconds cold, milliseconds warm."""
    WARMERS.append(fn)
    return fn


def warm_up() -> None:
    """Run every declared warm-up, then close the database connections (a forked job must
    not share its parent's socket)."""
    from django.db import connections

    for fn in WARMERS:
        try:
            fn()
        except Exception as exc:  # a cold start is slower, not broken
            log.warning("warm-up %s failed: %s", fn.__qualname__, exc)
    connections.close_all()


def load_job_modules() -> None:
    """Import every app's ``jobs`` module so their jobs and periodic declarations register."""
    from importlib import import_module

    from django.apps import apps

    for cfg in apps.get_app_configs():
        if cfg.name.startswith("govhub."):
            try:
                import_module(f"{cfg.name}.jobs")
            except ModuleNotFoundError as exc:
                if exc.name != f"{cfg.name}.jobs":
                    raise


@periodic(every=dt.timedelta(days=1), at_hour=2)
@job(retries=3)
def anchor_audit_chain() -> int:
    """Daily: the audit chain's head written outside the database (see core.audit.anchor)."""
    from govhub.core import audit

    line = audit.anchor()
    return line["seq"] if line else 0

"""Durable background jobs: stored before they run, retried with backoff, periodic slots once,
abandoned work put back, and the Redis (RQ) path against the real Redis server."""

import datetime as dt
import os
import uuid

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from govhub.core import jobs
from tests.core import jobs_for_tests as tj

pytestmark = pytest.mark.django_db


def run_worker_until_idle(max_rounds=20):
    from django_tasks_db.management.commands.db_worker import Worker

    for _ in range(max_rounds):
        if not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists():
            return
        DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())
        Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test",
            excluded_queue_names=[],
        ).run()


def test_backoff_doubles_and_is_capped():
    assert [jobs.backoff(n) for n in (1, 2, 3, 4)] == [5, 10, 20, 40]
    assert jobs.backoff(30) == jobs.BACKOFF_CEILING


def test_a_job_is_stored_before_it_runs():
    result = tj.flaky.enqueue("stored", 0)
    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == TaskResultStatus.READY
    assert row.args_kwargs["args"] == ["stored", 0]


@pytest.mark.django_db(transaction=True)  # the worker closes connections between tasks
def test_failing_job_is_retried_with_backoff_until_it_succeeds():
    key = uuid.uuid4().hex
    before = timezone.now()
    tj.flaky.enqueue(key, 2)
    from django_tasks_db.management.commands.db_worker import Worker

    Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=1,
        worker_id="t",
        excluded_queue_names=[],
    ).run()
    retry = DBTaskResult.objects.filter(status=TaskResultStatus.READY).get()
    assert retry.run_after >= before + dt.timedelta(seconds=jobs.backoff(1))
    assert retry.args_kwargs["kwargs"] == {"_attempt": 2}
    run_worker_until_idle()
    assert tj.CALLS.count(key) == 3
    assert cache.get(f"flaky:{key}") == "done"


@pytest.mark.django_db(transaction=True)  # the worker closes connections between tasks
def test_a_job_that_keeps_failing_gives_up_and_is_recorded_as_failed():
    key = uuid.uuid4().hex
    tj.flaky.enqueue(key, 99)
    run_worker_until_idle()
    assert tj.CALLS.count(key) == 4  # first try + 3 retries
    assert DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_work_queued_in_a_rolled_back_transaction_never_runs():
    with pytest.raises(RuntimeError), transaction.atomic():
        jobs.enqueue_on_commit(tj.flaky, "rolled-back", 0)
        raise RuntimeError("the change failed")
    assert not DBTaskResult.objects.exists()
    with transaction.atomic():
        jobs.enqueue_on_commit(tj.flaky, "committed", 0)
    assert DBTaskResult.objects.count() == 1


def test_abandoned_work_of_a_killed_worker_is_put_back():
    result = tj.flaky.enqueue("abandoned", 0)
    DBTaskResult.objects.filter(id=result.id).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now() - dt.timedelta(hours=1)
    )
    assert jobs.requeue_abandoned(dt.timedelta(minutes=15)) == 1
    assert DBTaskResult.objects.get(id=result.id).status == TaskResultStatus.READY


def test_a_periodic_slot_is_enqueued_once_even_by_two_schedulers(
    monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(jobs, "PERIODIC", {})
    jobs.periodic(dt.timedelta(hours=1), name="hourly")(tj.flaky)
    jobs.periodic(dt.timedelta(days=1), at_hour=2, name="nightly")(tj.flaky)
    at = timezone.make_aware(dt.datetime(2026, 11, 23, 1, 30))  # 01:30 Asia/Shanghai
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.run_due_periodic(at) == ["hourly"]
    assert jobs.run_due_periodic(at) == []  # the second scheduler finds the slot taken
    later = at + dt.timedelta(hours=1)  # 02:30: next hourly slot, and the nightly slot
    with django_capture_on_commit_callbacks(execute=True):
        assert sorted(jobs.run_due_periodic(later)) == ["hourly", "nightly"]
    assert jobs.run_due_periodic(later + dt.timedelta(minutes=20)) == []
    assert DBTaskResult.objects.count() == 3


# production's worker (settings.RQ): jobs in the worker's own process. A forking worker's child
# would close the test's inherited database connection on its way out.
SIMPLE_WORKER = "rq.worker.SimpleWorker"

# a database of its own (this test empties it): other Redis tests use 14, and may run beside it
REDIS_URL = os.environ.get("GOVHUB_TEST_JOBS_REDIS_URL", "redis://127.0.0.1:6379/12")


@pytest.mark.redis
def test_the_same_job_runs_on_redis_workers(settings):
    """Production path: the RQ backend on the real Redis server, run by an RQ worker."""
    import django_rq
    import redis

    settings.RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 60}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    conn = redis.Redis.from_url(REDIS_URL)
    conn.flushdb()
    key = "govhub-test:" + uuid.uuid4().hex
    try:
        result = tj.count_in_redis.enqueue(REDIS_URL, key)
        assert conn.get(key) is None  # queued, not yet run
        worker = django_rq.get_worker(
            "default", job_class="django_tasks_rq.backend.Job", worker_class=SIMPLE_WORKER
        )
        worker.work(burst=True)
        assert int(conn.get(key)) == 1
        result.refresh()
        assert result.status == TaskResultStatus.SUCCESSFUL
    finally:
        conn.flushdb()


@pytest.mark.redis
def test_a_feed_on_redis_queues_one_drain_job_for_many_ids(
    settings, django_capture_on_commit_callbacks
):
    """Letters at a peak: each id is one push; one drain job takes them in batches, in order,
    and an id whose work failed runs again alone with its job's retries."""
    import django_rq
    import redis

    settings.RQ_QUEUES = {"default": {"URL": tj.FED_URL, "DEFAULT_TIMEOUT": 60}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    conn = redis.Redis.from_url(tj.FED_URL)
    conn.flushdb()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            for i in range(1, 31):
                tj.FEED.push_on_commit(i)
            assert conn.llen(tj.FEED.key) == 0  # nothing before the commit
        assert conn.llen(tj.FEED.key) == 30
        assert django_rq.get_queue("default").count == 1  # one drain job, not 30
        assert tj.FEED.waiting() == set(range(1, 31))
        worker = django_rq.get_worker(
            "default", job_class="django_tasks_rq.backend.Job", worker_class=SIMPLE_WORKER
        )
        worker.work(burst=True)
        assert sorted(set(tj.fed())) == list(range(1, 31))
        assert tj.fed().count(13) == 2 and len(tj.fed()) == 31  # 13 failed once, then alone
        assert conn.llen(tj.FEED.key) == 0 and not conn.exists(tj.FEED.armed)
        tj.FEED.push(31)  # the next push arms a new drain job
        assert django_rq.get_queue("default").count == 1
        # a drain killed with its worker: its flag expires, ids wait, no push comes — the
        # owner's sweep re-arms it (once)
        django_rq.get_queue("default").empty()
        conn.delete(tj.FEED.armed)
        assert tj.FEED.rearm() is True and tj.FEED.rearm() is False
        assert django_rq.get_queue("default").count == 1
    finally:
        conn.flushdb()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)  # the worker closes connections between tasks
def test_a_feed_without_redis_queues_each_id_as_its_own_job(
    settings, django_capture_on_commit_callbacks, monkeypatch
):
    """The embedded mode's database queue: one durable job per id, run after the commit."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    # a list of its own: the Redis feed test beside it counts its list exactly
    monkeypatch.setattr(tj, "FED_KEY", "govhub-test:fed-db:" + uuid.uuid4().hex)
    with django_capture_on_commit_callbacks(execute=True):
        tj.FEED.push_on_commit(5)
        tj.FEED.push_on_commit(6)
    assert DBTaskResult.objects.filter(task_path__endswith="feed_each").count() == 2
    assert tj.FEED.waiting() == set()
    run_worker_until_idle()
    assert sorted(tj.fed()) == [5, 6]


@pytest.mark.django_db(transaction=True)  # the worker closes connections between tasks
def test_the_worker_yields_the_cpu_to_the_web_workers(monkeypatch, settings):
    """`govhub worker` lowers its priority (GOVHUB_WORKER_NICE, default 19) before it runs a
    job, so a burst of requests is answered first; 0 keeps it as it was."""
    from django.core.management import call_command

    calls = []
    monkeypatch.setattr("os.nice", lambda n: calls.append(n) or n)
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    call_command("worker", "--burst", "--no-scheduler")
    assert calls == [settings.WORKER_NICE] == [19]
    call_command("worker", "--burst", "--no-scheduler", "--nice", "0")
    assert calls == [19]

"""Intake accepts; the worker routes (issue 19): the router's suggestion, the duplicate check and
the automatic dispatch run in ``letters.jobs.route_letter`` after the intake commits, the job is
idempotent, and the periodic sweep routes a letter whose job was lost."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.utils import timezone

from govhub.letters import jobs, router
from govhub.letters.actions import dispatch_letter
from govhub.letters.deadlines import current_policy
from govhub.letters.models import Letter, Status
from tests.letters.helpers import letter, make_categories

pytestmark = pytest.mark.django_db

WAGES = {"subject": "工资拖欠", "content": "老板拖欠工资三个月不发，拖欠工资要求支付工资。"}


@pytest.fixture
def trained(county, settings):
    make_categories(county)
    texts = [
        "拖欠工资 老板不发工资",
        "社保 养老保险 缴费",
        "劳动合同 加班费",
        "学校 招生 入学",
        "学费 教师 学生",
        "幼儿园 入园 学位",
        "物业 小区 漏水",
        "老旧小区 改造 房屋",
        "燃气 管道 住房",
    ] * 3
    labels = (["labour"] * 3 + ["education"] * 3 + ["construction"] * 3) * 3
    router.store_model(router.fit(texts, labels), metrics={}, source="test")
    # the worker, at once: the job runs as soon as it is queued
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _auto_dispatch_above(bar: float) -> None:
    policy = current_policy()
    policy.auto_dispatch_confidence = bar
    policy.save()


def test_intake_only_accepts_and_the_job_routes_after_commit(
    county, trained, django_capture_on_commit_callbacks
):
    _auto_dispatch_above(0.0001)  # any suggestion is sure enough
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        lt = letter(route=False, **WAGES)
        # inside the request: accepted, not yet routed
        fresh = Letter.objects.get(pk=lt.pk)
        assert fresh.status == Status.RECEIVED and fresh.routed_at is None
        assert fresh.suggestion == {} and fresh.suggested_department is None
    assert callbacks, "the routing job is queued for after the commit"
    for callback in callbacks:  # the commit: the queued job runs (immediate backend)
        callback()
    lt.refresh_from_db()
    assert lt.routed_at is not None
    assert lt.suggestion["department"] == "县人力资源和社会保障局"
    assert lt.suggested_department == county.dept("rsj")
    assert lt.status == Status.DISPATCHED and lt.department == county.dept("rsj")
    # the citizen was told of the receipt before the dispatch
    assert list(lt.events.order_by("pk").values_list("kind", flat=True)) == [
        "received",
        "dispatched",
    ]


def test_below_the_bar_the_job_only_suggests(county, trained):
    _auto_dispatch_above(1)  # never by itself
    lt = letter(route=False, **WAGES)
    assert jobs.route_letter.call(lt.pk) == "suggested"
    lt.refresh_from_db()
    assert lt.status == Status.RECEIVED and lt.suggested_department == county.dept("rsj")


def test_the_job_is_idempotent(county, trained):
    _auto_dispatch_above(0.0001)
    lt = letter(route=False, **WAGES)
    assert jobs.route_letter.call(lt.pk) == "dispatched"
    lt.refresh_from_db()
    first = (lt.routed_at, lt.suggestion, lt.dispatched_at)
    # run again (a worker killed after the work, before the ack; the sweep's copy)
    assert jobs.route_letter.call(lt.pk) == "left alone"
    lt.refresh_from_db()
    assert (lt.routed_at, lt.suggestion, lt.dispatched_at) == first
    assert lt.events.filter(kind="dispatched").count() == 1
    assert lt.assignments.count() == 1


def test_a_letter_dispatched_by_hand_first_is_left_alone(county, trained):
    _auto_dispatch_above(0.0001)
    lt = letter(route=False, **WAGES)
    dispatch_letter(county.user("dispatcher"), lt, department=county.dept("jyj"))
    assert jobs.route_letter.call(lt.pk) == "left alone"
    lt.refresh_from_db()
    assert lt.department == county.dept("jyj") and lt.suggestion == {}
    assert lt.events.filter(kind="dispatched").count() == 1
    assert jobs.route_letter.call(10**9) == "gone"  # deleted meanwhile: nothing to do


def test_the_sweep_routes_a_letter_whose_job_was_lost(county, trained):
    _auto_dispatch_above(1)
    lost = letter(route=False, **WAGES)  # its on-commit job never ran (the test never commits)
    waiting = letter(route=False, subject="学校招生", content="孩子入学报名的学校招生问题。")
    done = letter(subject="小区漏水", content="小区物业不管房屋漏水。")  # routed already
    Letter.objects.filter(pk__in=[lost.pk, done.pk]).update(
        received_at=timezone.now() - jobs.ROUTE_SWEEP_AFTER - dt.timedelta(minutes=1)
    )
    assert jobs.route_stray_letters.call() == 1  # only the lost one: the other's job may wait
    lost.refresh_from_db()
    waiting.refresh_from_db()
    assert lost.routed_at is not None and lost.suggested_department == county.dept("rsj")
    assert waiting.routed_at is None
    assert jobs.route_stray_letters.call() == 0  # nothing left to catch


def test_the_sweep_is_declared_periodic():
    from govhub.core.jobs import PERIODIC

    sweep = [p for p in PERIODIC.values() if p.task is jobs.route_stray_letters]
    assert sweep and sweep[0].every <= dt.timedelta(minutes=10)


def _old_unrouted_letters(county, n: int) -> list[Letter]:
    make_categories(county)
    made = [letter(route=False, content=f"小区路灯坏了第{i}盏，晚上看不见路。") for i in range(n)]
    Letter.objects.filter(pk__in=[lt.pk for lt in made]).update(
        received_at=timezone.now() - jobs.ROUTE_SWEEP_AFTER - dt.timedelta(minutes=1)
    )
    return made


def _queued_for(pks: list[int]) -> list[int]:
    from govhub.core.jobs import pending

    return sorted(args[0] for args, _ in pending(jobs.route_letter) if args and args[0] in pks)


def test_the_sweep_leaves_letters_whose_job_is_still_in_the_database_queue(county, settings):
    """The embedded mode's database queue: a letter whose routing job still waits (behind a
    burst), waits for a retry or runs is not queued a second time; one whose job is gone or
    gave up is."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    waiting, retrying, running, lost, gave_up = _old_unrouted_letters(county, 5)
    jobs.route_letter.enqueue(waiting.pk)
    later = timezone.now() + dt.timedelta(minutes=10)
    jobs.route_letter.using(run_after=later).enqueue(retrying.pk, _attempt=2)
    started = jobs.route_letter.enqueue(running.pk)
    DBTaskResult.objects.filter(id=started.id).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now()
    )
    failed = jobs.route_letter.enqueue(gave_up.pk)
    DBTaskResult.objects.filter(id=failed.id).update(status=TaskResultStatus.FAILED)

    assert jobs.route_stray_letters.call() == 2
    queued = DBTaskResult.objects.filter(
        task_path=jobs.route_letter.module_path, status=TaskResultStatus.READY
    ).values_list("args_kwargs", flat=True)
    assert sorted(row["args"][0] for row in queued) == sorted(
        [waiting.pk, retrying.pk, lost.pk, gave_up.pk]
    )
    assert jobs.route_stray_letters.call() == 0  # every one has its job in the queue now


REDIS_URL = os.environ.get("GOVHUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


@pytest.mark.redis
def test_the_sweep_leaves_letters_whose_job_is_still_queued_on_redis(county, settings):
    """Production's RQ queue on the real Redis server: a job waiting in the queue or scheduled
    for a retry keeps its letter out of the sweep; a letter whose job Redis lost is queued."""
    import django_rq
    from django_tasks_rq.backend import Job

    settings.RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 60}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    waiting, retrying, lost = _old_unrouted_letters(county, 3)
    pks = [waiting.pk, retrying.pk, lost.pk]
    queue = django_rq.get_queue("default", job_class=Job)
    try:
        jobs.route_letter.enqueue(waiting.pk)
        later = timezone.now() + dt.timedelta(minutes=10)
        jobs.route_letter.using(run_after=later).enqueue(retrying.pk, _attempt=2)
        assert jobs.route_stray_letters.call() == 1
        # the lost letter goes to the routing feed (one Redis list drained in batches)
        assert _queued_for(pks) == sorted([waiting.pk, retrying.pk])
        assert lost.pk in jobs.ROUTING.waiting()
        assert jobs.route_stray_letters.call() == 0
    finally:  # only this test's jobs: the database is shared with other tests
        from rq.registry import ScheduledJobRegistry

        feed = jobs.ROUTING._redis()
        for pk in pks:
            feed.lrem(jobs.ROUTING.key, 0, pk)
        feed.delete(jobs.ROUTING.armed)

        ids = queue.get_job_ids() + ScheduledJobRegistry(queue=queue).get_job_ids()
        for rq_job in Job.fetch_many(ids, connection=queue.connection):
            if rq_job and rq_job.func_name == jobs.route_waiting_letters.module_path:
                rq_job.delete()  # the feed's drain job, armed by the sweep's push
            ours = rq_job and rq_job.func_name == jobs.route_letter.module_path
            if ours and rq_job.args and rq_job.args[0] in pks:
                rq_job.delete()

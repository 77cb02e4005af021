"""`govhub worker`: runs queued jobs and the periodic schedule.

Database backend (embedded): puts back tasks a killed worker had claimed, then runs
django-tasks-db's worker with the scheduler ticking in a thread. RQ backend (production): the
same scheduler beside an RQ worker.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from govhub.core import jobs


def scheduler_loop(stop: threading.Event, interval: float) -> None:
    while not stop.is_set():
        try:
            jobs.run_due_periodic()
        except Exception as exc:  # keep the schedule alive through a database hiccup
            import logging

            logging.getLogger(__name__).warning("periodic scheduler tick failed: %s", exc)
        finally:
            close_old_connections()
        stop.wait(interval)


class Command(BaseCommand):
    help = "运行后台任务（数据库队列或 Redis/RQ），并按时触发定时任务"

    def add_arguments(self, parser):
        parser.add_argument("--tick", type=float, default=30.0, help="定时任务检查间隔（秒）")
        parser.add_argument("--interval", type=float, default=0.5, help="队列轮询间隔（秒）")
        parser.add_argument("--no-scheduler", action="store_true")
        parser.add_argument("--burst", action="store_true", help="处理完队列即退出")
        parser.add_argument("--max-tasks", type=int, default=None)
        parser.add_argument(
            "--nice",
            type=int,
            default=settings.WORKER_NICE,
            help="进程优先级让给网站进程的程度（0–19，默认 GOVHUB_WORKER_NICE 或 19）",
        )
        parser.add_argument(
            "--reclaim",
            action="store_true",
            help="启动时把所有“运行中”的任务放回队列（仅一个工作进程时使用，如 make demo）",
        )

    def handle(self, *args, tick, interval, no_scheduler, burst, max_tasks, reclaim, nice, **opts):
        # On the same cores as the web workers, the jobs (routing letters, deliveries, reports)
        # yield to the requests: a burst of letters is accepted at the web's full rate and
        # routed right after, instead of both going at half speed (docs/load.md).
        if nice > 0:
            os.nice(min(nice, 19))
        jobs.load_job_modules()
        stop = threading.Event()
        if not no_scheduler:
            threading.Thread(target=scheduler_loop, args=(stop, tick), daemon=True).start()
        try:
            if settings.JOBS_BACKEND == "rq":
                import django_rq

                jobs.warm_up()  # load once: the simple worker reuses it, a forking one inherits it
                worker = django_rq.get_worker("default", job_class="django_tasks_rq.backend.Job")
                worker.work(burst=burst, with_scheduler=True)
            else:
                requeued = jobs.requeue_abandoned(
                    dt.timedelta(0) if reclaim else dt.timedelta(minutes=15)
                )
                if requeued:
                    self.stdout.write(f"重新排队 {requeued} 个中断的任务")
                from django_tasks_db.management.commands.db_worker import Worker

                Worker(
                    queue_names=["*"],
                    interval=interval,
                    batch=burst,
                    backend_name="default",
                    startup_delay=False,
                    max_tasks=max_tasks,
                    worker_id=f"govhub-{time.time_ns()}",
                    excluded_queue_names=[],
                ).run()
        finally:
            stop.set()

"""`govhub outbox`: a dedicated outbox worker (besides `govhub worker`, which runs the same
function every minute and after each commit that queued a message). Safe to run several at once
and to kill at any moment: messages are claimed with a lease and a killed worker's claims are
taken over. 定时发布 stays with `govhub worker` (the periodic ``publishing.scheduled_tick``)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from govhub.channels.outbox import run_outbox


class Command(BaseCommand):
    help = "发送发件箱中到期的消息（可与 govhub worker 同时运行）"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="处理完当前到期的消息即退出")
        parser.add_argument("--batch", type=int, default=50)
        parser.add_argument(
            "--threads", type=int, default=8, help="同时进行的平台调用数（平台调用耗时数秒）"
        )
        parser.add_argument("--idle", type=float, default=1.0, help="无事可做时的等待秒数")

    def handle(self, *args, once: bool, batch: int, threads: int, idle: float, **opts):
        total = 0
        while True:
            n = run_outbox(limit=batch, threads=threads)
            total += n
            close_old_connections()
            if n == 0:
                if once:
                    break
                time.sleep(idle)
        import resource

        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(f"已处理 {total} 条消息；峰值内存 {peak_mb:.0f} MB")

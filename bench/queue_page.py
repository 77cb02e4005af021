"""The dispatchers' work queue (/admin/letters/ tabs, bench/load.py's "staff" kind) at tens of
thousands of letters: fill a demo county's database with letters quickly, then time each tab as
the dispatcher with Django's test client, in this process (no server, no other load).

    # a PostgreSQL demo county of your own (migrate + demo first, see docs/load.md)
    GOVHUB_VAR_DIR=var/qbench GOVHUB_DATABASE_URL=postgres://postgres@127.0.0.1:5432/gh_queue_bench \\
        .venv/bin/python bench/queue_page.py fill --received 20000 --archive 8000 --open 2000
    GOVHUB_VAR_DIR=var/qbench GOVHUB_DATABASE_URL=… .venv/bin/python bench/queue_page.py time

``fill`` adds letters as the mixed load leaves them: most waiting for dispatch (routed, with the
router's suggestion, received in the last hour), an archive of closed ones, and some dispatched,
being handled, under review or replied (each with its lead department's assignment). Texts are
the demo's, encrypted like any letter's. ``time`` prints, per tab, the median and spread over
``--rounds`` requests, the SQL statements and the slowest statement's time; ``--explain`` prints
EXPLAIN ANALYZE of each statement of one request (PostgreSQL).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PATHS = ["/admin/letters/", "/admin/letters/?tab=all", "/admin/letters/?tab=supervise"]


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhub.settings")
    os.environ.setdefault("GOVHUB_LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def fill(received: int, archive: int, open_: int, seed: int = 7) -> None:
    import datetime as dt
    import secrets

    from django.db import transaction
    from django.utils import timezone

    from govhub.core.models import Department
    from govhub.letters.deadlines import current_policy
    from govhub.letters.models import Assignment, AssignmentRole, Category, Letter, Status

    rng = random.Random(seed)
    policy = current_policy()
    templates = list(Letter.objects.exclude(subject="").order_by("pk")[:120])
    suggestions = [t.suggestion for t in templates if t.suggestion] or [{}]
    handlers = list(Department.objects.filter(level="county", is_active=True)) + list(
        Department.objects.filter(level="town", is_active=True)
    )
    towns = list(Department.objects.filter(level__in=["town", "village"]))
    cats = list(Category.objects.all())
    now = timezone.now()
    today = timezone.localdate()
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

    def code() -> str:
        s = "".join(secrets.choice(alphabet) for _ in range(12))
        return f"{s[:4]}-{s[4:8]}-{s[8:]}"

    plan = (
        [Status.RECEIVED] * received
        + [Status.CLOSED] * archive
        + [
            rng.choice([Status.DISPATCHED, Status.HANDLING, Status.REVIEWING, Status.REPLIED])
            for _ in range(open_)
        ]
    )
    rng.shuffle(plan)
    batch: list[Letter] = []
    started = time.perf_counter()
    made = 0

    def flush() -> None:
        nonlocal made
        with transaction.atomic():
            Letter.objects.bulk_create(batch)
            Assignment.objects.bulk_create(
                Assignment(letter=lt, department_id=lt.department_id, role=AssignmentRole.LEAD)
                for lt in batch
                if lt.department_id
            )
        made += len(batch)
        batch.clear()
        print(f"  {made} letters ({time.perf_counter() - started:.0f} s)", flush=True)

    for status in plan:
        t = rng.choice(templates)
        if status == Status.RECEIVED:
            at = now - dt.timedelta(seconds=rng.uniform(0, 3600))
        else:
            at = now - dt.timedelta(days=rng.uniform(1, 150))
        dept = rng.choice(handlers) if status != Status.RECEIVED else None
        batch.append(
            Letter(
                tracking_code=code(),
                channel="portal",
                status=status,
                subject=t.subject,
                content=t.content,
                category=rng.choice(cats) if cats else None,
                town=rng.choice(towns) if towns else None,
                intake_department=policy.intake_department,
                supervising_department=policy.supervising_department,
                department=dept,
                received_at=at,
                dispatch_due=timezone.localtime(at).date(),
                reply_due=timezone.localtime(at).date() + dt.timedelta(days=5),
                handle_due=(today + dt.timedelta(days=2)) if dept else None,
                dispatched_at=at + dt.timedelta(hours=2) if dept else None,
                closed_at=at + dt.timedelta(days=3) if status == Status.CLOSED else None,
                suggestion=rng.choice(suggestions),
                routed_at=at + dt.timedelta(seconds=30),
            )
        )
        if len(batch) >= 2000:
            flush()
    if batch:
        flush()
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")


def timed(rounds: int, explain: bool, user: str) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from govhub.letters.models import Letter, Status

    n = Letter.objects.count()
    waiting = Letter.objects.filter(status=Status.RECEIVED).count()
    print(f"{n} letters, {waiting} waiting for dispatch ({connection.vendor}); as {user}")
    client = Client()
    client.force_login(get_user_model().objects.get(username=user))
    for path in PATHS:  # warm: templates compiled, caches filled
        assert client.get(path).status_code == 200, path
    for path in PATHS:
        times, slowest, letters_sql = [], 0.0, []
        for _ in range(rounds):
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                resp = client.get(path)
                times.append((time.perf_counter() - t0) * 1000)
            assert resp.status_code == 200
            slowest = max([slowest] + [float(q["time"]) * 1000 for q in ctx.captured_queries])
            letters_sql.append(
                sum(float(q["time"]) * 1000 for q in ctx.captured_queries if "letters_" in q["sql"])
            )
        times.sort()
        print(
            f"{path:32} median {statistics.median(times):6.1f} ms  "
            f"min {times[0]:6.1f}  max {times[-1]:6.1f}  ({rounds} rounds)  "
            f"{len(ctx.captured_queries)} statements, slowest {slowest:.1f} ms, "
            f"letters SQL median {statistics.median(letters_sql):.0f} ms"
        )
        if explain and connection.vendor == "postgresql":
            with connection.cursor() as cur:
                for q in ctx.captured_queries:
                    sql = q["sql"]
                    print(f"  {float(q['time']) * 1000:6.1f} ms  {sql[:150]}")
                    if not sql.lstrip().upper().startswith("SELECT"):
                        continue
                    if float(q["time"]) * 1000 < 2:
                        continue
                    cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    print(f"\n--- {float(q['time']) * 1000:.1f} ms: {sql[:600]}")
                    print("\n".join(r[0] for r in cur.fetchall()))
        reset_queries()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("fill")
    f.add_argument("--received", type=int, default=20000)
    f.add_argument("--archive", type=int, default=8000)
    f.add_argument("--open", type=int, default=2000)
    t = sub.add_parser("time")
    t.add_argument("--rounds", type=int, default=15)
    t.add_argument("--explain", action="store_true")
    t.add_argument("--user", default="dispatcher")
    args = ap.parse_args()
    setup()
    if args.cmd == "fill":
        fill(args.received, args.archive, args.open)
    else:
        timed(args.rounds, args.explain, args.user)
    print("command: " + " ".join(["bench/queue_page.py"] + sys.argv[1:]))


if __name__ == "__main__":
    main()

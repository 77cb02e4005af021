"""Consultation figures: comment submissions per second (content checker and audit included)
and the draft page's p50/p95 with 10,000 shown comments, read through Django's test client.

Runs on a throw-away test database of whatever GOVHUB_DATABASE_URL names (SQLite by default;
PostgreSQL: ``GOVHUB_DATABASE_URL=postgres://…``):

    GOVHUB_MODE=test .venv/bin/python bench/participation.py [--comments 10000] [--submit 200] [--reads 200]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--comments", type=int, default=10_000)
    ap.add_argument("--submit", type=int, default=200)
    ap.add_argument("--reads", type=int, default=200)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("GOVHUB_MODE", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhub.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases
    from django.utils import timezone

    setup_test_environment()
    cfg = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    try:
        from govhub.core.demo import build_core
        from govhub.participation import actions
        from govhub.participation.models import Comment, Moderation

        county = build_core()
        c = actions.create_consultation(
            county.user("editor"),
            {
                "title": "性能测试征求意见稿",
                "body": "\n".join(f"第{i}条 条款内容，规定相关事项。" for i in range(1, 31)),
                "department": county.dept("cgj"),
            },
        )
        c = actions.publish_consultation(county.user("editor"), c)
        paras = list(c.paragraphs.values_list("pk", flat=True))
        rng = random.Random(7)
        texts = [
            "建议延长免费停车时段，方便群众办事。",
            "希望在学校周边增加临时停车位，并安排引导员。",
            "收费标准调整前应当听取群众意见，公开听证。",
        ]
        actions.submit_comment(c, text=texts[0])  # load the checker's models once
        started = time.perf_counter()
        for i in range(args.submit):
            actions.submit_comment(
                c, text=f"{rng.choice(texts)}（{i}）", paragraph_id=rng.choice(paras + [None])
            )
        submit_rate = args.submit / (time.perf_counter() - started)
        now = timezone.now()
        Comment.objects.bulk_create(
            (
                Comment(
                    consultation=c,
                    paragraph_id=rng.choice(paras + [None]),
                    text=f"{rng.choice(texts)}（批量 {i}）",
                    status=Moderation.APPROVED,
                    created_at=now - dt.timedelta(seconds=i),
                )
                for i in range(args.comments)
            ),
            batch_size=2000,
        )
        client = Client()
        url = f"/participation/consultations/{c.pk}/"
        pages = args.comments // 20
        client.get(url)
        times = []
        for _ in range(args.reads):
            page = rng.choice([1, 2, rng.randint(1, pages)])
            t = time.perf_counter()
            r = client.get(f"{url}?page={page}")
            times.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200
        times.sort()
        p95 = times[int(0.95 * len(times)) - 1]
        print(f"database: {connection.vendor}")
        print(f"comment submissions/s (checker + audit, one process): {submit_rate:.1f}")
        print(
            f"draft page with {args.comments} comments: p50 {statistics.median(times):.1f} ms, "
            f"p95 {p95:.1f} ms over {args.reads} reads"
        )
    finally:
        teardown_databases(cfg, verbosity=0)


if __name__ == "__main__":
    main()

"""Participation figures: comment submissions per second (content checker and audit included)
and the draft page's p50/p95 with 10,000 shown comments; an online interview's live feed
(``live.json``, what every open phone polls every 5 s) p50/p95 with 300 lines; a survey with
ranking, matrix and conditional questions: the results page and the Excel export with 5,000
answer sheets. Read through Django's test client.

Runs on a throw-away test database of whatever GOVHUB_DATABASE_URL names (SQLite by default;
PostgreSQL: ``GOVHUB_DATABASE_URL=postgres://…``):

    GOVHUB_MODE=test .venv/bin/python bench/participation.py [--comments 10000] [--submit 200] [--reads 200] [--entries 300] [--answers 5000]
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
    ap.add_argument("--entries", type=int, default=300)
    ap.add_argument("--answers", type=int, default=5000)
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
        _interview(county, args, rng)
        _survey(county, args, rng)
    finally:
        teardown_databases(cfg, verbosity=0)


def _pct(times: list[float]) -> str:
    times = sorted(times)
    return f"p50 {statistics.median(times):.1f} ms, p95 {times[int(0.95 * len(times)) - 1]:.1f} ms"


def _interview(county, args, rng) -> None:
    """The live feed polled by every open page: the newest lines after the one shown last."""
    from django.test import Client

    from govhub.participation import actions
    from govhub.participation.models import InterviewEntry

    i = actions.create_interview(
        county.user("editor"),
        {
            "title": "性能测试访谈",
            "guest": "县城管局局长",
            "department": county.dept("cgj"),
            "starts_at": "2026-12-20T10:00",
        },
    )
    actions.schedule_interview(county.user("editor"), i)
    actions.start_interview(county.user("editor"), i)
    for n in range(20):
        q = actions.ask_question(i, text=f"关于停车收费的第 {n} 个问题，请局长解答。")
        actions.moderate_question(county.user("reviewer"), q, approve=True)
        actions.post_entry(county.user("cgj_handler"), i, text=f"第 {n} 个答复。", question=q)
    InterviewEntry.objects.bulk_create(
        InterviewEntry(interview=i, speaker="主持人", text=f"第 {n} 段发言。")
        for n in range(args.entries - 20)
    )
    ids = list(InterviewEntry.objects.filter(interview=i).values_list("pk", flat=True))
    client = Client()
    url = f"/participation/interviews/{i.pk}/live.json"
    client.get(url)
    times = []
    for _ in range(args.reads):
        after = ids[-rng.randint(1, 5)]  # a phone that has all but the last few lines
        t = time.perf_counter()
        r = client.get(f"{url}?after={after}")
        times.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200
    full = []
    for _ in range(20):
        t = time.perf_counter()
        client.get(f"/participation/interviews/{i.pk}/")
        full.append((time.perf_counter() - t) * 1000)
    print(f"interview live.json (a poll, {args.entries} lines): {_pct(times)}")
    print(f"interview page with {args.entries} lines: {_pct(full)}")


def _survey(county, args, rng) -> None:
    """Results page and Excel export of a survey with every question type."""
    import datetime as dt

    from django.test import Client
    from django.utils import timezone

    from govhub.participation import actions
    from govhub.participation.models import Response, ResponseItem

    today = timezone.localdate()
    s = actions.create_survey(
        county.user("editor"),
        {
            "title": "性能测试调查",
            "department": county.dept("rmt"),
            "opens_at": today - dt.timedelta(days=1),
            "closes_at": today + dt.timedelta(days=9),
            "results_public": True,
            "questions": "[单选] 去过吗\n- 去过\n- 没去过\n[排序] 排序\n- 甲\n- 乙\n- 丙\n"
            "[矩阵] 评价\n- 窗口一\n- 窗口二\n列：满意/一般/不满意\n"
            "[文本] 问题\n如果第1题选“去过”\n[量表] 满意度（1-5）",
        },
    )
    actions.publish_survey(county.user("editor"), s)
    single, ranking, matrix, text, scale = list(s.questions.prefetch_related("options"))
    so, ro, mo = (list(q.options.all()) for q in (single, ranking, matrix))
    Response.objects.bulk_create(
        Response(survey=s, voter_key=f"bench-{n}", verified_by="phone") for n in range(args.answers)
    )
    items = []
    for r in Response.objects.filter(survey=s):
        went = rng.random() < 0.6
        items.append(ResponseItem(response=r, question=single, option=so[0 if went else 1]))
        for rank, o in enumerate(rng.sample(ro, 3), 1):
            items.append(ResponseItem(response=r, question=ranking, option=o, value=rank))
        for o in mo:
            items.append(
                ResponseItem(response=r, question=matrix, option=o, value=rng.randint(1, 3))
            )
        if went:
            items.append(ResponseItem(response=r, question=text, text="排队时间长"))
        items.append(ResponseItem(response=r, question=scale, value=rng.randint(1, 5)))
    ResponseItem.objects.bulk_create(items, batch_size=5000)
    client = Client()
    url = f"/participation/surveys/{s.pk}/results/"
    client.get(url)
    times = []
    for _ in range(20):
        t = time.perf_counter()
        assert client.get(url).status_code == 200
        times.append((time.perf_counter() - t) * 1000)
    client.force_login(county.user("editor"))
    t = time.perf_counter()
    r = client.get(f"/admin/participation/surveys/{s.pk}/export.xlsx")
    export = time.perf_counter() - t
    assert r.status_code == 200
    print(f"survey results page, {args.answers} answer sheets ({len(items)} items): {_pct(times)}")
    print(
        f"survey Excel export, {args.answers} answer sheets: {export:.2f} s, {len(r.content) // 1024} KB"
    )


if __name__ == "__main__":
    main()

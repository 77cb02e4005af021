"""Benchmark: the full nightly supervision run over a synthetic province.

Generates a province (accounts under cities and counties, one year of posts with daily figures,
heavy-tailed reads, a fifth of the accounts silent, re-posted texts) into a fresh SQLite
database, then times the nightly run (inspection checks, duplicates over the 60-day window,
counterfeit matching, influence indices of the month, rankings) and the monthly report, and prints
peak memory (max RSS).

    .venv/bin/python bench/matrix.py                 # 300 accounts, ~108,000 posts
    .venv/bin/python bench/matrix.py --full          # 10,000 accounts, ~3.6 million posts
    .venv/bin/python bench/matrix.py --accounts 2000 # any size
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def setup_django(path: str) -> None:
    os.environ["GOVHUB_DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("GOVHUB_MODE", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhub.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


PHRASES = [
    "开展",
    "便民服务",
    "政策宣讲",
    "安全检查",
    "走访调研",
    "业务培训",
    "乡村振兴",
    "营商环境",
    "民生实事",
    "环境整治",
    "就业招聘",
    "医保缴费",
    "防汛抗旱",
    "文明创建",
    "消防演练",
    "义诊活动",
]


def generate(n_accounts: int, posts_per_year: int, seed: int = 7) -> dict:
    import numpy as np
    from django.utils import timezone

    from govhub.core.models import Department
    from govhub.matrix.models import Account, DailyFigure, Post, SeenAccount

    rng = np.random.default_rng(seed)
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    prov = Department.add_root(name="示范省", code="prov", level="province", kind="government")
    cities = [
        prov.add_child(name=f"示范省第{i}市", code=f"c{i}", level="city", kind="government")
        for i in range(max(1, n_accounts // 1000))
    ]
    counties = []
    for c in cities:
        c = Department.objects.get(pk=c.pk)
        for j in range(10):
            counties.append(
                Department.objects.get(pk=c.pk).add_child(
                    name=f"{c.name}{j}县", code=f"{c.code}-{j}", level="county", kind="government"
                )
            )
    accs = []
    for i in range(n_accounts):
        d = counties[i % len(counties)]
        accs.append(
            Account(
                platform="weibo" if i % 4 == 0 else "wechat",
                name=f"{d.name}{PHRASES[i % 16]}发布{i}",
                remote_id=f"acc{i}",
                department=d,
                level="county",
                kind="government",
                opened_on=today - dt.timedelta(days=800),
            )
        )
    Account.objects.bulk_create(accs, batch_size=5000)
    accs = list(Account.objects.order_by("id"))
    silent = rng.random(n_accounts) < 0.2
    news = ["".join(rng.choice(PHRASES, 12)) + f"第{k}期全省重点工作通报" for k in range(200)]
    t0 = time.perf_counter()
    n_posts = 0
    batch, figs = [], []
    for a_i, acc in enumerate(accs):
        scale = float(rng.lognormal(5.5, 1.0))
        stop = int(rng.integers(15, 200)) if silent[a_i] else 0
        days = np.flatnonzero(rng.random(365) < posts_per_year / 365)
        days = days[days >= stop]
        for d in days.tolist():
            when = dt.datetime.combine(today - dt.timedelta(days=d), dt.time(9), tz)
            reads = int(scale * rng.pareto(1.5))
            if rng.random() < 0.1:
                text = news[int(rng.integers(0, len(news)))] + (
                    "" if rng.random() < 0.5 else "（转载）"
                )
            else:
                text = f"{acc.name}{''.join(rng.choice(PHRASES, 5))}服务{int(rng.integers(1, 9999))}人次，编号{n_posts}。"
            batch.append(
                Post(
                    account=acc,
                    remote_id=str(n_posts),
                    published_at=when,
                    title=text[:12],
                    text=text,
                    reads=reads,
                    likes=reads // 50,
                    looks=reads // 200,
                    shares=reads // 80,
                    comments=reads // 300,
                    is_headline=bool(d % 2),
                )
            )
            figs.append(
                DailyFigure(
                    account=acc,
                    date=when.date(),
                    posts=1,
                    reads=reads,
                    likes=reads // 50,
                    looks=reads // 200,
                    shares=reads // 80,
                    comments=reads // 300,
                    followers=int(scale * 10),
                )
            )
            n_posts += 1
        if len(batch) > 50_000:
            Post.objects.bulk_create(batch, batch_size=5000)
            DailyFigure.objects.bulk_create(figs, batch_size=5000, ignore_conflicts=True)
            batch, figs = [], []
            print(f"  generated {n_posts} posts …", flush=True)
    Post.objects.bulk_create(batch, batch_size=5000)
    DailyFigure.objects.bulk_create(figs, batch_size=5000, ignore_conflicts=True)
    seen = [
        SeenAccount(platform="wechat", name=a.name[:-1], remote_id=f"seen{i}")
        for i, a in enumerate(accs[: max(10, n_accounts // 20)])
    ]
    SeenAccount.objects.bulk_create(seen)
    return {
        "accounts": n_accounts,
        "posts": n_posts,
        "generate_s": time.perf_counter() - t0,
        "root": prov,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--full", action="store_true", help="10,000 accounts, ~3.6 million posts")
    ap.add_argument("--accounts", type=int, default=300)
    ap.add_argument("--posts-per-year", type=int, default=360)
    args = ap.parse_args()
    n = 10_000 if args.full else args.accounts
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(os.path.join(tmp, "bench.sqlite3"))
        print(f"generating a province of {n} accounts …", flush=True)
        info = generate(n, args.posts_per_year)
        from govhub.analytics import reports
        from govhub.matrix import influence
        from govhub.matrix.nightly import run_nightly

        t0 = time.perf_counter()
        stats = run_nightly()
        t_nightly = time.perf_counter() - t0
        from govhub.matrix.models import Account

        t1 = time.perf_counter()
        month = dt.date.today().replace(day=1)
        influence.ranking(month, Account.objects.all())
        influence.group_ranking(month, Account.objects.all(), "department")
        html = reports.render_html(info["root"], month)
        t_report = time.perf_counter() - t1
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"province: {info['accounts']} accounts, {info['posts']} posts with daily figures (generated in {info['generate_s']:.0f} s)"
        )
        print(
            f"nightly run: {t_nightly:.1f} s  (checks {stats['inspection']['findings']} findings, {stats['duplicates']['posts']} posts in the dedup window → {stats['duplicates']['duplicates']} duplicates, {stats['counterfeit_alerts']} counterfeit alerts, {stats['indices']} indices)"
        )
        print(f"rankings + monthly report: {t_report:.1f} s ({len(html) // 1024} KiB HTML)")
        print(
            f"total nightly incl. report: {t_nightly + t_report:.1f} s; peak memory (max RSS): {peak:.0f} MiB"
        )
        print(
            "command: .venv/bin/python bench/matrix.py"
            + (" --full" if args.full else f" --accounts {n}")
        )


if __name__ == "__main__":
    main()

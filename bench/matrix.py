"""Benchmark: the full nightly supervision run over a synthetic province.

Generates a province (accounts under cities and counties, one year of posts with daily figures,
heavy-tailed reads, a fifth of the accounts silent, re-posted texts) into a fresh SQLite
database (in a child process, with batched raw INSERTs), then runs the stages of the nightly run
one after the other — inspection checks, duplicates over the 60-day window, counterfeit
matching, influence indices of the month, rankings — and the monthly report, printing the time
of each stage and the peak memory (max RSS) of the nightly process (the generator's is printed
apart).

    .venv/bin/python bench/matrix.py                 # 300 accounts, ~108,000 posts
    .venv/bin/python bench/matrix.py --full          # 10,000 accounts, ~3.6 million posts
    .venv/bin/python bench/matrix.py --accounts 2000 # any size
    .venv/bin/python bench/matrix.py --keep /tmp/prov.sqlite3   # keep (or reuse) the database
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
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
    """Write the synthetic province with array operations and batched raw INSERTs (the ORM's
    per-object cost would dominate at 3.6 million rows)."""
    import numpy as np
    from django.db import connection, transaction
    from django.utils import timezone

    from govhub.core.models import Department
    from govhub.matrix.models import Account, DailyFigure, Post, SeenAccount

    rng = np.random.default_rng(seed)
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    t0 = time.perf_counter()
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
    acc_rows = list(Account.objects.order_by("id").values_list("id", "name"))
    acc_ids = np.array([a for a, _ in acc_rows], np.int64)
    acc_names = [n for _, n in acc_rows]

    # who posts on which day: about posts_per_year/365 of the days; a fifth fall silent
    scale = rng.lognormal(5.5, 1.0, n_accounts)
    silent = rng.random(n_accounts) < 0.2
    stop = np.where(silent, rng.integers(15, 200, n_accounts), 0)
    mask = rng.random((n_accounts, 365)) < posts_per_year / 365
    mask &= np.arange(365)[None, :] >= stop[:, None]
    a_idx, day = np.nonzero(mask)
    del mask
    n = len(a_idx)
    reads = np.minimum(scale[a_idx] * rng.pareto(1.5, n), 50_000_000).astype(np.int64)
    repost = rng.random(n) < 0.1
    news_pick = rng.integers(0, 200, n)
    suffix = rng.random(n) < 0.5
    # a vocabulary of 3,000 synthetic two-to-four-character words (CJK code points), so that
    # unrelated posts share few 3-grams, as real posts do
    chars = rng.integers(0x4E00, 0x9FA5, 12_000)
    vocab = PHRASES + [
        "".join(chr(c) for c in chars[4 * w : 4 * w + 2 + w % 3]) for w in range(3000)
    ]
    phrase_pick = rng.integers(0, len(vocab), (n, 12))
    pii = rng.random(n) < 0.001  # a leaked mobile number now and then, for the text checks
    served = rng.integers(1, 9999, n)
    news = ["".join(rng.choice(PHRASES, 12)) + f"第{k}期全省重点工作通报" for k in range(200)]
    # local 09:00 plus a few minutes, stored the way Django stores aware datetimes
    minute = rng.integers(0, 600, n)
    base = [dt.datetime.combine(today - dt.timedelta(days=d), dt.time(9), tz) for d in range(365)]
    utc = dt.UTC
    is_pg = connection.vendor == "postgresql"
    post_cols = (
        "account_id, remote_id, published_at, title, text, url, is_headline, reads, likes, "
        "looks, shares, comments"
    )
    fig_cols = "account_id, date, posts, reads, likes, looks, shares, comments, followers"
    post_sql = f"INSERT INTO {Post._meta.db_table} ({post_cols}) VALUES ({', '.join(['%s'] * 12)})"
    fig_sql = (
        f"INSERT INTO {DailyFigure._meta.db_table} ({fig_cols}) VALUES ({', '.join(['%s'] * 9)})"
    )
    followers = (scale * 10).astype(np.int64)
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("PRAGMA synchronous=OFF")
            cur.execute("PRAGMA journal_mode=MEMORY")
    batch = 100_000
    for lo in range(0, n, batch):
        hi = min(n, lo + batch)
        post_rows, fig_rows = [], []
        for k in range(lo, hi):
            ai = int(a_idx[k])
            d = int(day[k])
            when = base[d] + dt.timedelta(seconds=int(minute[k]))
            stamp = when if is_pg else when.astimezone(utc).replace(tzinfo=None).isoformat(" ")
            r = int(reads[k])
            if repost[k]:
                text = news[news_pick[k]] + ("" if suffix[k] else "（转载）")
            else:
                words = "".join(vocab[p] for p in phrase_pick[k])
                text = f"{acc_names[ai]}{words}服务{served[k]}人次，编号{k}。"
                if pii[k]:
                    text += f"咨询电话138{k % 10**8:08d}"
            post_rows.append(
                (
                    int(acc_ids[ai]),
                    str(k),
                    stamp,
                    text[:12],
                    text,
                    "",
                    bool(d % 2),
                    r,
                    r // 50,
                    r // 200,
                    r // 80,
                    r // 300,
                )
            )
            fig_rows.append(
                (
                    int(acc_ids[ai]),
                    base[d].date().isoformat(),
                    1,
                    r,
                    r // 50,
                    r // 200,
                    r // 80,
                    r // 300,
                    int(followers[ai]),
                )
            )
        with transaction.atomic(), connection.cursor() as cur:
            cur.executemany(post_sql, post_rows)
            cur.executemany(fig_sql, fig_rows)
        if (lo // batch) % 5 == 4:
            print(f"  generated {hi} posts …", flush=True)
    seen = [
        SeenAccount(platform="wechat", name=name[:-1], remote_id=f"seen{i}")
        for i, name in enumerate(acc_names[: max(10, n_accounts // 20)])
    ]
    SeenAccount.objects.bulk_create(seen)
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    return {"accounts": n_accounts, "posts": n, "generate_s": time.perf_counter() - t0}


def stage(name: str, times: dict, fn):
    t0 = time.perf_counter()
    out = fn()
    times[name] = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  {name:<12}{times[name]:>8.1f} s   max RSS so far {rss:>6.0f} MiB", flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--full", action="store_true", help="10,000 accounts, ~3.6 million posts")
    ap.add_argument("--accounts", type=int, default=300)
    ap.add_argument("--posts-per-year", type=int, default=360)
    ap.add_argument("--keep", help="database file to keep; reused when it exists")
    ap.add_argument("--generate-only", help=argparse.SUPPRESS)
    args = ap.parse_args()
    n = 10_000 if args.full else args.accounts
    if args.generate_only:  # the child process
        setup_django(args.generate_only)
        info = generate(n, args.posts_per_year)
        print(f"GENERATED {info['posts']} {info['generate_s']:.1f}", flush=True)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or os.path.join(tmp, "bench.sqlite3")
        gen_posts, gen_s = None, 0.0
        if not os.path.exists(path):
            print(f"generating a province of {n} accounts …", flush=True)
            proc = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--generate-only",
                    path,
                    "--accounts",
                    str(n),
                    "--posts-per-year",
                    str(args.posts_per_year),
                ],
                check=True,
                capture_output=True,
                text=True,
            )
            last = [ln for ln in proc.stdout.splitlines() if ln.startswith("GENERATED")][-1]
            gen_posts, gen_s = int(last.split()[1]), float(last.split()[2])
        gen_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        setup_django(path)
        from govhub.analytics import reports
        from govhub.core.models import Department
        from govhub.matrix import counterfeit, duplicates, influence, inspection
        from govhub.matrix.models import Account, Post

        root = Department.get_root_nodes().first()
        today = dt.date.today()
        month = today.replace(day=1)
        accounts = Account.objects.count()
        posts = gen_posts if gen_posts is not None else Post.objects.count()
        print(f"nightly run over {accounts} accounts, {posts} posts:", flush=True)
        times: dict[str, float] = {}
        t_all = time.perf_counter()
        checks = stage("checks", times, lambda: inspection.run_inspection(today))
        dups = stage("duplicates", times, lambda: duplicates.run_duplicates(today))
        alerts = stage("counterfeits", times, counterfeit.assess_seen)
        n_idx = stage("indices", times, lambda: influence.compute_month(month))

        def rankings():
            qs = Account.objects.all()
            out = [influence.ranking(month, qs, platform=p) for p in ("wechat", "weibo")]
            for by in ("level", "kind", "department"):
                influence.group_ranking(month, qs, by)
            return sum(len(r) for r in out)

        ranked = stage("rankings", times, rankings)
        html = stage("report", times, lambda: reports.render_html(root, month))
        total = time.perf_counter() - t_all
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"province: {accounts} accounts, {posts} posts with daily figures"
            + (
                f" (generated in {gen_s:.0f} s, generator max RSS {gen_rss:.0f} MiB)"
                if gen_s
                else ""
            )
        )
        print(
            f"checks {checks['findings']} findings; {dups['posts']} posts in the dedup window → "
            f"{dups['duplicates']} duplicates; {alerts} counterfeit alerts; {n_idx} indices; "
            f"{ranked} ranked; report {len(html) // 1024} KiB HTML"
        )
        print("  ".join(f"{k} {v:.1f} s" for k, v in times.items()))
        print(f"total nightly incl. report: {total:.1f} s; peak memory (max RSS): {peak:.0f} MiB")
        print(
            "command: .venv/bin/python bench/matrix.py"
            + (" --full" if args.full else f" --accounts {n}")
            + (f" --keep {args.keep}" if args.keep else "")
            + f" (load average {os.getloadavg()[0]:.1f})"
        )


if __name__ == "__main__":
    main()

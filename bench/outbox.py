"""Outbox throughput and exactly-once figures.

Messages/s through a real ``govhub outbox --once`` worker process and its peak memory (max RSS
reported by the worker), for:

1. the outbox as it was before it moved to channels (publishing deliveries only), checked out
   from git (``--baseline-rev``, default ``main``) into a temp dir: N WeChat articles;
2. this tree's one outbox, the same N WeChat articles;
3. this tree's one outbox, a mix of every kind of message (publications to WeChat and Weibo,
   letter notices by SMS and WeChat template, replies by e-mail and Weibo private message,
   inbox replies as WeChat customer-service messages and Weibo comment replies, answers,
   reminders, invitations, call-backs), see tests/channels/outbox_mix.py;

on a fresh file SQLite database, or PostgreSQL with ``--database-url`` (the database named there
is dropped and created for each run). The fakes answer on loopback with no delay, so the limit
is the worker's own work plus the fakes' answer rate. With ``--faults`` it also runs the
worker-kill scenario of tests/channels/test_worker_kill.py (timeouts after the platform did the
work, two SIGKILLs) and prints, per platform call, how many messages were interrupted, how many
a retry found already sent by asking the platform, how many arrived twice, how many were lost.

    python bench/outbox.py [--n 1000] [--database-url postgres://postgres@127.0.0.1:5432/gh_outbox_bench]
                           [--baseline-rev main] [--skip-baseline] [--faults]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.channels import outbox_mix  # noqa: E402
from tests.fakes.sms_api import FakeSmsApi  # noqa: E402
from tests.fakes.smtp import FakeSmtp  # noqa: E402
from tests.fakes.wechat_messaging import FakeWeChatMessaging  # noqa: E402
from tests.fakes.weibo_api import FakeWeiboApi  # noqa: E402


def fresh_database(url: str, tmp: Path, name: str) -> str:
    if not url:
        return f"sqlite:///{tmp / (name + '.sqlite3')}"
    import psycopg

    base, _, dbname = url.rpartition("/")
    dbname = f"{dbname}_{name}"
    with psycopg.connect(base + "/postgres", autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{dbname}"')
        con.execute(f'CREATE DATABASE "{dbname}"')
    return f"{base}/{dbname}"


def env_for(code: Path, db_url: str, tmp: Path, sms_url: str = "", smtp_port: int = 0) -> dict:
    env = dict(
        os.environ,
        GOVHUB_MODE="test",
        GOVHUB_DATABASE_URL=db_url,
        GOVHUB_MEDIA_ROOT=str(tmp / "media"),
        PYTHONPATH=str(code),
    )
    if sms_url:
        env.update(
            GOVHUB_SMS_GATEWAY="govhub.channels.sms.HttpSmsGateway",
            GOVHUB_SMS_URL=sms_url,
            GOVHUB_SMS_KEY="sms-key",
            GOVHUB_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            GOVHUB_SMTP_HOST="127.0.0.1",
            GOVHUB_SMTP_PORT=str(smtp_port),
        )
    for key in ("GOVHUB_REDIS_URL", "GOVHUB_TEST_DB_NAME"):
        env.pop(key, None)
    return env


def govhub(code: Path, env: dict, *args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "govhub", *args], env=env, cwd=code, check=True, **kw
    )


def timed_worker(code: Path, env: dict) -> tuple[float, str]:
    started = time.perf_counter()
    out = govhub(code, env, "outbox", "--once", "--batch", "200", capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    m = re.search(r"峰值内存\s*(\d+)\s*MB", out.stdout)
    return elapsed, f"{m.group(1)} MB" if m else "?"


def run_articles(code: Path, n: int, db_url: str, tmp: Path) -> tuple[float, str, int]:
    """N WeChat articles through the outbox of the code in ``code`` (its own seed module)."""
    with FakeWeChatMessaging() as api:
        env = env_for(code, db_url, tmp)
        govhub(code, env, "migrate", "-v0")
        subprocess.run(
            [sys.executable, "-m", "tests.publishing.outbox_seed", str(n), api.url],
            env=env,
            cwd=code,
            check=True,
        )
        elapsed, peak = timed_worker(code, env)
        return elapsed, peak, api.published_count()


def run_mix(n: int, db_url: str, tmp: Path) -> tuple[float, str, int]:
    with (
        FakeWeChatMessaging() as wechat,
        FakeWeiboApi() as weibo,
        FakeSmsApi() as sms,
        FakeSmtp() as smtp,
    ):
        spec = tmp / "mix.json"
        outbox_mix.prepare(
            n, wechat=wechat, weibo=weibo, sms_url=sms.url, smtp_port=smtp.port, path=str(spec)
        )
        env = env_for(ROOT, db_url, tmp, sms.url, smtp.port)
        govhub(ROOT, env, "migrate", "-v0")
        subprocess.run(
            [sys.executable, "-m", "tests.channels.outbox_mix", str(spec)],
            env=env,
            cwd=ROOT,
            check=True,
        )
        elapsed, peak = timed_worker(ROOT, env)
        arrived = (
            wechat.published_count()
            + len(wechat.sent)
            + len(wechat.template_sent)
            + weibo.posted_count()
            - 1  # the post the comments hang under
            + len(weibo.own_comments())
            + len(weibo.replies)
            + len(sms.sent)
            + len(smtp.messages)
        )
        return elapsed, peak, arrived


def baseline_tree(rev: str, tmp: Path) -> Path:
    code = tmp / "baseline"
    code.mkdir()
    archive = subprocess.run(
        ["git", "archive", rev], cwd=ROOT, check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(code)], input=archive, check=True)
    return code


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--database-url", default="")
    ap.add_argument("--baseline-rev", default="main")
    ap.add_argument("--skip-baseline", action="store_true")
    ap.add_argument("--faults", action="store_true")
    args = ap.parse_args()
    load_before = os.getloadavg()
    tmp = Path(tempfile.mkdtemp(prefix="gh-outbox-bench-"))
    db_name = "PostgreSQL" if args.database_url else "file SQLite"
    rows = []
    if not args.skip_baseline:
        code = baseline_tree(args.baseline_rev, tmp)
        sub = tmp / "base"
        sub.mkdir()
        url = fresh_database(args.database_url, sub, "base")
        rows.append(
            (
                f"before ({args.baseline_rev}): WeChat articles",
                *run_articles(code, args.n, url, sub),
            )
        )
    sub = tmp / "articles"
    sub.mkdir()
    url = fresh_database(args.database_url, sub, "articles")
    rows.append(("one outbox: WeChat articles", *run_articles(ROOT, args.n, url, sub)))
    sub = tmp / "mix"
    sub.mkdir()
    url = fresh_database(args.database_url, sub, "mix")
    rows.append(("one outbox: mix of every kind", *run_mix(args.n, url, sub)))
    print(
        f"database: {db_name}; messages per run: {args.n}; worker: govhub outbox --once --batch 200 (8 threads)"
    )
    print(f"{'run':<40} {'seconds':>8} {'msgs/s':>8} {'peak RSS':>9} {'arrived':>8}")
    for name, elapsed, peak, arrived in rows:
        print(f"{name:<40} {elapsed:>8.1f} {args.n / elapsed:>8.1f} {peak:>9} {arrived:>8}")
    if args.faults:
        from tests.channels.test_worker_kill import print_figures, run_scenario

        sub = tmp / "faults"
        sub.mkdir()
        figures = run_scenario(sub)
        print(
            f"\nfaults: {figures['n']} messages, timeouts after the work, 2 worker kills "
            f"(file SQLite), {figures['elapsed']:.0f} s"
        )
        print_figures(figures)
    load_after = os.getloadavg()
    print(
        f"\nload average (1/5/15 min) before: {load_before[0]:.2f}/{load_before[1]:.2f}/{load_before[2]:.2f}, "
        f"after: {load_after[0]:.2f}/{load_after[1]:.2f}/{load_after[2]:.2f} on {os.cpu_count()} cores"
    )
    print("command: python bench/outbox.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()

"""The WeChat callback under load: govhub (gunicorn) against a minimal WeRoBot keyword bot.

Both servers run on loopback and get the same signed plain-mode text messages (each with a new
MsgId, so every one is processed: no retry short-cut). govhub runs with the demo knowledge base
(240 entries, keyword rules) on a throw-away SQLite database in a temp folder; the WeRoBot peer
answers a keyword or echoes (WeRoBot's defaults, so its per-user session is kept in SQLite, as
a bot written from its documentation does). Prints messages/s and p50/p99 latency for both.

Fairness: the same client (requests, one keep-alive session per client thread), the same
concurrency, and the same gunicorn command line for both servers (workers, worker class,
--preload). The default is sync workers: with gthread and fewer server threads than client
connections, idle keep-alive connections wait in gunicorn's poll loop, which costs a fast peer
far more than govhub (WeRoBot's p99 goes to ~2 s) and inflates the ratio; WeRoBot's default
SQLite session is not thread-safe, so more than one thread per worker makes it fail. The two servers are measured in alternating rounds, so a change in the load other
programs put on the machine hits both alike; the ratio is what to compare across runs.

    .venv/bin/python bench/wechat_callback.py            # 600 messages per server
    .venv/bin/python bench/wechat_callback.py --full     # 3,000 messages per server
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
GOVHUB_PORT, WEROBOT_PORT = 18310, 18311
TOKEN = "bench-token"
RUN_ID = int(time.time()) * 100_000
QUESTIONS = [
    "怎么办理居住证",
    "公积金怎么提取",
    "结婚登记需要什么材料",
    "你好",
    "驾照到期换证在哪里办",
    "新生儿医保怎么办理",
    "低保怎么申请",
    "营业执照多久能办好",
]

WEROBOT_APP = """
import werobot
robot = werobot.WeRoBot(token="bench-token")
@robot.filter("你好")
def hello():
    return "您好！"
@robot.text
def echo(message):
    return "收到：" + message.content
application = robot.wsgi
"""


def signed(port: int, slug_path: str, i: int, question: str) -> tuple[str, bytes]:
    ts, nonce = str(int(time.time())), f"n{i}"
    sig = hashlib.sha1("".join(sorted([TOKEN, ts, nonce])).encode()).hexdigest()
    q = {"signature": sig, "timestamp": ts, "nonce": nonce}
    body = (
        f"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[o-bench-{i % 50}]]>"
        f"</FromUserName><CreateTime>{ts}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{question}]]></Content><MsgId>{RUN_ID + i}</MsgId></xml>"
    ).encode()
    return f"http://127.0.0.1:{port}{slug_path}?{urlencode(q)}", body


def drive(port: int, path: str, n: int, threads: int) -> tuple[float, list[float], int]:
    lat: list[float] = []
    errors = 0
    lock = threading.Lock()
    counter = iter(range(n))

    def worker():
        nonlocal errors
        s = requests.Session()
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            url, body = signed(port, path, i, QUESTIONS[i % len(QUESTIONS)])
            t = time.perf_counter()
            r = s.post(url, data=body, headers={"Content-Type": "text/xml"}, timeout=10)
            d = (time.perf_counter() - t) * 1000
            with lock:
                lat.append(d)
                if r.status_code != 200 or b"<xml>" not in r.content:
                    errors += 1

    t0 = time.perf_counter()
    ts = [threading.Thread(target=worker) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return n / (time.perf_counter() - t0), lat, errors


def wait_up(port: int, path: str) -> None:
    for _ in range(200):
        try:
            requests.get(f"http://127.0.0.1:{port}{path}", timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise SystemExit(f"server on {port} did not start")


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100 * len(xs)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--full", action="store_true")
    ap.add_argument("--threads", type=int, default=4, help="client threads (concurrency)")
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers, both servers")
    ap.add_argument("--server-threads", type=int, default=1, help="gthread threads per worker")
    ap.add_argument("--worker-class", default="sync", help="gunicorn worker class, both servers")
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds per server")
    args = ap.parse_args()
    n = 3000 if args.full else 600
    tmp = Path(tempfile.mkdtemp(prefix="gh-bench-"))
    env = dict(
        os.environ,
        GOVHUB_MODE="demo",
        GOVHUB_VAR_DIR=str(tmp),
        GOVHUB_DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3",
        GOVHUB_JOBS_BACKEND="database",
        DJANGO_SETTINGS_MODULE="govhub.settings",
    )
    env.pop("GOVHUB_REDIS_URL", None)
    py = str(ROOT / ".venv" / "bin" / "python")
    setup = f'''
import django; django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from govhub.core.demo import build_core
from govhub.qa import demo
from govhub.channels.models import ChannelAccount
county = build_core(); demo.build(county)
ChannelAccount.objects.get_or_create(slug="bench", defaults=dict(platform="wechat", name="基准测试号",
    remote_id="gh_bench", department=county.dept("rmt"), callback_token="{TOKEN}", callback_mode="plain"))
'''
    print("preparing the demo database …", flush=True)
    subprocess.run([py, "-c", setup], env=env, check=True, cwd=ROOT)
    (tmp / "werobot_app.py").write_text(WEROBOT_APP, encoding="utf-8")
    gunicorn = str(ROOT / ".venv" / "bin" / "gunicorn")
    warm = "govhub.wsgi:application"
    servers = []
    serve = [
        gunicorn,
        "--workers",
        str(args.workers),
        "--worker-class",
        args.worker_class,
        "--threads",
        str(args.server_threads),
        "--preload",
        "--graceful-timeout",
        "3",
        "--no-control-socket",
        "--log-level",
        "warning",
    ]
    try:
        servers.append(
            subprocess.Popen([*serve, "-b", f"127.0.0.1:{GOVHUB_PORT}", warm], env=env, cwd=ROOT)
        )
        servers.append(
            subprocess.Popen(
                [*serve, "-b", f"127.0.0.1:{WEROBOT_PORT}", "werobot_app:application"], cwd=tmp
            )
        )
        wait_up(GOVHUB_PORT, "/wechat/callback/bench/")
        wait_up(WEROBOT_PORT, "/")
        # warm both (index build in every worker, imports) before measuring
        drive(GOVHUB_PORT, "/wechat/callback/bench/", 80, args.threads)
        drive(WEROBOT_PORT, "/", 80, args.threads)
        targets = [
            ("govhub", GOVHUB_PORT, "/wechat/callback/bench/"),
            ("werobot", WEROBOT_PORT, "/"),
        ]
        took = {name: 0.0 for name, _, _ in targets}
        lats: dict[str, list[float]] = {name: [] for name, _, _ in targets}
        errs = {name: 0 for name, _, _ in targets}
        per_round = max(1, n // args.rounds)
        for r in range(args.rounds):
            for name, port, path in targets if r % 2 == 0 else targets[::-1]:
                rate, lat, errors = drive(port, path, per_round, args.threads)
                took[name] += per_round / rate
                lats[name] += lat
                errs[name] += errors
        out = {}
        total = per_round * args.rounds
        for name, _, _ in targets:
            out[name] = total / took[name]
            lat = lats[name]
            print(
                f"{name:8s} {out[name]:8.1f} msg/s   p50 {statistics.median(lat):6.1f} ms"
                f"   p99 {pct(lat, 99):6.1f} ms   errors {errs[name]}/{total}"
            )
        print(
            f"govhub / werobot throughput: {out['govhub'] / out['werobot']:.2f}x "
            f"({args.workers} gunicorn {args.worker_class} workers x {args.server_threads} threads each, "
            f"{args.threads} client threads, {total} messages each in {args.rounds} alternating rounds)"
        )
    finally:
        for s in servers:
            s.terminate()
        for s in servers:
            try:
                s.wait(timeout=10)
            except subprocess.TimeoutExpired:
                s.kill()
    print("command: .venv/bin/python bench/wechat_callback.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()

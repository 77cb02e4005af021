"""The WeChat callback under load: govhub (gunicorn) against a minimal WeRoBot keyword bot.

Both servers run on loopback and get the same signed plain-mode text messages (each with a new
MsgId, so every one is processed: no retry short-cut). govhub runs with the demo knowledge base
(240 entries, keyword rules) on a throw-away SQLite database in a temp folder; the WeRoBot peer
answers a keyword or echoes (WeRoBot's defaults, so its per-user session is kept in SQLite, as
a bot written from its documentation does). Prints messages/s and p50/p99 latency for both.

The load comes from wrk (``--client wrk``, the default: a C client with a Lua script giving
every message its own MsgId, so the client's own CPU cost barely touches the servers' share of the
two cores); ``--client python`` uses the older requests-based client.

Fairness: the same client, the same
concurrency, and the same gunicorn command line for both servers (workers, worker class,
--preload). The default is sync workers: with gthread and fewer server threads than client
connections, idle keep-alive connections wait in gunicorn's poll loop, which costs a fast peer
far more than govhub (WeRoBot's p99 goes to ~2 s) and inflates the ratio; WeRoBot's default
SQLite session is not thread-safe, so more than one thread per worker makes it fail. The two servers are measured in alternating rounds, so a change in the load other
programs put on the machine hits both alike; the ratio is what to compare across runs.

    .venv/bin/python bench/wechat_callback.py            # 600 messages per server
    .venv/bin/python bench/wechat_callback.py --full     # 3,000 messages per server
    .venv/bin/python bench/wechat_callback.py --profile 2000   # govhub in-process, per message

``--profile N`` starts no server: it sends N of the same messages (same senders, same questions
in the same order as wrk) through govhub's WSGI application in one process and prints the CPU
time and SQL statements per message for each question, and with ``--profile-top K`` the K
costliest functions (cProfile, by own time).
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


WRK_SCRIPT = """
local n = 0
local id = 0
local qs = {%s}
setup = function(thread) thread:set("tid", id); id = id + 1 end
request = function()
  n = n + 1
  local i = tid * 10000000 + n
  local body = "<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[o-bench-"
    .. (i %% 50) .. "]]></FromUserName><CreateTime>%s</CreateTime><MsgType><![CDATA[text]]></MsgType>"
    .. "<Content><![CDATA[" .. qs[(n %% #qs) + 1] .. "]]></Content><MsgId>"
    .. string.format("%%d", %d + i)
    .. "</MsgId></xml>"
  return wrk.format("POST", nil, {["Content-Type"] = "text/xml"}, body)
end
done = function(summary, latency, requests)
  io.write(string.format("WRK %%d %%f %%f %%f\\n", summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
  io.write(string.format("ERR %%d %%d\\n", summary.errors.status, summary.errors.timeout))
end
"""


def drive_wrk(port: int, path: str, seconds: int, connections: int, tmp: Path, run: int):
    """messages/s, p50 ms, p99 ms and non-200 count with wrk (a C client: its own CPU cost is a
    small fraction of the Python client's, so the servers' cost decides the figures)."""
    ts = str(int(time.time()))
    nonce = f"w{run}"
    sig = hashlib.sha1("".join(sorted([TOKEN, ts, nonce])).encode()).hexdigest()
    qs = ",".join(f'"{q}"' for q in QUESTIONS)
    script = tmp / f"wrk_{port}_{run}.lua"
    script.write_text(WRK_SCRIPT % (qs, ts, RUN_ID + run * 100_000_000), encoding="utf-8")
    url = f"http://127.0.0.1:{port}{path}?" + urlencode(
        {"signature": sig, "timestamp": ts, "nonce": nonce}
    )
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("WRK "))
    _, count, secs, p50, p99 = line.split()
    err = next(x for x in out.splitlines() if x.startswith("ERR ")).split()
    return int(count) / float(secs), float(p50), float(p99), int(err[1]) + int(err[2])


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


PROFILE_SCRIPT = r"""
import cProfile, hashlib, io, pstats, statistics, sys, time
from urllib.parse import urlencode
import django; django.setup()
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test.utils import CaptureQueriesContext
QUESTIONS, TOKEN, N, TOP = %r, %r, %d, %d
app = WSGIHandler()

def push(i):
    ts, nonce = str(int(time.time())), f"p{i}"
    sig = hashlib.sha1("".join(sorted([TOKEN, ts, nonce])).encode()).hexdigest()
    body = (
        "<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[o-bench-"
        f"{i %% 50}]]></FromUserName><CreateTime>{ts}</CreateTime><MsgType><![CDATA[text]]>"
        f"</MsgType><Content><![CDATA[{QUESTIONS[i %% len(QUESTIONS)]}]]></Content>"
        f"<MsgId>{i + 7_000_000_000}</MsgId></xml>"
    ).encode()
    query = urlencode({"signature": sig, "timestamp": ts, "nonce": nonce})
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": "/wechat/callback/bench/", "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1", "CONTENT_TYPE": "text/xml",
        "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body), "wsgi.url_scheme": "http",
    }
    status = []
    out = b"".join(app(environ, lambda s, h, e=None: status.append(s)))
    if not status[0].startswith("200") or b"<xml>" not in out:
        raise SystemExit(f"message {i}: {status[0]} {out[:200]!r}")

for i in range(200):  # warm: index, caches, and the senders' conversations as under load
    push(i)
cpu = {q: [] for q in QUESTIONS}
sql = {q: [] for q in QUESTIONS}
for i in range(200, 200 + N):
    q = QUESTIONS[i %% len(QUESTIONS)]
    with CaptureQueriesContext(connection) as c:
        t = time.process_time()
        push(i)
        cpu[q].append(time.process_time() - t)
    sql[q].append(len([x for x in c.captured_queries if x["sql"] not in ("BEGIN", "COMMIT")]))
for q in QUESTIONS:
    print(f"  {q:12s} CPU median {statistics.median(cpu[q]) * 1e3:5.2f} ms   "
          f"SQL statements {statistics.mean(sql[q]):4.1f}")
total = sum(sum(v) for v in cpu.values())
print(f"  mean CPU per message {total / N * 1e3:.2f} ms (in-process, no HTTP server)")
if TOP:
    prof = cProfile.Profile()
    prof.enable()
    for i in range(300 + N, 300 + 2 * N):
        push(i)
    prof.disable()
    pstats.Stats(prof).sort_stats("tottime").print_stats(TOP)
"""


def profile(env: dict, py: str, n: int, top: int) -> None:
    """govhub alone, in one process: CPU and SQL per message for each question."""
    print(f"govhub in-process, {n} messages:", flush=True)
    code = PROFILE_SCRIPT % (QUESTIONS, TOKEN, n, top)
    subprocess.run([py, "-c", code], env=env, check=True, cwd=ROOT)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--full", action="store_true")
    ap.add_argument("--threads", type=int, default=4, help="client threads (concurrency)")
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers, both servers")
    ap.add_argument("--server-threads", type=int, default=1, help="gthread threads per worker")
    ap.add_argument("--worker-class", default="sync", help="gunicorn worker class, both servers")
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds per server")
    ap.add_argument(
        "--client", choices=["wrk", "python"], default="wrk", help="load generator, both servers"
    )
    ap.add_argument("--seconds", type=int, default=10, help="wrk: seconds per round")
    ap.add_argument(
        "--profile", type=int, default=0, metavar="N", help="govhub in-process only, N messages"
    )
    ap.add_argument("--profile-top", type=int, default=0, metavar="K", help="with --profile")
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
    if args.profile:
        profile(env, py, args.profile, args.profile_top)
        return
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
        if args.client == "wrk":
            rates: dict[str, list[float]] = {name: [] for name, _, _ in targets}
            tails: dict[str, list[tuple[float, float]]] = {name: [] for name, _, _ in targets}
            for r in range(args.rounds):
                for name, port, path in targets if r % 2 == 0 else targets[::-1]:
                    rate, p50, p99, bad = drive_wrk(port, path, args.seconds, args.threads, tmp, r)
                    rates[name].append(rate)
                    tails[name].append((p50, p99))
                    errs[name] += bad
            for name, _, _ in targets:
                out_rate = statistics.median(rates[name])
                p50 = statistics.median(t[0] for t in tails[name])
                p99 = statistics.median(t[1] for t in tails[name])
                print(
                    f"{name:8s} {out_rate:8.1f} msg/s   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms"
                    f"   non-200 {errs[name]}   (rounds: "
                    + ", ".join(f"{x:.0f}" for x in rates[name])
                    + ")"
                )
                took[name] = out_rate
            print(
                f"govhub / werobot throughput: {took['govhub'] / took['werobot']:.2f}x "
                f"(wrk -t1 -c{args.threads}, {args.seconds} s x {args.rounds} alternating rounds, "
                f"median; {args.workers} gunicorn {args.worker_class} workers x "
                f"{args.server_threads} threads each)"
            )
            return
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

"""A realistic mix on loopback, through the deployed stack: nginx (deploy/nginx.conf, rendered with
this bench's paths) in front of gunicorn (deploy/gunicorn.conf.py) and a `govhub worker`, driven
by wrk — one wrk per kind of request, each with a Lua script, paced to a target rate (wrk's
``delay()``; a rate of 0 means as fast as the connections go):

    portal        anonymous published pages (home, columns, articles), standard
    portal-elder  the same pages in 长者模式 (cookie gh_elder=1)
    portal-hant   the same pages in 繁體 (cookie gh_script=hant)
    search        /search/?q=… (a dozen everyday queries)
    letters       POST /letters/write/ (the portal form: CSRF, a fresh idempotency token each,
                  letter texts from ../shared/data/letters/labelled_letters.csv when present)
    wechat        signed plain-mode text messages to /wechat/callback/loadbench/ (new MsgId each)
    staff         the letters work queue (/admin/letters/ tabs) with a dispatcher's session

Prints per kind: target and achieved req/s, p50/p99/max, errors (non-2xx/3xx and socket
errors), then the letters found in the database (accepted/s), and the command.

Databases: ``--db sqlite`` uses the demo county in ``var/bench`` (GOVHUB_VAR_DIR); ``--db pg``
the demo county in PostgreSQL (``--database-url``, default a private cluster on port 5499) with
Redis (``--redis-url``, default a private redis-server on 6399) for cache, sessions' rate limits
and the job queue, as in production. Build a demo once per database:

    GOVHUB_VAR_DIR=var/bench govhub migrate && GOVHUB_VAR_DIR=var/bench govhub demo
    GOVHUB_VAR_DIR=var/benchpg GOVHUB_DATABASE_URL=postgres://postgres@127.0.0.1:5499/gh_load \\
        govhub migrate && … govhub demo

Run (60 s by default; the issue's 10-minute run is ``--duration 600``):

    .venv/bin/python bench/load.py --db sqlite
    .venv/bin/python bench/load.py --db pg --duration 600
    .venv/bin/python bench/load.py --db pg --only letters --rate letters=0 --conns letters=16

``--profile N`` starts no server: it posts N letters through the portal form in this process
(Django's test client, the same database) and prints the CPU time and SQL statements per letter
and pyinstrument's tree of where the time goes — a figure the other engineers' load does not
blur, since it counts this process's CPU only:

    .venv/bin/python bench/load.py --db pg --profile 30

The per-address rate limits are lifted in the served application (bench/load_wsgi.py): every
simulated citizen comes from 127.0.0.1. Ports 18020 (nginx), 18021 (gunicorn), 18022.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import http.cookiejar
import os
import random
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
NGINX_PORT, APP_PORT, RAW_PORT = 18020, 18021, 18022
BASE = f"http://127.0.0.1:{NGINX_PORT}"
WECHAT_SLUG, WECHAT_TOKEN = "loadbench", "loadbench-token"
DATA = ROOT.parent.parent / "shared" / "data" / "letters" / "labelled_letters.csv"
if not DATA.exists():
    DATA = Path("/work/shared/data/letters/labelled_letters.csv")
BIN = Path(sys.executable).parent

# kind → (target req/s, connections); --rate / --conns override, --scale multiplies the rates
MIX: dict[str, tuple[float, int]] = {
    "portal": (1500, 8),
    "portal-elder": (500, 4),
    "portal-hant": (500, 4),
    "search": (10, 2),
    "letters": (40, 8),
    "wechat": (20, 4),
    "staff": (5, 2),
}
SEARCHES = ["公积金 提取", "低保", "营业执照", "医保 缴费", "居住证", "养老保险", "招聘",
            "财政预算", "防汛", "义务教育 入学", "不动产 登记", "驾驶证"]  # fmt: skip
QUESTIONS = ["怎么办理居住证", "公积金怎么提取", "结婚登记需要什么材料", "你好",
             "新生儿医保怎么办理", "低保怎么申请", "营业执照多久能办好"]  # fmt: skip


def database_env(args) -> dict[str, str]:
    """The environment every process of the stack (and this one) runs with."""
    env = {"GOVHUB_SITE_URL": BASE, "GOVHUB_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}
    if args.db == "pg":
        env["GOVHUB_VAR_DIR"] = str(Path(args.var or ROOT / "var" / "benchpg").resolve())
        env["GOVHUB_DATABASE_URL"] = args.database_url
        env["GOVHUB_REDIS_URL"] = args.redis_url
    else:
        env["GOVHUB_VAR_DIR"] = str(Path(args.var or ROOT / "var" / "bench").resolve())
        env["GOVHUB_DATABASE_URL"] = "sqlite:///" + env["GOVHUB_VAR_DIR"] + "/govhub.sqlite3"
    return env


def add_stack_arguments(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--db", choices=["sqlite", "pg"], default="sqlite")
    ap.add_argument("--var", default="", help="GOVHUB_VAR_DIR of the demo county")
    ap.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5499/gh_load")
    ap.add_argument("--redis-url", default="redis://127.0.0.1:6399/0")
    ap.add_argument("--workers", type=int, default=4, help="gunicorn workers (2 × cores)")


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhub.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


@dataclass
class Fixture:
    """What the load needs from the database: pages, a WeChat account, a staff session."""

    pages: list[str]
    session: str
    letters: list[tuple[str, str]] = field(default_factory=list)


def prepare() -> Fixture:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from wagtail.models import Page

    from govhub.channels.models import ChannelAccount
    from govhub.core.models import Department
    from govhub.portal import publish

    if not Page.objects.filter(depth__gt=2).live().exists():
        raise SystemExit("no demo county here: run `govhub migrate && govhub demo` (see --help)")
    if not (Path(os.environ["GOVHUB_VAR_DIR"]) / "static" / "portal").exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    if not publish.files_current() or not publish.variant_root("elder").exists():
        print("publishing the site (every variant) …", flush=True)
        publish.publish_all()
    pages = []
    for url in ["/"] + [
        publish._page_url(p) for p in Page.objects.live().filter(depth__gt=2).order_by("path")
    ]:
        if url and publish.file_for(url) and publish.file_for(url).exists():
            pages.append(url)
    county = Department.objects.filter(level="county").first()
    ChannelAccount.objects.update_or_create(
        slug=WECHAT_SLUG,
        defaults=dict(
            platform="wechat",
            name="压力测试号",
            remote_id="gh_loadbench",
            department=county,
            callback_token=WECHAT_TOKEN,
            callback_mode="plain",
        ),
    )
    archive_earlier_runs()
    user = get_user_model().objects.get(username="dispatcher")
    client = Client()
    client.force_login(user)
    return Fixture(pages=pages[:300], session=client.cookies["sessionid"].value, letters=texts())


def archive_earlier_runs() -> None:
    """Letters of earlier runs become the county's archive (closed, routed): tens of thousands
    of letters still waiting for dispatch are no county's morning, and would make the
    dispatchers' queue — part of the load — slower at every run."""
    from django.utils import timezone

    from govhub.letters.models import Letter, Status

    earlier = Letter.objects.filter(idempotency_key__regex=r"^portal:[0-9]+-").exclude(
        status=Status.CLOSED
    )
    n = earlier.update(status=Status.CLOSED, routed_at=timezone.now())
    if n:
        print(f"{n} letters of earlier runs closed (the county's archive)", flush=True)


def texts(n: int = 200) -> list[tuple[str, str]]:
    """Letter subjects and texts: real citizens' messages when the shared data is here."""
    if DATA.exists():
        with DATA.open(encoding="utf-8") as fh:
            rows = [r for r in csv.DictReader(fh) if r["text"].strip()]
        random.Random(7).shuffle(rows)
        return [(r["subject"][:60], r["text"][:2000]) for r in rows[:n]]
    print(f"note: {DATA} absent, synthetic letter texts")
    return [
        (
            f"关于小区路灯损坏的反映{i}",
            f"我们小区{i}号楼前的路灯坏了一个多月，晚上出行不便，请尽快维修。",
        )
        for i in range(n)
    ]


# ---------------------------------------------------------------- the stack


class Stack:
    """nginx + gunicorn + `govhub worker`, on the demo county of ``env``."""

    def __init__(self, env: dict[str, str], workers: int = 4) -> None:
        self.env = {**os.environ, **env}
        self.workers = workers
        self.work = Path(tempfile.mkdtemp(prefix="gh-load-"))
        self.work.chmod(0o755)
        (self.work / "nginx-tmp").mkdir()
        (self.work / "raw").mkdir()
        self.procs: dict[str, subprocess.Popen] = {}

    def nginx_conf(self) -> Path:
        var = Path(self.env["GOVHUB_VAR_DIR"])
        for sub in ("published", "static", "media", "private"):
            (var / sub).mkdir(parents=True, exist_ok=True)
        conf = (
            (ROOT / "deploy" / "nginx.conf")
            .read_text()
            .replace("__VAR__/published", str(var / "published"))
            .replace("__VAR__/static/", str(var / "static") + "/")
            .replace("__VAR__/media/", str(var / "media") + "/")
            .replace("__VAR__/private/", str(var / "private") + "/")
            .replace("__VAR__/raw", str(self.work / "raw"))
            .replace("__VAR__", str(self.work))
            .replace("__APP__", f"127.0.0.1:{APP_PORT}")
            .replace("__LISTEN_RAW__", f"127.0.0.1:{RAW_PORT}")
            .replace("__LISTEN__", f"127.0.0.1:{NGINX_PORT}")
        )
        path = self.work / "nginx.conf"
        path.write_text(conf)
        return path

    def start(self) -> None:
        conf = self.nginx_conf()
        self.procs["nginx"] = subprocess.Popen(
            ["nginx", "-c", str(conf), "-p", str(self.work), "-g", "daemon off;"]
        )
        self.start_gunicorn()
        self.start_worker()
        wait_for(f"http://127.0.0.1:{APP_PORT}/healthz", timeout=300)
        wait_for(BASE + "/")

    def start_gunicorn(self) -> None:
        log = (self.work / "gunicorn.log").open("ab")
        self.procs["gunicorn"] = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "bench.load_wsgi:application",
             "--bind", f"127.0.0.1:{APP_PORT}", "--workers", str(self.workers),
             "--log-level", "warning", "--timeout", "60"],
            cwd=ROOT, env=self.env, stdout=log, stderr=log,
        )  # fmt: skip

    def start_worker(self) -> None:
        log = (self.work / "worker.log").open("ab")
        self.procs["worker"] = subprocess.Popen(
            [str(BIN / "python"), "-m", "govhub", "worker", "--interval", "0.2"],
            cwd=ROOT, env=self.env, stdout=log, stderr=log,
        )  # fmt: skip

    def web_worker_pids(self) -> list[int]:
        out = subprocess.run(
            ["pgrep", "-P", str(self.procs["gunicorn"].pid)], capture_output=True, text=True
        ).stdout
        return [int(x) for x in out.split()]

    def stop(self) -> None:
        for p in self.procs.values():
            if p.poll() is None:
                p.terminate()
        for p in self.procs.values():
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()

    def logs(self, name: str, tail: int = 3000) -> str:
        path = self.work / f"{name}.log"
        return path.read_text(errors="replace")[-tail:] if path.exists() else ""


def wait_for(url: str, timeout: float = 90) -> None:
    end = time.time() + timeout
    while time.time() < end:
        try:
            urllib.request.urlopen(url, timeout=3).read()
            return
        except Exception:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer")


def csrf_token() -> str:
    """A CSRF cookie from the letter form, as a browser gets one (reused by every post)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(BASE + "/letters/write/", timeout=30).read()
    for c in jar:
        if c.name == "csrftoken":
            return c.value
    raise SystemExit("no csrftoken cookie from /letters/write/")


# ---------------------------------------------------------------- wrk


def lua_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def lua_list(items: list[str]) -> str:
    return "{" + ",".join(lua_str(i) for i in items) + "}"


LUA_COMMON = """
local n = 0
local tid = 0
local next_tid = 1
setup = function(thread) thread:set("tid", next_tid); next_tid = next_tid + 1 end
delay = function() return %(delay)d end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %%d %%f %%f %%f %%f %%d %%d\\n", summary.requests,
    summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.status, e.connect + e.read + e.write + e.timeout))
end
"""

LUA_GET = """
local paths = %(paths)s
local headers = %(headers)s
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1], headers)
end
"""

LUA_LETTER = """
local subjects = %(subjects)s
local bodies = %(bodies)s
local headers = {["Content-Type"] = "application/x-www-form-urlencoded",
                 ["Cookie"] = "csrftoken=%(csrf)s"}
request = function()
  n = n + 1
  local k = (n %% #bodies) + 1
  local body = "csrfmiddlewaretoken=%(csrf)s&token=%(run)s-" .. tid .. "-" .. n
    .. "&subject=" .. subjects[k] .. "&content=" .. bodies[k]
    .. "&name=%%E5%%BC%%A0%%E5%%85%%88%%E7%%94%%9F&phone=139" .. string.format("%%08d", (tid * 1000003 + n) %% 100000000)
    .. "&publish_consent=on"
  return wrk.format("POST", "/letters/write/", headers, body)
end
"""

LUA_WECHAT = """
local questions = %(questions)s
-- one signed address per minute of the run: WeChat's timestamp is refused once it is stale
local paths, stamps, started = %(paths)s, %(stamps)s, %(ts)s
local headers = {["Content-Type"] = "text/xml"}
request = function()
  n = n + 1
  local i = tid * 10000000 + n
  local minute = math.min(math.floor((os.time() - started) / 60), #paths - 1) + 1
  local body = "<xml><ToUserName><![CDATA[gh_loadbench]]></ToUserName><FromUserName><![CDATA[o-load-"
    .. (i %% 500) .. "]]></FromUserName><CreateTime>" .. stamps[minute] .. "</CreateTime><MsgType><![CDATA[text]]>"
    .. "</MsgType><Content><![CDATA[" .. questions[(n %% #questions) + 1] .. "]]></Content><MsgId>"
    .. string.format("%%d", %(msgbase)d + i) .. "</MsgId></xml>"
  return wrk.format("POST", paths[minute], headers, body)
end
"""


@dataclass
class Result:
    kind: str
    target: float
    conns: int
    requests: int = 0
    seconds: float = 0.0
    p50: float = 0.0
    p99: float = 0.0
    max: float = 0.0
    status_errors: int = 0
    socket_errors: int = 0
    raw: str = ""

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        return self.status_errors + self.socket_errors


def lua_for(kind: str, fx: Fixture, csrf: str, run: str, delay_ms: int, seconds: int = 60) -> str:
    common = LUA_COMMON % {"delay": delay_ms}
    if kind.startswith("portal"):
        cookie = {"portal": "", "portal-elder": "gh_elder=1", "portal-hant": "gh_script=hant"}
        headers = "{" + (f'["Cookie"] = "{cookie[kind]}"' if cookie[kind] else "") + "}"
        return common + LUA_GET % {"paths": lua_list(fx.pages), "headers": headers}
    if kind == "search":
        paths = ["/search/?" + urlencode({"q": q}) for q in SEARCHES]
        return common + LUA_GET % {"paths": lua_list(paths), "headers": "{}"}
    if kind == "staff":
        paths = STAFF_PATHS
        headers = f'{{["Cookie"] = "sessionid={fx.session}"}}'
        return common + LUA_GET % {"paths": lua_list(paths), "headers": headers}
    if kind == "letters":
        return common + LUA_LETTER % {
            "subjects": lua_list([quote(s) for s, _ in fx.letters]),
            "bodies": lua_list([quote(b) for _, b in fx.letters]),
            "csrf": csrf,
            "run": run,
        }
    if kind == "wechat":
        started, nonce = int(time.time()), f"lb{run}"
        stamps = [str(started + 60 * k) for k in range(seconds // 60 + 3)]
        paths = []
        for ts in stamps:
            sig = hashlib.sha1("".join(sorted([WECHAT_TOKEN, ts, nonce])).encode()).hexdigest()
            paths.append(
                f"/wechat/callback/{WECHAT_SLUG}/?"
                + urlencode({"signature": sig, "timestamp": ts, "nonce": nonce})
            )
        return common + LUA_WECHAT % {
            "questions": lua_list(QUESTIONS),
            "ts": started,
            "stamps": lua_list(stamps),
            "paths": lua_list(paths),
            "msgbase": int(run) * 1_000_000_000 % 9_000_000_000_000_000,
        }
    raise ValueError(kind)


def start_wrk(kind: str, target: float, conns: int, seconds: int, script: Path):
    cmd = ["wrk", "-t1", f"-c{conns}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script), BASE]
    return cmd, subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def parse_wrk(kind: str, target: float, conns: int, out: str) -> Result:
    res = Result(kind, target, conns, raw=out)
    m = re.search(r"^WRK (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) (\S+)$", out, re.M)
    if m:
        res.requests, res.seconds = int(m[1]), float(m[2])
        res.p50, res.p99, res.max = float(m[3]), float(m[4]), float(m[5])
        res.status_errors, res.socket_errors = int(m[6]), int(m[7])
    return res


STAFF_PATHS = ["/admin/letters/", "/admin/letters/?tab=all", "/admin/letters/?tab=supervise"]


def warm_up(fx: Fixture, workers: int) -> None:
    """Each page kind a few times per web worker before the clock starts: a worker's first
    staff page compiles Wagtail's admin templates (~0.5 s), which is start-up, not load."""
    opener = urllib.request.build_opener()
    opener.addheaders = [("Cookie", f"sessionid={fx.session}")]
    paths = STAFF_PATHS + ["/letters/write/", "/search/?" + urlencode({"q": SEARCHES[0]})]
    for _ in range(2 * workers):
        for path in paths:
            opener.open(BASE + path, timeout=60).read()


def run_mix(fx: Fixture, kinds: dict[str, tuple[float, int]], seconds: int, run: str, work: Path):
    """Start one wrk per kind at once; wait; return their results."""
    csrf = csrf_token() if "letters" in kinds else ""
    running = []
    for kind, (target, conns) in kinds.items():
        delay_ms = int(conns * 1000 / target) if target > 0 else 0
        script = work / f"{kind}.lua"
        script.write_text(lua_for(kind, fx, csrf, run, delay_ms, seconds), encoding="utf-8")
        cmd, proc = start_wrk(kind, target, conns, seconds, script)
        running.append((kind, target, conns, proc))
    results = []
    for kind, target, conns, proc in running:
        out, err = proc.communicate()
        res = parse_wrk(kind, target, conns, out)
        if not res.seconds:
            print(f"wrk {kind} failed: {err[-500:]}")
        results.append(res)
    return results


def letters_of_run(run: str, *, unrouted: bool = False) -> int:
    from govhub.letters.models import Letter

    found = Letter.objects.filter(idempotency_key__startswith=f"portal:{run}-")
    return found.filter(routed_at__isnull=True).count() if unrouted else found.count()


def routing_lag(run: str, limit: float = 600) -> tuple[int, float]:
    """After the load: how long the job worker (niced below the web workers) takes to route the
    run's letters still waiting — (letters waiting when the load ended, seconds to route them)."""
    from django.db import connection

    started = time.monotonic()
    waiting = left = letters_of_run(run, unrouted=True)
    while left and time.monotonic() - started < limit:
        time.sleep(1)
        left = letters_of_run(run, unrouted=True)
    connection.close()
    return waiting, (time.monotonic() - started) if not left else float("inf")


def print_results(results: list[Result], seconds: int, title: str) -> None:
    print(title)
    print(f"{'kind':<14}{'conns':>6}{'target/s':>10}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}"
          f"{'max ms':>9}{'errors':>8}{'requests':>10}")  # fmt: skip
    for r in results:
        target = f"{r.target:.0f}" if r.target else "max"
        print(f"{r.kind:<14}{r.conns:>6}{target:>10}{r.rate:>10.1f}{r.p50:>9.1f}{r.p99:>9.1f}"
              f"{r.max:>9.0f}{r.errors:>8}{r.requests:>10}")  # fmt: skip


def parse_overrides(items: list[str], cast) -> dict[str, float]:
    out = {}
    for item in items:
        k, _, v = item.partition("=")
        if k not in MIX:
            raise SystemExit(f"unknown kind {k!r}: one of {', '.join(MIX)}")
        out[k] = cast(v)
    return out


def profile_letters(n: int, fx: Fixture) -> None:
    """CPU time, statements and pyinstrument's tree for ``n`` letters posted in-process."""
    import secrets

    from django.db import connection
    from django.test import Client
    from pyinstrument import Profiler

    import bench.load_wsgi  # noqa: F401  (the same lifted rate limits as the served app)

    client = Client()

    def post(i: int) -> None:
        subject, content = fx.letters[i % len(fx.letters)]
        r = client.post("/letters/write/", {"token": secrets.token_hex(12), "subject": subject,
                        "content": content, "phone": f"139{i:08d}", "name": "张先生"})  # fmt: skip
        assert r.status_code == 200, r.status_code

    post(0)  # warm: templates, router model, caches
    statements: list[str] = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        post(1)
    # first without the profiler (its own overhead doubles the figure under contention)
    plain = time.process_time()
    for i in range(n):
        post(2 + n + i)
    plain = (time.process_time() - plain) / n
    profiler = Profiler()
    cpu, wall = time.process_time(), time.perf_counter()
    profiler.start()
    for i in range(n):
        post(2 + i)
    profiler.stop()
    cpu, wall = (time.process_time() - cpu) / n, (time.perf_counter() - wall) / n
    print(profiler.output_text(unicode=True, color=False))
    print(f"{n} letters through the portal form in one process: {plain * 1000:.1f} ms CPU each "
          f"without the profiler ({cpu * 1000:.1f} ms CPU and {wall * 1000:.1f} ms wall under "
          f"it; the database server's own CPU not included), {len(statements)} SQL statements "
          f"each; one core would accept about {1 / plain:.0f}/s")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_stack_arguments(ap)
    ap.add_argument("--duration", type=int, default=60, help="seconds (600 for the 10-min run)")
    ap.add_argument("--only", nargs="*", default=[], help="only these kinds")
    ap.add_argument("--rate", nargs="*", default=[], help="kind=req/s (0: as fast as possible)")
    ap.add_argument("--conns", nargs="*", default=[], help="kind=connections")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every target rate")
    ap.add_argument("--profile", type=int, default=0, help="profile N letters in-process")
    args = ap.parse_args()
    for tool in ("nginx", "wrk"):
        if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists():
            raise SystemExit(f"{tool} missing: `make system-packages` installs it")
    env = database_env(args)
    setup_django(env)
    rates, conns = parse_overrides(args.rate, float), parse_overrides(args.conns, int)
    kinds = {
        k: (rates.get(k, rate * args.scale), conns.get(k, c))
        for k, (rate, c) in MIX.items()
        if not args.only or k in args.only
    }
    fx = prepare()
    if args.profile:
        profile_letters(args.profile, fx)
        print("command: " + shlex.join([".venv/bin/python", "bench/load.py", *sys.argv[1:]]))
        return
    stack = Stack(env, args.workers)
    run = str(int(time.time()))
    try:
        stack.start()
        warm_up(fx, args.workers)
        results = run_mix(fx, kinds, args.duration, run, stack.work)
        lag = routing_lag(run) if "letters" in kinds else (0, 0.0)
    finally:
        stack.stop()
        errors = stack.logs("gunicorn", 1500)
        shutil.rmtree(stack.work, ignore_errors=True)
    from django.db import connection

    connection.close()
    accepted = letters_of_run(run)
    print_results(
        results,
        args.duration,
        f"govhub under a mixed load, {args.duration} s, {args.db}"
        + (" + Redis" if args.db == "pg" else "")
        + f", gunicorn {args.workers} sync workers behind nginx, all on this machine's "
        f"{os.cpu_count()} cores",
    )
    if "letters" in kinds:
        posted = next(r for r in results if r.kind == "letters")
        print(
            f"letters accepted (in the database): {accepted} = {accepted / args.duration:.1f}/s; "
            f"letter p50 {posted.p50:.0f} ms, p99 {posted.p99:.0f} ms; "
            f"answered 2xx {posted.requests - posted.status_errors}"
        )
        print(
            f"routing: {lag[0]} letters still waiting for the router when the load ended, all "
            f"routed {lag[1]:.0f} s later (the job worker runs at nice {os.environ.get('GOVHUB_WORKER_NICE', 19)})"
        )
    if any(r.errors for r in results) and errors.strip():
        print("gunicorn log tail:\n" + errors)
    print("command: " + shlex.join([".venv/bin/python", "bench/load.py", *sys.argv[1:]]))


if __name__ == "__main__":
    main()

"""CPU time of one citizen letter in the web worker, measured in this process — a figure the
other engineers' load on the shared machine does not blur (``time.process_time`` counts this
process only; the database server's and Redis's own CPU is not included).

Each round posts N letters through the portal form (``POST /letters/write/``) with Django's
test client enforcing CSRF as in production (the cookie from a GET of the form, the token in
the body), each a fresh idempotency token, and GETs the form N times; it prints the CPU per
request of each round, then the mean ± spread (half the range) over the rounds. ``--cprofile``
adds cProfile's top list (CPU time) for the POST, cumulative and own.

    GOVHUB_VAR_DIR=var/peakpg GOVHUB_DATABASE_URL=postgres://postgres@127.0.0.1:5432/gh_peak_bench \\
    GOVHUB_REDIS_URL=redis://127.0.0.1:6379/9 GOVHUB_CACHE_PREFIX=peak \\
        .venv/bin/python bench/letter_cpu.py --letters 200 --rounds 5 [--cprofile 25]

``--compare A B …`` alternates short rounds between checkouts of the code (say ``git archive``
exports of two commits), one warm process each, and prints each one's figure and its paired
difference from the first — the way to see a cut of a few per cent on a shared machine:

    .venv/bin/python bench/letter_cpu.py --compare /tmp/before /tmp/after --letters 50 --rounds 30

The per-address rate limits are lifted as in bench/load_wsgi.py (still counted).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import secrets
import shlex
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
FORM = "application/x-www-form-urlencoded"  # as a browser (and bench/load.py's wrk) posts it


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhub.settings")
    os.environ.setdefault("GOVHUB_LOG_LEVEL", "WARNING")
    if str(ROOT) not in sys.path:  # PYTHONPATH may name another checkout to compare with
        sys.path.append(str(ROOT))
    import django

    django.setup()


def summary(values: list[float]) -> str:
    mean = statistics.fmean(values)
    return f"{mean:.2f} ± {(max(values) - min(values)) / 2:.2f} ms"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--letters", type=int, default=200, help="letters (and form GETs) per round")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--cprofile", type=int, default=0, help="profile N more letters with cProfile")
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument(
        "--compare", nargs="+", default=[], metavar="CHECKOUT",
        help="alternate rounds between these checkouts' code (one warm process each)",
    )  # fmt: skip
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.compare:
        return compare(args)
    setup()
    from django.db import connection
    from django.test import Client

    import bench.load_wsgi  # noqa: F401  (the lifted rate limits)
    from bench.load import texts

    letters = texts()
    client = Client(enforce_csrf_checks=True)
    page = client.get("/letters/write/")
    assert page.status_code == 200, page.status_code
    csrf = client.cookies["csrftoken"].value
    run = f"cpu{int(time.time())}"
    counter = iter(range(10**9))

    # the bodies encoded once, as wrk's are: the client's own work stays out of the figure
    bodies = [
        urlencode({"csrfmiddlewaretoken": csrf, "subject": subject, "content": content,
                   "name": "张先生", "publish_consent": "on"})
        for subject, content in letters
    ]  # fmt: skip

    def post() -> None:
        i = next(counter)
        body = f"{bodies[i % len(bodies)]}&token={run}-{i}-{secrets.token_hex(4)}&phone=139{i:08d}"
        r = client.post("/letters/write/", body, content_type=FORM)
        assert r.status_code == 200 and b"tracking-code" in r.content, r.status_code
        # the browser drops the page's cookies it does not send again
        client.cookies.pop("gh_letters", None)

    def get() -> None:
        r = client.get("/letters/write/")
        assert r.status_code == 200, r.status_code

    for _ in range(5):  # warm: templates, caches, the connection
        post()
        get()
    statements: list[str] = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        post()
    n_post = len(statements)
    statements.clear()
    with connection.execute_wrapper(count):
        get()
    n_get = len(statements)

    def measure(n: int) -> tuple[float, float]:
        t = time.process_time()
        for _ in range(n):
            post()
        p = (time.process_time() - t) * 1000 / n
        t = time.process_time()
        for _ in range(n):
            get()
        return p, (time.process_time() - t) * 1000 / n

    if args.serve:  # --compare's child: a round per line read
        print(f"ready {n_post} {n_get}", flush=True)
        for _line in sys.stdin:
            print(" ".join(map(str, measure(args.letters))), flush=True)
        return
    posts, gets = [], []
    for k in range(args.rounds):
        p, g = measure(args.letters)
        posts.append(p)
        gets.append(g)
        print(f"round {k + 1}: POST {posts[-1]:.2f} ms CPU, GET {gets[-1]:.2f} ms CPU", flush=True)
    print(
        f"CPU per request over {args.rounds} rounds of {args.letters}: "
        f"letter POST {summary(posts)} ({n_post} SQL statements), "
        f"form GET {summary(gets)} ({n_get} SQL statements)"
    )
    if args.cprofile:
        prof = cProfile.Profile(time.process_time)  # CPU, not waits
        prof.enable()
        for _ in range(args.cprofile):
            post()
        prof.disable()
        for key in ("cumulative", "tottime"):
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats(key).print_stats(args.top)
            text = re.sub(r"/\S*/site-packages/", "", out.getvalue())
            print(text.replace(str(ROOT) + "/", ""))
    print("command: " + shlex.join([".venv/bin/python", "bench/letter_cpu.py", *sys.argv[1:]]))


def compare(args) -> None:
    """One warm process per checkout (its code on PYTHONPATH, this database and cache), asked for
    a round in turn, the order rotating: the other engineers' load, which changes by the minute,
    falls on every checkout alike. Prints each checkout's mean ± spread and its difference from
    the first checkout, round by round (paired)."""
    import subprocess

    children = []
    for checkout in args.compare:
        env = {**os.environ, "PYTHONPATH": str(Path(checkout).resolve())}
        cmd = [sys.executable, __file__, "--serve", "--letters", str(args.letters)]
        proc = subprocess.Popen(cmd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                text=True)  # fmt: skip
        ready = proc.stdout.readline().split()
        if not ready or ready[0] != "ready":
            raise SystemExit(f"{checkout}: the bench did not start")
        children.append((checkout, proc, ready[1:]))
    results: dict[str, list[tuple[float, float]]] = {c: [] for c, _, _ in children}
    try:
        for k in range(args.rounds):
            order = children[k % len(children) :] + children[: k % len(children)]
            for checkout, proc, _ in order:
                proc.stdin.write("round\n")
                proc.stdin.flush()
                p, g = map(float, proc.stdout.readline().split())
                results[checkout].append((p, g))
            line = "  ".join(f"{results[c][-1][0]:.2f}/{results[c][-1][1]:.2f}" for c in results)
            print(f"round {k + 1} (POST/GET ms CPU per checkout): {line}", flush=True)
    finally:
        for _, proc, _ in children:
            proc.stdin.close()
            proc.wait()
    first = results[children[0][0]]
    print(
        f"CPU per request, {args.rounds} alternating rounds of {args.letters} letters and form GETs:"
    )
    for checkout, _, statements in children:
        rows = results[checkout]
        posts, gets = [r[0] for r in rows], [r[1] for r in rows]
        d_post = [r[0] - f[0] for r, f in zip(rows, first, strict=True)]
        d_get = [r[1] - f[1] for r, f in zip(rows, first, strict=True)]
        print(f"  {checkout}: POST {summary(posts)} ({statements[0]} statements), "
              f"GET {summary(gets)} ({statements[1]} statements); against the first: "
              f"POST {summary(d_post)}, GET {summary(d_get)}")  # fmt: skip
    print("command: " + shlex.join([".venv/bin/python", "bench/letter_cpu.py", *sys.argv[1:]]))


if __name__ == "__main__":
    main()

"""Schemathesis over the whole OpenAPI document (/api/openapi.json) of a served demo county,
anonymously and with an API token of every staff role. Prints the cases tried per role and the
5xx count; exits 1 on any 5xx (each printed with its request and the server's traceback).

The demo county is built once into ``--source`` (default var/bench-demo: `govhub migrate` and
`govhub demo`, a few minutes), copied to a scratch directory for each run (the fuzzer's writes,
deletions included, never reach the source) and served by gunicorn on loopback.

    .venv/bin/python bench/fuzz.py [--examples 25] [--roles anonymous,editor,...] [--port 18030]

Each operation gets ``--examples`` positive cases (valid by the schema) and as many negative
ones (wrong types, out-of-range values, unknown fields) per role.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

SLOW: Counter = Counter()  # seconds spent per operation, over all roles
ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# every staff role of the demo county: (label, login); rsj_reviewer is a bureau's reviewer
ROLES = [
    ("anonymous", None),
    ("editor", "editor"),
    ("reviewer", "reviewer"),
    ("signer", "signer"),
    ("dispatcher", "dispatcher"),
    ("handler", "handler"),
    ("bureau-reviewer", "rsj_reviewer"),
    ("supervisor", "supervisor"),
    ("admin", "admin"),
]


def _env(var: Path, port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(ROOT),
        GOVHUB_MODE="demo",
        GOVHUB_DATABASE_URL=f"sqlite:///{var}/demo.sqlite3",
        GOVHUB_VAR_DIR=str(var),
        GOVHUB_SITE_URL=f"http://127.0.0.1:{port}",
        GOVHUB_LOG_LEVEL="WARNING",
    )
    return env


def build_source(source: Path) -> None:
    """The demo county, built once and reused by later runs."""
    if (source / "demo.sqlite3").exists():
        return
    source.mkdir(parents=True, exist_ok=True)
    env = _env(source, 0)
    print(f"building the demo county into {source} (once) …", flush=True)
    for args in (["migrate", "--noinput", "-v0"], ["demo"]):
        subprocess.run(
            [PYTHON, "-m", "govhub", *args], env=env, check=True, stdout=subprocess.DEVNULL
        )


def copy_source(source: Path, scratch: Path) -> None:
    import sqlite3

    scratch.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(source / "demo.sqlite3")
    dst = sqlite3.connect(scratch / "demo.sqlite3")
    src.backup(dst)
    src.close()
    dst.close()
    for sub in ("media", "published"):
        if (source / sub).exists():
            shutil.copytree(source / sub, scratch / sub, dirs_exist_ok=True)


def issue_tokens(env: dict[str, str]) -> dict[str, str]:
    """One API token per staff login, issued in the scratch database."""
    code = (
        "import django, json; django.setup()\n"
        "from django.contrib.auth import get_user_model\n"
        "from govhub.api.auth import issue_token\n"
        "logins = %r\n"
        "out = {}\n"
        "for login in logins:\n"
        "    user = get_user_model().objects.get(username=login)\n"
        "    out[login] = issue_token(user=user, name='fuzz')[1]\n"
        "print(json.dumps(out))\n"
    ) % [login for _, login in ROLES if login]
    env = dict(env, DJANGO_SETTINGS_MODULE="govhub.settings")
    out = subprocess.run([PYTHON, "-c", code], env=env, check=True, capture_output=True, text=True)
    import json

    return json.loads(out.stdout.strip().splitlines()[-1])


def wait_for(url: str, timeout: float = 300) -> None:
    end = time.time() + timeout
    while time.time() < end:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except Exception:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer")


def fuzz_role(
    schema, base: str, headers: dict[str, str], examples: int, errors: list, timeout: int
) -> Counter:
    """Run every operation's positive and negative cases; count statuses."""
    import requests
    from hypothesis.errors import Unsatisfiable
    from schemathesis import GenerationMode

    counts: Counter = Counter()
    session = requests.Session()
    for result in schema.get_all_operations():
        op = result.ok()
        t0 = time.time()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            run = _runner(op, mode, examples, session, base, headers, counts, errors, timeout)
            try:
                run()
            except Unsatisfiable:
                counts["unsatisfiable"] += 1
        SLOW[f"{op.method.upper()} {op.path}"] += time.time() - t0
    return counts


def _runner(op, mode, examples, session, base, headers, counts, errors, timeout):  # noqa: PLR0913
    """One operation's cases in one mode, as a hypothesis test that records every answer."""
    import requests
    from hypothesis import HealthCheck, given, settings

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=op.as_strategy(generation_mode=mode))
    def run(case):
        try:
            res = case.call(base_url=base, session=session, headers=headers, timeout=timeout)
        except requests.Timeout as exc:  # no answer in time: a failure, counted apart
            counts["timeout"] += 1
            errors.append((op.method.upper(), op.path, "timeout", op.path, str(exc)[:120]))
            return
        except requests.RequestException as exc:  # a dropped connection is a failure too
            counts["error"] += 1
            errors.append((op.method.upper(), op.path, "no answer", op.path, str(exc)[:200]))
            return
        counts["cases"] += 1
        counts[res.status_code // 100 * 100] += 1
        if res.status_code >= 500:
            body = res.request.body or b""
            errors.append(
                (op.method.upper(), op.path, res.status_code, res.request.url, body[:300])
            )

    return run


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", default=str(ROOT / "var" / "bench-demo"))
    ap.add_argument("--examples", type=int, default=25, help="cases per operation, mode and role")
    ap.add_argument("--roles", default=",".join(label for label, _ in ROLES))
    ap.add_argument("--port", type=int, default=18030)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=30, help="seconds to wait for an answer")
    args = ap.parse_args()
    wanted = args.roles.split(",")

    source = Path(args.source)
    build_source(source)
    scratch = Path(tempfile.mkdtemp(prefix="govhub-fuzz-"))
    copy_source(source, scratch)
    env = _env(scratch, args.port)
    tokens = issue_tokens(env)
    log = open(scratch / "gunicorn.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "govhub.wsgi:application",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--threads",
            "4",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        wait_for(base + "/api/openapi.json")
        import schemathesis

        schema = schemathesis.openapi.from_url(base + "/api/openapi.json")
        ops = sum(1 for r in schema.get_all_operations() if r.ok())
        print(f"{ops} operations in {base}/api/openapi.json; {args.examples} cases per mode")
        total_cases = total_5xx = total_timeouts = 0
        all_errors: list = []
        started = time.time()
        for label, login in ROLES:
            if label not in wanted:
                continue
            headers = {"Authorization": f"Bearer {tokens[login]}"} if login else {}
            errors: list = []
            t0 = time.time()
            counts = fuzz_role(schema, base, headers, args.examples, errors, args.timeout)
            n5 = counts[500] + counts["error"]
            total_cases += counts["cases"]
            total_5xx += n5
            total_timeouts += counts["timeout"]
            all_errors += [(label, *e) for e in errors]
            print(
                f"{label:16} cases {counts['cases']:6}  2xx {counts[200]:5}  4xx {counts[400]:5}  "
                f"5xx {n5}  timeouts {counts['timeout']}  ({time.time() - t0:.0f} s)",
                flush=True,
            )
        print(
            f"total: {total_cases} cases over {ops} operations, {len(wanted)} roles, "
            f"{total_5xx} × 5xx, {total_timeouts} without an answer in {args.timeout} s "
            f"({time.time() - started:.0f} s)"
        )
        print("slowest operations: " + ", ".join(f"{k} {v:.0f} s" for k, v in SLOW.most_common(5)))
        seen = set()
        for label, method, path, status, url, body in all_errors:
            if (method, path, status) in seen:
                continue
            seen.add((method, path, status))
            print(f"  {status} {label}: {method} {url}  body={body!r}")
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    if total_5xx or total_timeouts:
        tail = (scratch / "gunicorn.log").read_text(errors="replace")[-6000:]
        print("--- server log (tail) ---\n" + tail)
        print(f"scratch copy kept in {scratch}")
    else:
        shutil.rmtree(scratch, ignore_errors=True)
    print("command: python bench/fuzz.py " + " ".join(sys.argv[1:]))
    return 1 if total_5xx or total_timeouts else 0


if __name__ == "__main__":
    sys.exit(main())

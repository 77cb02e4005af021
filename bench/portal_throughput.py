"""Requests/s for one article page: (a) the govhub way (nginx serving the file written at
publish time), (b) nginx serving the same bytes as a plain file (the limit), (c) rendered live
by Django under gunicorn. Prints all three and a/b, c/b; then (a) for the other variants a
visitor can choose — 长者模式 (cookie gh_elder=1), 繁體 (gh_script=hant), both — each over (b).

Needs the demo database (`make demo` or `govhub demo`), nginx and wrk (Debian packages; `make
test` installs them). Ports 18010 (a), 18011 (b), 18012 (gunicorn).

    .venv/bin/python bench/portal_throughput.py [--seconds 10] [--connections 32] [--url /yaowen/a0002/]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_PORT, A_PORT, B_PORT = 18012, 18010, 18011


def wait_for(url: str, timeout: float = 60) -> None:
    end = time.time() + timeout
    while time.time() < end:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except Exception:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer")


VARIANT_COOKIES = {
    "长者模式": "gh_elder=1",
    "繁體": "gh_script=hant",
    "长者模式+繁體": "gh_elder=1; gh_script=hant",
}


def wrk(url: str, seconds: int, connections: int, cookie: str = "") -> float:
    header = ["-H", f"Cookie: {cookie}"] if cookie else []
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", *header, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        print(f"  warning: {non2xx.group(1)} non-2xx responses from {url}")
    return float(m.group(1)) if m else 0.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--url", default="")
    ap.add_argument("--rounds", type=int, default=3, help="alternating a/b rounds (median)")
    ap.add_argument("--gunicorn-workers", type=int, default=2)
    args = ap.parse_args()
    for tool in ("nginx", "wrk"):
        if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists():
            raise SystemExit(f"{tool} missing: apt-get install {tool} (make test installs it)")

    env = dict(os.environ)
    var = Path(env.get("GOVHUB_VAR_DIR", ROOT / "var"))
    published = var / "published"
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhub.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from govhub.portal import publish
    from govhub.portal.models import ArticlePage

    url = args.url
    if not url:
        page = ArticlePage.objects.live().order_by("path").first()
        if page is None:
            raise SystemExit("no articles: run `govhub demo` first")
        url = page.url
    if not publish.file_for(url).exists() or not publish.file_for(url, "elder").exists():
        publish.publish_all()
    call_command("collectstatic", interactive=False, verbosity=0)

    work = Path(tempfile.mkdtemp(prefix="gh-bench-"))
    work.chmod(0o755)  # nginx workers (www-data) read the raw copy
    (work / "nginx-tmp").mkdir()
    raw = work / "raw"
    raw.mkdir()
    shutil.copy(publish.file_for(url), raw / "article.html")
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    conf = (
        conf.replace("__VAR__/published", str(published))
        .replace("__VAR__/static/", str(var / "static") + "/")
        .replace("__VAR__/media/", str(var / "media") + "/")
        .replace("__VAR__/raw", str(raw))
        .replace("__VAR__", str(work))
        .replace("__APP__", f"127.0.0.1:{APP_PORT}")
        .replace("__LISTEN_RAW__", f"127.0.0.1:{B_PORT}")
        .replace("__LISTEN__", f"127.0.0.1:{A_PORT}")
    )
    conf = conf.replace("worker_processes auto;", "worker_processes 1;\ndaemon off;")
    (work / "nginx.conf").write_text(conf)
    procs = []
    try:
        procs.append(subprocess.Popen(["nginx", "-c", str(work / "nginx.conf"), "-p", str(work)]))
        procs.append(
            subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "gunicorn"),
                    "govhub.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{APP_PORT}",
                    "--workers",
                    str(args.gunicorn_workers),
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
            )
        )
        wait_for(f"http://127.0.0.1:{A_PORT}{url}")
        wait_for(f"http://127.0.0.1:{B_PORT}/article.html")
        wait_for(f"http://127.0.0.1:{APP_PORT}/healthz", timeout=300)
        # the live path: a query string makes nginx and the app skip the published file
        live_url = f"http://127.0.0.1:{APP_PORT}{url}?live=1"
        # a and b alternate over --rounds (medians), so a burst of other load hits both alike
        runs_a, runs_b = [], []
        for r in range(args.rounds):
            pair = [
                ("a", f"http://127.0.0.1:{A_PORT}{url}"),
                ("b", f"http://127.0.0.1:{B_PORT}/article.html"),
            ]
            for name, target in pair if r % 2 == 0 else pair[::-1]:
                (runs_a if name == "a" else runs_b).append(
                    wrk(target, args.seconds, args.connections)
                )
        a, b = statistics.median(runs_a), statistics.median(runs_b)
        variants = {
            name: wrk(f"http://127.0.0.1:{A_PORT}{url}", args.seconds, args.connections, cookie)
            for name, cookie in VARIANT_COOKIES.items()
        }
        c = wrk(live_url, args.seconds, args.connections)
    except SystemExit:
        log = work / "nginx-error.log"
        if log.exists():
            print(log.read_text()[-2000:])
        raise
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=60)
        shutil.rmtree(work, ignore_errors=True)
    size = publish.file_for(url).stat().st_size
    print(
        f"article {url} ({size} bytes), wrk -t2 -c{args.connections} -d{args.seconds}s, 2 cores shared"
    )
    print(
        f"(a) govhub (nginx serving the published file): {a:10.0f} req/s  "
        f"(rounds {', '.join(f'{x:.0f}' for x in runs_a)})"
    )
    print(
        f"(b) nginx static file, same bytes (the limit): {b:10.0f} req/s  "
        f"(rounds {', '.join(f'{x:.0f}' for x in runs_b)})"
    )
    print(f"(c) live Django under gunicorn ({args.gunicorn_workers} workers):  {c:10.0f} req/s")
    print(f"a/b = {a / b:.2f}   c/b = {c / b:.3f}")
    for name, rate in variants.items():
        print(f"(a) {name} (published variant file): {rate:10.0f} req/s   /b = {rate / b:.2f}")
    print("command: .venv/bin/python bench/portal_throughput.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()

"""Outbox throughput: deliveries/s through `govhub outbox` to the fake WeChat server, and the
worker's peak memory (max RSS), for 1,000 deliveries (``--n`` to change; default 1,000).

Runs a real worker subprocess on a fresh file SQLite database (or ``--database-url``).
Synthetic content only (no data from ../shared/data is needed).

    .venv/bin/python bench/outbox.py [--n 1000] [--database-url postgres://postgres@127.0.0.1:5432/gh_pub_bench]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakes.wechat_api import FakeWeChatApi  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--database-url", default="")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="gh-outbox-bench-"))
    db_url = args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}"
    env = dict(
        os.environ,
        GOVHUB_MODE="test",
        GOVHUB_DATABASE_URL=db_url,
        GOVHUB_MEDIA_ROOT=str(tmp / "media"),
        PYTHONPATH=str(ROOT),
    )
    env.pop("GOVHUB_REDIS_URL", None)
    govhub = str(ROOT / ".venv" / "bin" / "govhub")
    with FakeWeChatApi() as api:
        if args.database_url:
            subprocess.run([govhub, "flush", "--no-input", "-v0"], env=env, cwd=ROOT, check=False)
        subprocess.run([govhub, "migrate", "-v0"], env=env, cwd=ROOT, check=True)
        subprocess.run(
            [sys.executable, "-m", "tests.publishing.outbox_seed", str(args.n), api.url],
            env=env,
            cwd=ROOT,
            check=True,
        )
        started = time.perf_counter()
        out = subprocess.run(
            [govhub, "outbox", "--once", "--batch", "200"],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        elapsed = time.perf_counter() - started
        peak = out.strip().rsplit("峰值内存", 1)[-1].strip()
        published = api.published_count()
    print(f"deliveries: {args.n}, published on the fake server: {published}")
    print(f"elapsed: {elapsed:.1f} s, throughput: {args.n / elapsed:.1f} deliveries/s")
    print(f"worker peak memory (max RSS reported by the worker): {peak}")
    print("database:", "PostgreSQL" if args.database_url else "file SQLite")
    print("command: .venv/bin/python bench/outbox.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()

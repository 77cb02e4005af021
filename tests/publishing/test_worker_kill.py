"""500 deliveries in flight; the outbox worker process is killed twice and restarted: every
delivery ends sent exactly once (counted on the fake WeChat server). Real subprocesses
(`govhub outbox`) on a file SQLite database, as in the embedded deployment."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.fakes.wechat_api import FakeWeChatApi

ROOT = Path(__file__).resolve().parents[2]
GOVHUB = [
    sys.executable,
    "-m",
    "govhub",
]  # the venv running the tests (worktrees have none of their own)
N = 500


def _env(db: Path, media: Path) -> dict:
    env = dict(os.environ)
    env.update(
        GOVHUB_MODE="test",
        GOVHUB_DATABASE_URL=f"sqlite:///{db}",
        GOVHUB_MEDIA_ROOT=str(media),
        GOVHUB_OUTBOX_LEASE="2",
        GOVHUB_OUTBOX_BACKOFF_BASE="0.05",
        GOVHUB_OUTBOX_BACKOFF_CEILING="0.5",
        GOVHUB_WECHAT_TIMEOUT="2",
        PYTHONPATH=str(ROOT),
    )
    env.pop("GOVHUB_TEST_DB_NAME", None)
    env.pop("GOVHUB_REDIS_URL", None)
    return env


def _wait_for(api: FakeWeChatApi, count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while api.published_count() < count:
        assert time.monotonic() < deadline, f"only {api.published_count()} published"
        time.sleep(0.05)


def test_killed_and_restarted_worker_sends_every_delivery_exactly_once(tmp_path):
    db, media = tmp_path / "outbox.sqlite3", tmp_path / "media"
    env = _env(db, media)
    with FakeWeChatApi() as api:
        subprocess.run([*GOVHUB, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
        subprocess.run(
            [sys.executable, "-m", "tests.publishing.outbox_seed", str(N), api.url],
            env=env,
            check=True,
            cwd=ROOT,
        )
        # a few platform hiccups on the way, including the ambiguous kind
        api.fail_next(5, "500", paths=["/cgi-bin/draft/add"])
        api.fail_next(3, "timeout_after", paths=["/cgi-bin/freepublish/submit"])
        api.slow_seconds = 2.5
        for stop_at in (N // 4, N // 2):
            worker = subprocess.Popen(
                [*GOVHUB, "outbox", "--idle", "0.2"],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                _wait_for(api, stop_at, timeout=240)
            finally:
                worker.send_signal(signal.SIGKILL)
                worker.wait()
        time.sleep(2.5)  # the killed worker's lease runs out
        subprocess.run(
            [*GOVHUB, "outbox", "--once"],
            env=env,
            check=True,
            cwd=ROOT,
            timeout=400,
            stdout=subprocess.DEVNULL,
        )

        con = sqlite3.connect(db)
        rows = con.execute("select uid, state from channels_outboundmessage").fetchall()
        con.close()
        assert len(rows) == N
        assert {state for _, state in rows} == {"sent"}
        assert api.published_count() == N
        for key, _ in rows:
            assert api.published_count(f"ghd={key[:12]}") == 1

"""Every kind of outbound message in flight — publications to WeChat and Weibo, letter notices
by SMS and WeChat template, letter replies by e-mail and Weibo private message, inbox replies
as WeChat customer-service messages and Weibo comment replies, slow answers, appointment
reminders, survey invitations, 好差评 call-backs — while the platforms time out after doing the
work and the worker process is killed twice and restarted. Real subprocesses (``govhub outbox``)
on a file SQLite database, fakes of WeChat, Weibo, an SMS gateway and SMTP on loopback.

What must hold: nothing is lost (every message ends 已发送 and reached its platform), and no
message reaches a platform twice where the platform can be asked (WeChat and Weibo posts by
their mark, Weibo comments by text, SMS by the gateway's reference). Where it cannot (WeChat
customer-service and template messages, Weibo private messages, SMTP), duplicates are counted
and printed; docs/outbox.md reports them."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from tests.channels import outbox_mix
from tests.fakes.sms_api import FakeSmsApi
from tests.fakes.smtp import FakeSmtp
from tests.fakes.wechat_messaging import FakeWeChatMessaging
from tests.fakes.weibo_api import FakeWeiboApi

ROOT = Path(__file__).resolve().parents[2]
GOVHUB = [sys.executable, "-m", "govhub"]
N = 240
ASKABLE = {"article", "post", "comment_reply", "sms"}


def worker_env(db: Path, media: Path, sms_url: str, smtp_port: int) -> dict:
    env = dict(os.environ)
    env.update(
        GOVHUB_MODE="test",
        GOVHUB_DATABASE_URL=f"sqlite:///{db}",
        GOVHUB_MEDIA_ROOT=str(media),
        GOVHUB_OUTBOX_LEASE="2",
        GOVHUB_OUTBOX_BACKOFF_BASE="0.05",
        GOVHUB_OUTBOX_BACKOFF_CEILING="0.5",
        GOVHUB_WECHAT_TIMEOUT="2",
        GOVHUB_WEIBO_TIMEOUT="2",
        GOVHUB_SMS_TIMEOUT="2",
        GOVHUB_SMS_GATEWAY="govhub.channels.sms.HttpSmsGateway",
        GOVHUB_SMS_URL=sms_url,
        GOVHUB_SMS_KEY="sms-key",
        GOVHUB_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        GOVHUB_SMTP_HOST="127.0.0.1",
        GOVHUB_SMTP_PORT=str(smtp_port),
        PYTHONPATH=str(ROOT),
    )
    env.pop("GOVHUB_TEST_DB_NAME", None)
    env.pop("GOVHUB_REDIS_URL", None)
    return env


def inject_faults(wechat, weibo, sms) -> None:
    """Platform hiccups on every path, including the ambiguous kind (work done, answer lost)."""
    wechat.fail_next(4, "500", paths=["/cgi-bin/draft/add", "/cgi-bin/message/custom/send"])
    for path in (
        "/cgi-bin/freepublish/submit",
        "/cgi-bin/message/custom/send",
        "/cgi-bin/message/template/send",
    ):
        wechat.fail_next(2, "timeout_after", paths=[path])
    for path in ("/2/statuses/share.json", "/2/comments/reply.json", "/2/messages/reply.json"):
        weibo.fail_next(2, "timeout_after", paths=[path])
    sms.fail_next(2, "timeout_after", paths=["/send"])
    for fake in (wechat, weibo, sms):
        fake.slow_seconds = 2.5


def outcomes(db: Path) -> tuple[dict, dict, dict]:
    """(item number → uid, item number → state, item number → set of event kinds)."""
    con = sqlite3.connect(db)
    rows = con.execute(
        "select m.id, m.uid, m.key, m.state, p.title from channels_outboundmessage m "
        "left join publishing_publication p on m.kind = 'publication' and p.id = m.source_id"
    ).fetchall()
    events = Counter()
    kinds: dict[int, set] = {}
    for mid, kind in con.execute("select outbound_id, kind from channels_outboundevent"):
        kinds.setdefault(mid, set()).add(kind)
        events[kind] += 1
    con.close()
    uids, states, evs = {}, {}, {}
    for mid, uid, key, state, title in rows:
        i = int(key.split(":")[1]) if key.startswith("mix:") else int(title[1:].split("期")[0])
        uids[i], states[i], evs[i] = uid, state, kinds.get(mid, set())
    return uids, states, evs


def run_scenario(tmp: Path, n: int = N, kills: tuple[int, ...] = (N // 4, N // 2)) -> dict:
    """Seed, send with faults and kills, and count; returns the figures (used by bench too)."""
    db, media, spec = tmp / "outbox.sqlite3", tmp / "media", tmp / "mix.json"
    with (
        FakeWeChatMessaging() as wechat,
        FakeWeiboApi() as weibo,
        FakeSmsApi() as sms,
        FakeSmtp() as smtp,
    ):
        env = worker_env(db, media, sms.url, smtp.port)
        items = outbox_mix.prepare(
            n, wechat=wechat, weibo=weibo, sms_url=sms.url, smtp_port=smtp.port, path=str(spec)
        )
        subprocess.run([*GOVHUB, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
        subprocess.run(
            [sys.executable, "-m", "tests.channels.outbox_mix", str(spec)],
            env=env,
            check=True,
            cwd=ROOT,
        )
        inject_faults(wechat, weibo, sms)

        def done() -> int:
            con = sqlite3.connect(db)
            (k,) = con.execute(
                "select count(*) from channels_outboundmessage where state = 'sent'"
            ).fetchone()
            con.close()
            return k

        started = time.monotonic()
        for stop_at in kills:
            worker = subprocess.Popen(
                [*GOVHUB, "outbox", "--idle", "0.2"],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                deadline = time.monotonic() + 300
                while done() < stop_at:
                    assert time.monotonic() < deadline, f"only {done()} sent"
                    time.sleep(0.05)
            finally:
                worker.send_signal(signal.SIGKILL)
                worker.wait()
        time.sleep(2.5)  # the killed worker's lease runs out
        for _ in range(3):  # --once stops when only back-offs remain; run until all are sent
            subprocess.run(
                [*GOVHUB, "outbox", "--once"],
                env=env,
                check=True,
                cwd=ROOT,
                timeout=400,
                stdout=subprocess.DEVNULL,
            )
            if done() == n:
                break
            time.sleep(0.6)
        elapsed = time.monotonic() - started
        uids, states, evs = outcomes(db)
        copies = outbox_mix.count_copies(
            items, wechat=wechat, weibo=weibo, sms=sms, smtp=smtp, uids=uids
        )
    by_mode: dict[str, Counter] = {}
    for item in items:
        i, mode = item["i"], item["mode"]
        c = by_mode.setdefault(mode, Counter())
        c["messages"] += 1
        c["lost"] += states.get(i) != "sent" or copies[i] == 0
        c["duplicates"] += max(0, copies[i] - 1)
        c["interrupted"] += bool({"taken_over", "retrying"} & evs[i])
        c["found_by_asking"] += "found" in evs[i]
    return {"by_mode": by_mode, "elapsed": elapsed, "n": n}


def print_figures(figures: dict) -> None:
    print(f"\n{'call':>14} {'msgs':>5} {'interrupted':>11} {'found':>6} {'dups':>5} {'lost':>5}")
    for mode, c in sorted(figures["by_mode"].items()):
        print(
            f"{mode:>14} {c['messages']:>5} {c['interrupted']:>11} {c['found_by_asking']:>6} "
            f"{c['duplicates']:>5} {c['lost']:>5}"
        )


def test_killed_and_restarted_worker_loses_nothing_of_any_kind_and_never_doubles_what_can_be_asked(
    tmp_path,
):
    figures = run_scenario(tmp_path)
    print_figures(figures)
    by_mode = figures["by_mode"]
    assert sum(c["messages"] for c in by_mode.values()) == N
    assert all(c["lost"] == 0 for c in by_mode.values()), by_mode
    for mode in ASKABLE:
        assert by_mode[mode]["duplicates"] == 0, (mode, by_mode[mode])
    # the faults really happened, and asking really prevented duplicates
    assert sum(c["interrupted"] for c in by_mode.values()) >= 10
    assert sum(by_mode[m]["found_by_asking"] for m in ASKABLE) >= 3

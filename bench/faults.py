"""Faults during load: what citizens were told was received must be there, once.

The stack of bench/load.py (nginx → gunicorn → PostgreSQL + Redis, a `govhub worker`) runs on the
demo county while simulated citizens (Python threads, each request a fresh browser: its own CSRF
cookie, no session) keep submitting letters, comments on an open consultation, agreements (votes)
with an approved comment and bookings of an appointment slot, a wrk keeps the portal busy, and
this process queues outbox deliveries (WeChat customer-service messages and Weibo private
replies) to the fakes of tests/fakes. Then, on a schedule:

    t0 + 15 s   kill -9 of two gunicorn workers (the master starts new ones)
    t0 + 30 s   kill -9 of the job worker; its supervisor (here: this script, after 3 s) restarts it
    t0 + 45 s   PostgreSQL restarted (`pg_ctlcluster <version> <cluster> restart`)
    t0 + 60 s   the WeChat and Weibo fakes answer every call with HTTP 500 for --outage seconds
    t0 + 70 s   the private upload folder (a 4 MB tmpfs mounted for the run) is filled for 15 s
                (when mounting is refused: the folder is replaced by a file, documented as a
                simulation)

A letter is *acknowledged* when the citizen got the page with its tracking code; a citizen whose
post failed (error page, reset connection) posts the same form again (the same hidden token, as
the browser's resubmit does) up to 5 times. Comments, votes and bookings are acknowledged by the
redirect / booking code, and are not retried. Afterwards it counts, in the database: every
acknowledged letter, comment, vote and booking present exactly once (and the slot's counter equal
to its bookings), every delivery queued arrived at its fake exactly once; and the time from each
fault to the next acknowledged letter (recovery), and from the fakes' recovery to the last delivery.

Needs the PostgreSQL demo county of bench/load.py (``--db pg``) in a cluster this script may
restart — NOT a cluster other people use (default: the private cluster ``15 loadbench`` on port
5499, created with ``pg_createcluster 15 loadbench -p 5499 -- --auth=trust``) — and its own Redis
(port 6399). Run as root (tmpfs mount, pg_ctlcluster).

    .venv/bin/python bench/faults.py [--duration 120] [--outage 60] [--pg-cluster "15 loadbench"]

The outbox lease is shortened to 20 s for the run (GOVHUB_OUTBOX_LEASE; production: 300 s), so
a killed worker's claimed messages come back within the run.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import load  # noqa: E402  (bench/load.py: the stack and the demo county)

CODE_RE = re.compile(r'id="tracking-code">([A-Z0-9-]+)<')
BOOKING_RE = re.compile(r'class="svc-code">([^<]+)<')


@dataclass
class Tally:
    """What citizens were told, and when."""

    acked: dict[str, list] = field(default_factory=lambda: {k: [] for k in KINDS})
    failed: Counter = field(default_factory=Counter)
    letter_ok_times: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ack(self, kind: str, item) -> None:
        with self.lock:
            self.acked[kind].append(item)
            if kind == "letters":
                self.letter_ok_times.append(time.time())

    def fail(self, kind: str, status: int | str = "reset") -> None:
        """A refused or broken attempt: by kind and HTTP status ("reset": no answer)."""
        with self.lock:
            self.failed[f"{kind} {status}"] += 1


KINDS = ("letters", "comments", "votes", "bookings")


def fresh_post(path: str, data: dict, csrf: str, timeout: float = 30) -> requests.Response:
    """A browser's form post: the CSRF cookie and field, no session."""
    return requests.post(
        load.BASE + path,
        data={**data, "csrfmiddlewaretoken": csrf},
        cookies={"csrftoken": csrf},
        timeout=timeout,
        allow_redirects=False,
    )


def citizen_letters(run: str, n: int, tally: Tally, stop: threading.Event, csrf: str, texts):
    i = 0
    while not stop.is_set():
        i += 1
        token = f"{run}-{n}-{i}"
        subject, content = texts[(n * 997 + i) % len(texts)]
        data = {"token": token, "subject": subject, "content": content, "name": "王女士",
                "phone": f"138{(n * 100000 + i) % 100000000:08d}"}  # fmt: skip
        for attempt in range(5):
            try:
                r = fresh_post("/letters/write/", data, csrf)
                m = CODE_RE.search(r.text) if r.status_code == 200 else None
                if m:
                    tally.ack("letters", (token, m.group(1)))
                    break
                tally.fail("letters", r.status_code)
            except requests.RequestException:
                tally.fail("letters")
            time.sleep(1 + attempt)


def citizen_comments(run, n, tally, stop, csrf, consultation_id):
    i = 0
    while not stop.is_set():
        i += 1
        text = f"建议延长政务服务中心周末开放时间，意见编号{run}-{n}-{i}。"
        try:
            r = fresh_post(f"/participation/consultations/{consultation_id}/", {"text": text}, csrf)
            if r.status_code == 302:
                tally.ack("comments", text)
            else:
                tally.fail("comments", r.status_code)
        except requests.RequestException:
            tally.fail("comments")
        time.sleep(0.5)


def citizen_votes(run, n, tally, stop, csrf, comment_id):
    while not stop.is_set():
        try:
            r = fresh_post(f"/participation/comments/{comment_id}/agree/", {}, csrf)
            if r.status_code == 302:
                tally.ack("votes", 1)
            else:
                tally.fail("votes", r.status_code)
        except requests.RequestException:
            tally.fail("votes")
        time.sleep(0.5)


def citizen_bookings(run, n, tally, stop, csrf, guide_id, slot_id):
    i = 0
    while not stop.is_set():
        i += 1
        data = {"slot": slot_id, "name": "李明", "phone": f"137{(n * 100000 + i) % 10**8:08d}"}
        try:
            r = fresh_post(f"/services/guides/{guide_id}/book/", data, csrf)
            m = BOOKING_RE.search(r.text) if r.status_code == 200 else None
            if m:
                tally.ack("bookings", m.group(1).strip())
            else:
                tally.fail("bookings", r.status_code)
        except requests.RequestException:
            tally.fail("bookings")
        time.sleep(0.5)


# ---------------------------------------------------------------- fixtures in the database


def prepare_participation(run: str):
    """An open consultation, an approved comment to agree with, a slot with room for the run."""
    import datetime as dt

    from django.utils import timezone

    from govhub.core.models import Department
    from govhub.participation.models import (
        Comment,
        Consultation,
        ConsultationStatus,
        Moderation,
    )
    from govhub.services.models import AppointmentSlot, ServiceGuide

    now = timezone.now()
    consultation = next((c for c in Consultation.objects.order_by("pk") if c.is_open(now)), None)
    if consultation is None:  # the demo's consultations may have closed since it was built
        county = Department.get_root_nodes().first()
        consultation = Consultation.objects.create(
            title="关于延长政务服务中心开放时间的征求意见稿（故障演练）",
            department=county,
            host=county,
            status=ConsultationStatus.PUBLISHED,
            opens_at=now - dt.timedelta(days=1),
            closes_at=now + dt.timedelta(days=29),
        )
    comment = Comment.objects.filter(status=Moderation.APPROVED).first()
    if comment is None:
        comment = Comment.objects.create(
            consultation=consultation, text="赞同这个方案。", status=Moderation.APPROVED
        )
    guide = ServiceGuide.objects.order_by("pk").first()
    slot = AppointmentSlot.objects.create(
        guide=guide,
        department=Department.get_root_nodes().first(),
        place="县政务服务中心一楼",
        date=timezone.localdate() + dt.timedelta(days=2),
        start=dt.time(9, 0),
        end=dt.time(10, 0),
        capacity=30000,
    )
    return consultation.pk, comment.pk, comment.agree_count, guide.pk, slot.pk


def prepare_channels(wechat_url: str, weibo_url: str):
    from govhub.channels.models import ChannelAccount
    from govhub.core.models import Department

    county = Department.get_root_nodes().first()
    wx, _ = ChannelAccount.objects.update_or_create(
        slug="faults-wx",
        defaults=dict(platform="wechat", name="示范县发布（故障演练）", department=county,
                      app_id="wx-fake-app", app_secret="fake-secret", api_base=wechat_url),
    )  # fmt: skip
    wb, _ = ChannelAccount.objects.update_or_create(
        slug="faults-wb",
        defaults=dict(platform="weibo", name="示范县发布微博（故障演练）", department=county,
                      remote_id="5550001", access_token="weibo-fake-token", api_base=weibo_url),
    )  # fmt: skip
    return wx, wb


def queue_deliveries(run, stop, wx, wb, weibo, queued: list, every: float = 0.25):
    """Staff replies going out while the load runs: one WeChat and one Weibo message a tick."""
    from django.db import close_old_connections, transaction

    from govhub.channels import outbox

    i = 0
    while not stop.is_set():
        i += 1
        for platform, account in (("wechat", wx), ("weibo", wb)):
            text = f"您好，您反映的问题已转交相关部门办理（回复编号 {run}-{platform}-{i}）。"
            recipient = f"o-faults-{i}" if platform == "wechat" else f"88{i:06d}"
            payload = {"text": text}
            if platform == "weibo":
                weibo.add_private_message(recipient, f"第{i}条私信")
                payload["weibo"] = {"mode": "dm"}
            try:
                close_old_connections()
                with transaction.atomic():
                    outbox.enqueue(kind="inbox_reply" if platform == "weibo" else "answer",
                                   key=f"faults:{run}:{platform}:{i}", account=account,
                                   platform=platform, recipient=recipient, payload=payload,
                                   department=account.department)  # fmt: skip
                queued.append((platform, text))
            except Exception as exc:  # PostgreSQL restarting: staff would see an error and retry
                print(f"  (queueing a delivery failed while {type(exc).__name__}; retried)")
                time.sleep(1)
        time.sleep(every)


# ---------------------------------------------------------------- faults


class Outage:
    """Make a fake answer HTTP 500 to every call while on."""

    def __init__(self, *fakes) -> None:
        self.fakes = fakes

    def on(self) -> None:
        from tests.fakes import Failure

        for fake in self.fakes:
            fake._take_failure = lambda path: Failure("500", (), 0, "")

    def off(self) -> None:
        for fake in self.fakes:
            fake.__dict__.pop("_take_failure", None)


class FullDisk:
    """The private upload folder on a small tmpfs, filled to the last byte while on."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.mounted = False
        self.filler = folder / ".filler"

    def mount(self) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(self.folder)],
                           capture_output=True, text=True)  # fmt: skip
        self.mounted = r.returncode == 0
        return (
            "a 4 MB tmpfs" if self.mounted else "a plain folder (mount refused: " + r.stderr + ")"
        )

    def on(self) -> None:
        if self.mounted:
            with open(self.filler, "wb") as fh:
                try:
                    while True:
                        fh.write(b"\0" * 65536)
                except OSError:
                    pass
        else:  # simulation: writes into the folder fail because it is not a folder any more
            self.folder.rename(self.folder.with_name(self.folder.name + ".away"))
            self.folder.write_text("")

    def off(self) -> None:
        if self.mounted:
            self.filler.unlink(missing_ok=True)
        else:
            self.folder.unlink()
            self.folder.with_name(self.folder.name + ".away").rename(self.folder)

    def unmount(self) -> None:
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.folder)], check=False)


def letters_with_attachment(run, tally, stop, csrf):
    """A citizen attaching a photo every second: refused (not acknowledged) while the disk is
    full, never acknowledged with a file missing."""
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
        b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
        b"\x00\x00\x00IEND\xaeB`\x82"
    )
    i = 0
    while not stop.is_set():
        i += 1
        token = f"{run}-att-{i}"
        data = {"token": token, "subject": "路面坑洼", "content": "人民路口路面坑洼，附照片。",
                "phone": f"136{i:08d}", "csrfmiddlewaretoken": csrf}  # fmt: skip
        try:
            r = requests.post(load.BASE + "/letters/write/", data=data,
                              files={"attachments": ("photo.png", png, "image/png")},
                              cookies={"csrftoken": csrf}, timeout=30)  # fmt: skip
            m = CODE_RE.search(r.text) if r.status_code == 200 else None
            if m:
                tally.ack("letters", (token, m.group(1)))
            else:
                tally.fail("letter+photo", r.status_code)
        except requests.RequestException:
            tally.fail("letter+photo")
        time.sleep(1)


# ---------------------------------------------------------------- counting


def count_all(run, tally: Tally, slot_id: int, comment_id: int, agree_before: int):
    from django.db import connection

    from govhub.letters.models import Attachment, Letter
    from govhub.participation.models import Agreement, Comment
    from govhub.services.models import AppointmentSlot, Booking

    connection.close()
    rows = {}
    letters = Letter.objects.filter(idempotency_key__startswith=f"portal:{run}-")
    by_key = Counter(letters.values_list("idempotency_key", flat=True))
    codes = dict(letters.values_list("idempotency_key", "tracking_code"))
    acked = tally.acked["letters"]
    missing = [t for t, code in acked if codes.get(f"portal:{t}") != code]
    rows["letters"] = (
        len(acked),
        letters.count(),
        len(missing),
        sum(n - 1 for n in by_key.values()),
    )
    broken = [
        a.pk
        for a in Attachment.objects.filter(letter__in=letters)
        if not a.file.storage.exists(a.file.name)
    ]
    marker = f"意见编号{run}-"
    stored = Counter(Comment.objects.filter(text__contains=marker).values_list("text", flat=True))
    acked_c = tally.acked["comments"]
    rows["comments"] = (len(acked_c), sum(stored.values()),
                        sum(1 for t in acked_c if stored[t] == 0),
                        sum(n - 1 for n in stored.values()))  # fmt: skip
    comment = Comment.objects.get(pk=comment_id)
    votes = Agreement.objects.filter(comment_id=comment_id).count()
    acked_v = len(tally.acked["votes"])
    new_votes = comment.agree_count - agree_before
    rows["votes"] = (acked_v, new_votes, max(0, acked_v - new_votes), max(0, new_votes - acked_v))
    bookings = Counter(Booking.objects.filter(slot_id=slot_id).values_list("code", flat=True))
    acked_b = tally.acked["bookings"]
    slot = AppointmentSlot.objects.get(pk=slot_id)
    rows["bookings"] = (len(acked_b), sum(bookings.values()),
                        sum(1 for c in acked_b if not bookings[c]),
                        sum(n - 1 for n in bookings.values()))  # fmt: skip
    checks = {
        "slot counter = bookings": slot.booked == sum(bookings.values()),
        "comment counter = agreements": comment.agree_count == votes,
        "attachments of acknowledged letters on disk": not broken,
    }
    return rows, checks


def count_deliveries(queued, wechat, weibo):
    got = Counter(m["text"]["content"] for m in wechat.sent if m.get("msgtype") == "text")
    got.update(r["text"] for r in weibo.replies)
    missing = sum(1 for _, text in queued if got[text] == 0)
    doubled = sum(got[text] - 1 for _, text in queued if got[text] > 1)
    arrived = sum(min(got[text], 1) for _, text in queued)
    return len(queued), arrived, missing, doubled


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    load.add_stack_arguments(ap)
    ap.set_defaults(db="pg")
    ap.add_argument("--duration", type=int, default=120, help="seconds of load (≥ 100)")
    ap.add_argument("--outage", type=int, default=60, help="seconds the fakes fail")
    ap.add_argument("--pg-cluster", default="15 loadbench", help="`pg_ctlcluster` version+name")
    ap.add_argument("--citizens", type=int, default=4, help="letter-writing threads")
    ap.add_argument("--drain", type=int, default=180, help="seconds to wait for the outbox")
    args = ap.parse_args()
    if args.db != "pg":
        raise SystemExit("faults need PostgreSQL (--db pg): restarting it is one of them")
    env = load.database_env(args)
    private = Path(env["GOVHUB_VAR_DIR"]) / "private-faults"
    env.update(GOVHUB_PRIVATE_ROOT=str(private), GOVHUB_OUTBOX_LEASE="20",
               GOVHUB_OUTBOX_BACKOFF_CEILING="30")  # fmt: skip
    load.setup_django(env)
    from tests.fakes.wechat_messaging import FakeWeChatMessaging
    from tests.fakes.weibo_api import FakeWeiboApi

    wechat, weibo = FakeWeChatMessaging().start(), FakeWeiboApi().start()
    fx = load.prepare()
    run = str(int(time.time()))
    consultation_id, comment_id, agree_before, guide_id, slot_id = prepare_participation(run)
    wx, wb = prepare_channels(wechat.url, weibo.url)
    from django.db import connection

    connection.close()
    disk = FullDisk(private)
    disk_kind = disk.mount()
    stack = load.Stack(env, args.workers)
    tally, stop = Tally(), threading.Event()
    queued: list = []
    events: list[tuple[str, float]] = []
    outage = Outage(wechat, weibo)
    try:
        stack.start()
        csrf = load.csrf_token()
        portal = subprocess.Popen(
            ["wrk", "-t1", "-c4", f"-d{args.duration}s", "-s", str(stack.work / "portal.lua"),
             load.BASE],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        ) if _write_portal_lua(stack.work, fx) else None  # fmt: skip
        threads = [
            threading.Thread(target=citizen_letters, args=(run, n, tally, stop, csrf, fx.letters))
            for n in range(args.citizens)
        ]
        threads += [
            threading.Thread(target=citizen_comments, args=(run, 0, tally, stop, csrf, consultation_id)),
            threading.Thread(target=citizen_votes, args=(run, 0, tally, stop, csrf, comment_id)),
            threading.Thread(target=citizen_bookings, args=(run, 0, tally, stop, csrf, guide_id, slot_id)),
            threading.Thread(target=letters_with_attachment, args=(run, tally, stop, csrf)),
            threading.Thread(target=queue_deliveries, args=(run, stop, wx, wb, weibo, queued)),
        ]  # fmt: skip
        for t in threads:
            t.start()
        t0 = time.time()

        def at(offset: float, name: str, fn) -> None:
            time.sleep(max(0.0, t0 + offset - time.time()))
            print(f"  t+{time.time() - t0:5.1f} s  {name}", flush=True)
            fn()
            events.append((name, time.time()))

        pg = args.pg_cluster.split()
        at(
            15,
            "kill -9 two gunicorn workers",
            lambda: [os.kill(p, signal.SIGKILL) for p in stack.web_worker_pids()[:2]],
        )
        at(30, "kill -9 the job worker", lambda: os.kill(stack.procs["worker"].pid, signal.SIGKILL))
        at(33, "job worker restarted (its supervisor)", stack.start_worker)
        at(
            45,
            "PostgreSQL restart",
            lambda: subprocess.run(["pg_ctlcluster", *pg, "restart"], check=True),
        )
        at(60, f"WeChat and Weibo fakes fail (HTTP 500) for {args.outage} s", outage.on)
        at(70, f"upload folder full ({disk_kind})", disk.on)
        at(85, "upload folder has room again", disk.off)
        at(60 + args.outage, "WeChat and Weibo fakes answer again", outage.off)
        time.sleep(max(0.0, t0 + args.duration - time.time()))
        stop.set()
        for t in threads:
            t.join(timeout=60)
        if portal:
            portal.wait(timeout=60)
        # the outbox drains: every queued delivery arrives (or the wait ends)
        drained_at = None
        end = time.time() + args.drain
        while time.time() < end:
            total, arrived, missing, doubled = count_deliveries(queued, wechat, weibo)
            if missing == 0:
                drained_at = time.time()
                break
            time.sleep(2)
    finally:
        stop.set()
        outage.off()
        stack.stop()
        shutil.rmtree(stack.work, ignore_errors=True)
        try:  # counted before the upload folder (a tmpfs) goes away with its files
            rows, checks = count_all(run, tally, slot_id, comment_id, agree_before)
        finally:
            disk.unmount()
            wechat.stop()
            weibo.stop()
    rows["deliveries"] = count_deliveries(queued, wechat, weibo)
    print(f"\nfaults during {args.duration} s of load on PostgreSQL + Redis, gunicorn "
          f"{args.workers} workers behind nginx, on {os.cpu_count()} cores; load average at the end "
          f"{os.getloadavg()[0]:.1f}")  # fmt: skip
    print(f"{'':<12}{'acknowledged':>14}{'stored':>9}{'missing':>9}{'doubled':>9}")
    for kind, (acked, stored, missing, doubled) in rows.items():
        label = "queued" if kind == "deliveries" else ""
        print(f"{kind:<12}{acked:>14}{stored:>9}{missing:>9}{doubled:>9}  {label}")
    print("failed attempts, by HTTP status (not acknowledged): "
          + ", ".join(f"{k} {v}" for k, v in sorted(tally.failed.items())))  # fmt: skip
    for name, ok in checks.items():
        print(f"{name}: {'yes' if ok else 'NO'}")
    print("recovery (fault → next acknowledged letter):")
    for name, when in events:
        nxt = next((t for t in sorted(tally.letter_ok_times) if t > when), None)
        print(f"  {name:<50} {'%.1f s' % (nxt - when) if nxt else 'never'}")
    heal = next((w for n, w in events if n.startswith("WeChat and Weibo fakes answer")), None)
    if heal:
        print("outbox drained "
              + (f"{drained_at - heal:.1f} s after the fakes answered again" if drained_at
                 else f"NOT within {args.drain} s after the run"))  # fmt: skip
    problems = sum(r[2] + r[3] for r in rows.values()) + sum(not ok for ok in checks.values())
    print("result: " + ("nothing missing or doubled" if not problems else f"{problems} PROBLEMS"))
    print("command: " + shlex.join([".venv/bin/python", "bench/faults.py", *sys.argv[1:]]))


def _write_portal_lua(work: Path, fx) -> bool:
    (work / "portal.lua").write_text(load.lua_for("portal", fx, "", "0", 20), encoding="utf-8")
    return True


if __name__ == "__main__":
    main()

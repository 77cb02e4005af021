"""A mix of every kind of outbound message for the worker-kill test and bench/outbox.py.

The test process prepares the fakes (``prepare``: the posts and comments replies go under, the
citizens who wrote private messages, who is out of WeChat's 48-hour window) and writes a spec;
a separate process seeds the database from it (``python -m tests.channels.outbox_mix SPEC``),
as the workers that then send it run as separate processes too. ``count_copies`` counts, on the
fakes, how many copies of each message arrived.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter

# (kind, platform, mode, weight): the modes say which platform call carries the message
MIX = [
    ("publication", "wechat", "article", 2),
    ("publication", "weibo", "post", 2),
    ("letter_notice", "sms", "sms", 3),
    ("letter_notice", "wechat", "template", 2),
    ("letter_reply", "email", "email", 2),
    ("letter_reply", "weibo", "dm", 2),
    ("inbox_reply", "wechat", "cs", 3),
    ("inbox_reply", "weibo", "comment_reply", 2),
    ("answer", "wechat", "cs", 2),
    ("appointment_reminder", "sms", "sms", 2),
    ("survey_invitation", "email", "email", 1),
    ("rating_callback", "wechat", "template", 1),
]
PURPOSES = {"letter_notice": "letter_progress", "rating_callback": "rating_callback"}


def plan(n: int) -> list[tuple[str, str, str]]:
    total = sum(w for *_, w in MIX)
    out = []
    i = 0
    while len(out) < n:
        kind, platform, mode, weight = MIX[i % len(MIX)]
        out.extend([(kind, platform, mode)] * weight)
        i += 1
    return out[:n] if total else []


def text_of(i: int) -> str:
    return f"示范县第{i}号通知：您反映的事项已办理，详情请查看网站。"


def prepare(n: int, *, wechat, weibo, sms_url: str, smtp_port: int, path: str) -> list:
    """Set up the fakes for a mix of ``n`` messages and write the seed spec to ``path``."""
    items = []
    post = weibo.add_mention("5550001", "示范县发布：冬季供暖时间调整")
    for i, (kind, platform, mode) in enumerate(plan(n)):
        item = {"i": i, "kind": kind, "platform": platform, "mode": mode}
        if mode == "comment_reply":
            item["status_id"] = post
            item["comment_id"] = weibo.add_comment(post, f"58{i:05d}", f"第{i}条评论")
        elif mode == "dm":
            item["uid"] = f"77{i:05d}"
            weibo.add_private_message(item["uid"], f"第{i}条私信")
        elif mode == "template":
            wechat.out_of_window.add(f"o-mix-{i}")
        items.append(item)
    for purpose in set(PURPOSES.values()):
        wechat.templates.add(f"tpl-{purpose}")
    spec = {
        "wechat": wechat.url,
        "weibo": weibo.url,
        "sms_url": sms_url,
        "smtp_port": smtp_port,
        "items": items,
    }
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(spec, fh, ensure_ascii=False)
    return items


def seed(path: str) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhub.settings")
    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from govhub.channels import outbox
    from govhub.channels.models import ChannelAccount, WeChatTemplate
    from govhub.core.models import Department
    from govhub.publishing.models import Publication, PubStatus
    from govhub.publishing.outbox import queue_deliveries
    from tests.publishing.factories import make_image

    with open(path, encoding="utf-8") as fh:
        spec = json.load(fh)
    with transaction.atomic():
        dept = Department.add_root(
            name="示范县", code="county-mix", level="county", kind="government"
        )
        wx = ChannelAccount.objects.create(
            platform="wechat",
            name="示范县发布",
            slug="wx-mix",
            department=dept,
            app_id="wx-fake-app",
            app_secret="fake-secret",
            api_base=spec["wechat"],
        )
        wb = ChannelAccount.objects.create(
            platform="weibo",
            name="示范县发布（微博）",
            slug="wb-mix",
            remote_id="5550001",
            department=dept,
            access_token="weibo-fake-token",
            api_base=spec["weibo"],
        )
        for purpose in set(PURPOSES.values()):
            WeChatTemplate.objects.create(account=wx, purpose=purpose, template_id=f"tpl-{purpose}")
        cover = make_image()
        now = timezone.now()
        accounts = {"wechat": wx, "weibo": wb}
        for item in spec["items"]:
            i, kind, platform, mode = item["i"], item["kind"], item["platform"], item["mode"]
            if kind == "publication":
                pub = Publication.objects.create(
                    title=f"第{i}期政务发布",
                    department=dept,
                    digest="摘要",
                    body=f"<p>正文 {i}</p>",
                    cover=cover,
                    status=PubStatus.PUBLISHED,
                    published_at=now,
                )
                pub.targets.add(accounts[platform])
                queue_deliveries(pub)
                continue
            payload: dict = {"text": text_of(i), "short": text_of(i), "subject": f"通知 {i}"}
            recipient = ""
            if mode == "sms":
                recipient = f"1390000{i:04d}"
            elif mode == "email":
                recipient = f"citizen{i}@example.cn"
            elif mode in ("cs", "template"):
                recipient = f"o-mix-{i}"
                if mode == "template":
                    payload["template"] = {
                        "purpose": PURPOSES[kind],
                        "values": {
                            "code": f"M{i:05d}",
                            "status": "已办理",
                            "department": "县政府办",
                            "time": f"{now:%Y年%m月%d日 %H:%M}",
                        },
                        "url": "http://127.0.0.1:8000/letters/track/",
                    }
            elif mode == "dm":
                recipient = item["uid"]
                payload["weibo"] = {"mode": "dm"}
            elif mode == "comment_reply":
                recipient = "58000"
                payload["weibo"] = {
                    "mode": "comment_reply",
                    "status_id": item["status_id"],
                    "comment_id": item["comment_id"],
                }
            outbox.enqueue(
                kind=kind,
                key=f"mix:{i}",
                account=accounts.get(platform),
                platform=platform,
                recipient=recipient,
                payload=payload,
                department=dept,
            )


def count_copies(items, *, wechat, weibo, sms, smtp, uids: dict[int, str]) -> dict[int, int]:
    """How many copies of each message arrived at its fake (keyed by the item's number)."""
    cs = Counter(m["text"]["content"] for m in wechat.sent if m.get("msgtype") == "text")
    tpl = Counter(m["data"]["character_string1"]["value"] for m in wechat.template_sent)
    sms_texts = Counter(text for _, text, _ in sms.sent)
    comments = Counter(c["text"] for c in weibo.own_comments())
    dms = Counter(r["text"] for r in weibo.replies)
    out = {}
    for item in items:
        i, mode = item["i"], item["mode"]
        text, marker = text_of(i), f"ghd={uids[i][:12]}"
        if mode == "article":
            out[i] = wechat.published_count(marker)
        elif mode == "post":
            out[i] = weibo.posted_count(marker)
        elif mode == "template":
            out[i] = tpl[f"M{i:05d}"]
        elif mode == "email":
            out[i] = smtp.count(uids[i])
        else:
            out[i] = {"sms": sms_texts, "dm": dms, "cs": cs, "comment_reply": comments}[mode][
                text[:140] if mode == "comment_reply" else text
            ]
    return out


if __name__ == "__main__":
    seed(sys.argv[1])

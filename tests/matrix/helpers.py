"""Small builders for matrix tests (their own data; no shared mutable fixtures)."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from govhub.matrix.models import Account, Message, Post

_seq = itertools.count(1)


def make_account(department, *, platform="wechat", name=None, **kw) -> Account:
    n = next(_seq)
    return Account.objects.create(
        platform=platform,
        name=name or f"测试账号{n}",
        remote_id=kw.pop("remote_id", f"acc-{n}"),
        department=department,
        level=kw.pop("level", department.level),
        kind=kw.pop("kind", "government"),
        opened_on=kw.pop("opened_on", dt.date(2024, 1, 1)),
        **kw,
    )


def at(days_ago: float, hour: int = 10) -> dt.datetime:
    base = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(hour)))
    return base - dt.timedelta(days=days_ago)


def make_post(account, days_ago: float, text: str = "", **kw) -> Post:
    n = next(_seq)
    return Post.objects.create(
        account=account,
        remote_id=kw.pop("remote_id", f"p{n}"),
        published_at=kw.pop("published_at", at(days_ago)),
        title=kw.pop("title", f"标题{n}"),
        text=text or f"正文内容第{n}篇，介绍本部门工作开展情况。",
        **kw,
    )


def make_message(
    account, days_ago: float, text: str = "路灯坏了", answered_after: float | None = None, **kw
) -> Message:
    n = next(_seq)
    received = at(days_ago)
    return Message.objects.create(
        account=account,
        remote_id=f"m{n}",
        received_at=received,
        text=text,
        answered_at=None
        if answered_after is None
        else received + dt.timedelta(days=answered_after),
        **kw,
    )

"""Posts, figures and messages arrive by import; re-importing the same file changes nothing."""

from __future__ import annotations

import json

import pytest

from govhub.core.models import Role
from govhub.matrix import collect
from govhub.matrix.models import DailyFigure, Message, Post
from tests.factories import make_department, make_user
from tests.matrix.helpers import make_account


@pytest.fixture
def setup(db):
    root = make_department(name="示范县", code="sfx")
    town = make_department(root, name="城关镇", code="cg", level="town", kind="town")
    sup = make_user("sup", department=root, role=Role.SUPERVISOR)
    acc = make_account(root, remote_id="gh_1")
    return sup, acc, town


POSTS = (
    "账号ID,文章ID,发布时间,标题,正文,头条,阅读,点赞,在看,转发,评论\n"
    "gh_1,a1,2026-10-01 09:00,通知一,正文一,是,100,3,1,2,0\n"
    "gh_1,a2,2026-10-02 09:00,通知二,正文二,否,50,1,0,0,0\n"
)


def test_reimporting_the_same_posts_changes_nothing(setup):
    sup, acc, _ = setup
    r1 = collect.import_records(sup, "posts", POSTS.encode(), "p.csv")
    assert (r1.created, r1.updated, r1.unchanged) == (2, 0, 0)
    before = list(Post.objects.order_by("id").values())
    r2 = collect.import_records(sup, "posts", POSTS.encode(), "p.csv")
    assert (r2.created, r2.updated, r2.unchanged) == (0, 0, 2)
    assert list(Post.objects.order_by("id").values()) == before
    # figures grow: the same post with more reads is updated in place
    r3 = collect.import_records(sup, "posts", POSTS.replace(",100,", ",180,").encode(), "p.csv")
    assert (r3.created, r3.updated, r3.unchanged) == (0, 1, 1)
    assert Post.objects.get(remote_id="a1").reads == 180 and Post.objects.count() == 2


def test_json_figures_and_messages(setup):
    sup, acc, town = setup
    figs = [{"account_id": "gh_1", "date": "2026-10-01", "reads": 10, "followers": 500}]
    r = collect.import_records(sup, "figures", json.dumps(figs).encode(), "f.json")
    assert r.created == 1 and DailyFigure.objects.get().followers == 500
    assert (
        collect.import_records(sup, "figures", json.dumps(figs).encode(), "f.json").unchanged == 1
    )
    msgs = "账号ID,留言ID,留言时间,内容,乡镇,点赞\ngh_1,m1,2026-10-01 08:00,路灯坏了,城关镇,5\n"
    r = collect.import_records(sup, "messages", msgs.encode("gbk"), "m.csv")
    assert r.encoding == "gb18030" and r.created == 1
    assert Message.objects.get().town == town


def test_bad_rows_block_the_import_unless_chosen(setup):
    sup, _, _ = setup
    bad = (
        POSTS
        + "gh_x,a3,2026-10-03,未知账号,,,1,,,,\ngh_1,a4,昨天,坏日期,,,1,,,,\ngh_1,a5,2026-10-03,负数,,,-5,,,,\n"
    )
    r = collect.import_records(sup, "posts", bad.encode(), "p.csv")
    msgs = dict(r.errors)
    assert "不在台账中" in msgs[4] and "不是有效日期" in msgs[5] and "不能为负数" in msgs[6]
    assert not Post.objects.exists()
    r = collect.import_records(sup, "posts", bad.encode(), "p.csv", import_valid_rows=True)
    assert r.created == 2 and Post.objects.count() == 2


def test_missing_columns(setup):
    sup, _, _ = setup
    r = collect.import_records(sup, "posts", "标题\n一\n".encode(), "p.csv")
    assert r.file_errors and "缺少必需的列" in r.file_errors[0]


def test_delivery_statistics_of_our_own_accounts_become_posts(setup):
    import datetime as dt

    from django.utils import timezone

    from govhub.channels.models import ChannelAccount, OutboundStat
    from govhub.publishing.models import Publication
    from govhub.publishing.outbox import queue_deliveries

    sup, acc, _ = setup
    ch = ChannelAccount.objects.create(
        platform="wechat", name="示范县发布", remote_id="gh_1", department=acc.department
    )
    pub = Publication.objects.create(
        title="冬季供暖通知", department=acc.department, digest="供暖时间调整"
    )
    pub.targets.set([ch])
    queue_deliveries(pub)
    d = pub.deliveries.get()
    type(d).objects.filter(pk=d.pk).update(state="sent", remote_id="msg-1", sent_at=timezone.now())
    today = timezone.localdate()
    OutboundStat.objects.create(outbound=d, date=today - dt.timedelta(days=1), reads=100, likes=2)
    OutboundStat.objects.create(outbound=d, date=today, reads=40, likes=1)
    assert collect.collect_delivery_statistics() == 1
    post = Post.objects.get(account=acc, remote_id="msg-1")
    assert (post.title, post.reads, post.likes) == ("冬季供暖通知", 140, 3)
    assert collect.collect_delivery_statistics() == 0  # idempotent

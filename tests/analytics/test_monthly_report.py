"""The monthly report a supervisor hands to the county leader: idle accounts named with their
days and a suggestion, other findings with suggestions, assessment scores, platform names in
Chinese, the portal's page views per column, and every month selectable."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from govhub.analytics import reports
from govhub.channels.pageviews import collect_page_views, count_lines, page_path
from govhub.matrix import influence
from govhub.matrix.inspection import idle_accounts
from govhub.matrix.models import Account
from tests.analytics.test_analytics import org  # noqa: F401 - fixture
from tests.matrix.helpers import make_account, make_post


def test_every_month_is_selectable_november_included():
    months = influence.selectable_months(dt.date(2026, 12, 6), earliest=dt.date(2026, 8, 15))
    assert months[:4] == [
        dt.date(2026, 12, 1),
        dt.date(2026, 11, 1),
        dt.date(2026, 10, 1),
        dt.date(2026, 9, 1),
    ]
    assert len(months) == 12 and len(set(months)) == 12  # a year back at least, none twice
    assert dt.date(2026, 2, 1) in influence.selectable_months(
        dt.date(2026, 3, 31), earliest=dt.date(2026, 1, 1)
    )


def test_idle_accounts_are_counted_from_posts_for_any_month(org):  # noqa: F811
    town = org["towns"][0]
    busy = make_account(town, name="城关镇发布")
    idle = make_account(org["bureau"], name="教育局发布")
    make_post(busy, 1)
    make_post(idle, 70)
    rows = idle_accounts(Account.objects.all(), timezone.localdate())
    assert [(r.account.name, r.days) for r in rows] == [("教育局发布", 70)]
    assert "整改通知" in rows[0].suggestion and "教育局" in rows[0].suggestion


def test_report_names_idle_accounts_with_scores_suggestions_and_chinese_platforms(org):  # noqa: F811
    today = timezone.localdate()
    busy = make_account(org["towns"][0], name="城关镇发布")
    make_account(org["bureau"], name="教育局微博", platform="weibo")
    idle = make_account(org["bureau"], name="教育局发布")
    for d in range(0, 20, 2):
        make_post(busy, d, text=f"城关镇第{d}期工作动态", reads=100 + d)
    make_post(idle, 75, text="教育局招生公告")
    html = reports.render_html(org["root"], today.replace(day=1))
    assert "本月未发现问题" not in html
    assert "教育局发布" in html and "75 天" in html  # the idle account, named, with its days
    assert "下发整改通知" in html
    assert "考核得分" in html and "默认考核方案" in html and "城关镇" in html
    assert "微信 2 个" in html and "微博 1 个" in html
    assert "wechat" not in html and "weibo" not in html
    assert "工作建议" in html


LOG = """\
10.0.0.1 - - [{d}:10:00:01 +0800] "GET /zwgk/ HTTP/1.1" 200 100 "-" "Mozilla/5.0 (iPhone)"
10.0.0.2 - - [{d}:10:00:02 +0800] "GET /zwgk/tzgg/index.html HTTP/1.1" 200 100 "-" "Mozilla/5.0"
10.0.0.3 - - [{d}:10:00:03 +0800] "GET /zwgk/?page=2 HTTP/1.1" 200 100 "-" "Mozilla/5.0"
10.0.0.4 - - [{d}:10:00:04 +0800] "GET /static/portal/portal.css HTTP/1.1" 200 100 "-" "Mozilla/5.0"
10.0.0.5 - - [{d}:10:00:05 +0800] "GET /zwgk/ HTTP/1.1" 200 100 "-" "Baiduspider/2.0"
10.0.0.6 - - [{d}:10:00:06 +0800] "POST /zwgk/ HTTP/1.1" 200 100 "-" "Mozilla/5.0"
10.0.0.7 - - [{d}:10:00:07 +0800] "GET /nope/ HTTP/1.1" 404 100 "-" "Mozilla/5.0"
10.0.0.8 - - [{d}:10:00:08 +0800] "GET /admin/pages/ HTTP/1.1" 200 100 "-" "Mozilla/5.0"
10.0.0.9 - - [{other}:10:00:09 +0800] "GET /zwgk/ HTTP/1.1" 200 100 "-" "Mozilla/5.0"
"""


def test_page_views_are_counted_from_the_access_log_once_per_day(db, tmp_path):
    day = dt.date(2026, 11, 3)
    text = LOG.format(d="03/Nov/2026", other="04/Nov/2026")
    counts = count_lines(text.splitlines(), day)
    assert counts == {"/zwgk/": 2, "/zwgk/tzgg/": 1}
    assert page_path("/a/b.jpg") is None and page_path("/a/b") == "/a/b/"
    log = tmp_path / "access.log"
    log.write_text(text, encoding="utf-8")
    assert collect_page_views(day, log) == {"pages": 2, "views": 3}
    assert collect_page_views(day, log) == {"pages": 2, "views": 3}  # again: not doubled
    from govhub.channels.models import PageView

    assert sum(PageView.objects.values_list("views", flat=True)) == 3


@pytest.mark.parametrize("missing", ["no-such.log"])
def test_no_log_counts_nothing(db, tmp_path, missing):
    assert collect_page_views(dt.date(2026, 11, 3), tmp_path / missing) == {"pages": 0, "views": 0}

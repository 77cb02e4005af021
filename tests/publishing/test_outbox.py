"""The outbox against the fake WeChat and Weibo servers: exactly once, whatever fails."""

from __future__ import annotations

import datetime as dt

import pytest

from govhub.channels.base import marker_for
from govhub.channels.models import OutboundStat
from govhub.channels.outbox import run_outbox
from govhub.channels.stats import fetch_statistics
from govhub.publishing.models import DeliveryState
from tests.factories import make_department
from tests.publishing.factories import (
    make_publication,
    queue_deliveries,
    wechat_account,
    weibo_account,
)

pytestmark = pytest.mark.django_db


def drain(rounds: int = 30) -> None:
    for _ in range(rounds):
        if run_outbox(limit=100) == 0:
            return


def test_wechat_article_is_published_once_with_link_back_and_remote_id(wechat_api):
    dept = make_department()
    pub = make_publication(dept, targets=[wechat_account(dept, wechat_api)])
    (d,) = queue_deliveries(pub)
    drain()
    d.refresh_from_db()
    assert d.state == DeliveryState.SENT
    assert d.remote_id.startswith("art-") and d.remote_url.startswith("https://mp.weixin.qq.com/s/")
    assert wechat_api.published_count(marker_for(d)) == 1
    (art,) = [a for a in wechat_api.articles.values()]
    item = art["news_item"][0]
    assert item["content_source_url"].startswith(f"http://127.0.0.1:8000/publishing/p/{pub.pk}/")
    assert 'style="' in item["content"] and item["digest"] == pub.digest


@pytest.mark.parametrize("kind", ["500", "timeout"])
def test_first_calls_failing_still_gives_exactly_one_article(wechat_api, kind):
    dept = make_department()
    pub = make_publication(dept, targets=[wechat_account(dept, wechat_api)])
    (d,) = queue_deliveries(pub)
    wechat_api.fail_next(3, kind, paths=["/cgi-bin/draft/add", "/cgi-bin/freepublish/submit"])
    drain()
    d.refresh_from_db()
    assert d.state == DeliveryState.SENT
    assert d.attempts == 4
    assert wechat_api.published_count() == 1
    assert d.events.filter(kind="retrying").count() == 3


def test_submit_that_timed_out_after_publishing_is_not_posted_again(wechat_api):
    """The ambiguous case: WeChat did the work but the answer never came back."""
    dept = make_department()
    pub = make_publication(dept, targets=[wechat_account(dept, wechat_api)])
    (d,) = queue_deliveries(pub)
    wechat_api.fail_next(1, "timeout_after", paths=["/cgi-bin/freepublish/submit"])
    drain()
    d.refresh_from_db()
    assert d.state == DeliveryState.SENT
    assert wechat_api.published_count() == 1
    assert wechat_api.log.count("/cgi-bin/freepublish/submit") == 1
    assert d.events.filter(kind="found").exists()


def test_draft_that_timed_out_is_found_and_reused(wechat_api):
    dept = make_department()
    pub = make_publication(dept, targets=[wechat_account(dept, wechat_api)])
    (d,) = queue_deliveries(pub)
    wechat_api.fail_next(1, "timeout_after", paths=["/cgi-bin/draft/add"])
    drain()
    d.refresh_from_db()
    assert d.state == DeliveryState.SENT
    assert wechat_api.log.count("/cgi-bin/draft/add") == 1
    assert wechat_api.published_count() == 1 and not wechat_api.drafts


def test_expired_token_in_the_middle_of_a_batch_is_refreshed_once(wechat_api):
    dept = make_department()
    account = wechat_account(dept, wechat_api)
    deliveries = []
    for _ in range(8):
        deliveries += queue_deliveries(make_publication(dept, targets=[account]))
    run_outbox(limit=3)
    assert wechat_api.token_requests == 1
    wechat_api.expire_tokens()
    drain()
    assert wechat_api.token_requests == 2
    assert wechat_api.published_count() == 8
    assert all(
        d.state == DeliveryState.SENT
        for d in (x.__class__.objects.get(pk=x.pk) for x in deliveries)
    )


def test_quota_exhausted_is_retried_later_not_given_up(wechat_api):
    dept = make_department()
    (d,) = queue_deliveries(make_publication(dept, targets=[wechat_account(dept, wechat_api)]))
    wechat_api.fail_next(
        1,
        "errcode",
        paths=["/cgi-bin/draft/add"],
        errcode=45009,
        errmsg="reach max api daily quota limit",
    )
    run_outbox()
    d.refresh_from_db()
    assert d.state == DeliveryState.RETRYING and "45009" in d.last_error
    drain()
    d.refresh_from_db()
    assert d.state == DeliveryState.SENT


def test_rejected_content_gives_up_with_a_chinese_reason_and_alerts_the_editor(
    wechat_api, mailoutbox, django_capture_on_commit_callbacks
):
    from tests.factories import make_user

    dept = make_department()
    editor = make_user(department=dept, role="editor")
    editor.email = "editor@example.gov.cn"
    editor.save()
    pub = make_publication(
        dept,
        author=editor,
        targets=[wechat_account(dept, wechat_api)],
        body="<p>这里有违规测试词</p>",
    )
    (d,) = queue_deliveries(pub)
    with django_capture_on_commit_callbacks(execute=True):
        drain()
    d.refresh_from_db()
    assert d.state == DeliveryState.GAVE_UP
    assert "未通过微信平台审核" in d.last_error
    assert wechat_api.published_count() == 0
    assert len(mailoutbox) == 1 and "发布失败" in mailoutbox[0].subject


def test_wrong_credentials_give_up_at_once(wechat_api):
    dept = make_department()
    account = wechat_account(dept, wechat_api)
    account.app_secret = "not-the-secret"
    account.save()
    (d,) = queue_deliveries(make_publication(dept, targets=[account]))
    drain()
    d.refresh_from_db()
    assert d.state == DeliveryState.GAVE_UP and d.attempts == 1
    assert "凭据无效或已过期" in d.last_error


def test_weibo_post_timed_out_after_posting_is_not_posted_twice(weibo_api):
    dept = make_department()
    pub = make_publication(
        dept, targets=[weibo_account(dept, weibo_api)], short_text="今天起城关镇开展便民服务。"
    )
    (d,) = queue_deliveries(pub)
    weibo_api.fail_next(1, "timeout_after", paths=["/2/statuses/share.json"])
    weibo_api.fail_next(2, "500", paths=["/2/statuses/user_timeline.json"])
    drain()
    d.refresh_from_db()
    assert d.state == DeliveryState.SENT
    assert weibo_api.posted_count() == 1
    (status,) = weibo_api.statuses.values()
    assert len(status["text"]) <= 140 and marker_for(d) in status["text"]
    assert d.remote_url.endswith(status["idstr"])


def test_expired_weibo_grant_gives_up_with_instruction(weibo_api):
    dept = make_department()
    account = weibo_account(dept, weibo_api)
    weibo_api.expire_token("weibo-fake-token")
    (d,) = queue_deliveries(make_publication(dept, targets=[account]))
    drain()
    d.refresh_from_db()
    assert d.state == DeliveryState.GAVE_UP and "重新授权" in d.last_error


def test_statistics_fetch_overwrites_a_day_and_never_doubles(wechat_api, weibo_api):
    dept = make_department()
    wx, wb = wechat_account(dept, wechat_api), weibo_account(dept, weibo_api)
    pub = make_publication(dept, targets=[wx, wb])
    queue_deliveries(pub)
    drain()
    dwx, dwb = pub.deliveries.get(account=wx), pub.deliveries.get(account=wb)
    day = dt.date(2026, 11, 20)
    wechat_api.stats[(dwx.remote_id, day.isoformat())] = {
        "reads": 120,
        "shares": 7,
        "favourites": 2,
    }
    weibo_api.add_figures(dwb.remote_id, comments=3, reposts=5, attitudes=11)
    assert fetch_statistics(day)["rows"] == 2
    assert fetch_statistics(day)["rows"] == 2
    assert OutboundStat.objects.count() == 2
    wechat_api.stats[(dwx.remote_id, day.isoformat())] = {"reads": 150, "shares": 8}
    fetch_statistics(day)
    s = OutboundStat.objects.get(outbound=dwx, date=day)
    assert (s.reads, s.shares, s.is_total) == (150, 8, False)
    s = OutboundStat.objects.get(outbound=dwb, date=day)
    assert (s.likes, s.shares, s.comments, s.is_total) == (11, 5, 3, True)

"""Short video as a channel: a piece carries a video with a cover and a caption; 抖音 gets it
through the open platform (upload, create, status and figures) against a fake that speaks the
platform's shapes; 视频号, which has no publishing interface, waits for the editor and counts once
its link is recorded. Limits and previews per channel show before review."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from govhub.channels import douyin
from govhub.channels.models import ChannelAccount
from govhub.channels.outbox import run_outbox
from govhub.channels.stats import fetch_statistics
from govhub.publishing import actions, video
from govhub.publishing.checks import check_publication
from govhub.publishing.models import PublicationVideo, PubStatus
from tests.channels.videos import mp4_upload
from tests.factories import make_department, make_user
from tests.fakes.douyin_api import FakeDouyinApi
from tests.publishing.factories import make_publication, queue_deliveries

pytestmark = pytest.mark.django_db


@pytest.fixture
def dy():
    with FakeDouyinApi() as fake:
        fake.slow_seconds = 1.0
        yield fake


def douyin_account(dept, fake, **kw) -> ChannelAccount:
    return ChannelAccount.objects.create(
        platform="douyin",
        name="示范县发布（抖音）",
        slug=f"dy-{ChannelAccount.objects.count() + 1}",
        department=dept,
        app_id="dy-client",
        remote_id="dy-open-id-1",
        access_token=kw.get("access_token", "act.fake-1"),
        refresh_token="rft.fake-1",
        api_base=fake.url,
    )


def sph_account(dept) -> ChannelAccount:
    return ChannelAccount.objects.create(
        platform="wechat_channels", name="示范县发布（视频号）", slug="sph-1", department=dept
    )


def _editor(dept):
    return make_user(department=dept, role="editor")


def _piece_with_video(dept, targets, caption="#示范县# 冬季供暖政策三分钟看懂"):
    pub = make_publication(dept, targets=targets)
    video.attach_video(_editor(dept), pub, mp4_upload(), caption)
    return pub


def test_a_video_is_probed_on_upload_and_a_non_video_is_refused_in_chinese():
    dept = make_department()
    pub = make_publication(dept)
    v = video.attach_video(_editor(dept), pub, mp4_upload(seconds=3), "第一行标题\n正文")
    assert (v.container, v.width, v.height) == ("mp4", 72, 128)
    assert 2.5 <= v.duration <= 3.5 and v.size > 0
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(video.VideoError, match="无法识别该视频文件"):
        video.attach_video(_editor(dept), pub, SimpleUploadedFile("x.mp4", b"not a video"))
    assert PublicationVideo.objects.get(publication=pub).duration == v.duration  # kept


def test_douyin_limits_show_among_the_checks_before_review(dy):
    dept = make_department()
    account = douyin_account(dept, dy)
    pub = make_publication(dept, targets=[account])
    msgs = [f.message for f in check_publication(pub)]
    assert any("发布到抖音需要视频" in m for m in msgs)
    video.attach_video(_editor(dept), pub, mp4_upload(), "标" * 31 + "\n正文")
    found = {f.message: f.severity for f in check_publication(pub)}
    assert any("只显示前 30 字" in m and s == "warning" for m, s in found.items())
    PublicationVideo.objects.filter(publication=pub).update(duration=16 * 60, caption="字" * 1001)
    pub.refresh_from_db()
    found = {f.message: f.severity for f in check_publication(pub)}
    assert any("超过抖音 15 分钟上限" in m and s == "blocking" for m, s in found.items())
    assert any("超过抖音 1000 字上限" in m for m in found)


def test_a_video_piece_goes_to_douyin_once_with_cover_and_caption_and_figures_come_back(dy):
    dept = make_department()
    pub = _piece_with_video(dept, [douyin_account(dept, dy)])
    (d,) = queue_deliveries(pub)
    run_outbox()
    d.refresh_from_db()
    assert d.state == "sent" and d.remote_id.startswith("@") and d.detail.startswith("已提交抖音")
    (item,) = dy.items.values()
    assert item["title"] == "#示范县# 冬季供暖政策三分钟看懂"
    assert item["cover"].split("/")[-1].startswith("img")  # the piece's cover image
    assert d.progress["video_id"] in dy.videos
    dy.add_figures(d.remote_id, play_count=1200, digg_count=35, comment_count=4, share_count=6)
    day = timezone.localdate() - dt.timedelta(days=1)
    assert fetch_statistics(day)["rows"] == 1
    stat = d.stats.get(date=day)
    assert (stat.plays, stat.reads, stat.likes, stat.comments, stat.shares, stat.is_total) == (
        1200,
        1200,
        35,
        4,
        6,
        True,
    )


def test_douyin_create_that_timed_out_after_creating_is_found_by_video_id_not_made_twice(dy):
    dept = make_department()
    pub = _piece_with_video(dept, [douyin_account(dept, dy)])
    (d,) = queue_deliveries(pub)
    dy.fail_next(1, "timeout_after", paths=["/api/douyin/v1/video/create_video/"])
    run_outbox()
    d.refresh_from_db()
    assert d.state == "retrying" and d.needs_lookup and d.progress.get("video_id")
    run_outbox()
    d.refresh_from_db()
    assert d.state == "sent" and len(dy.items_of(d.progress["video_id"])) == 1
    assert d.events.filter(kind="found").exists()
    assert len(dy.videos) == 1  # the upload was not repeated either


def test_an_expired_douyin_token_is_renewed_once_with_the_refresh_token(dy):
    dept = make_department()
    account = douyin_account(dept, dy)
    dy.expire_token()
    pub = _piece_with_video(dept, [account])
    (d,) = queue_deliveries(pub)
    run_outbox()
    d.refresh_from_db()
    account.refresh_from_db()
    assert d.state == "sent" and dy.refreshes == 1 and account.access_token == "act.fake-r1"


def test_large_videos_go_up_in_parts(dy, monkeypatch):
    monkeypatch.setattr(douyin, "SINGLE_UPLOAD_BYTES", 1000)
    monkeypatch.setattr(douyin, "PART_BYTES", 1024)
    dept = make_department()
    pub = _piece_with_video(dept, [douyin_account(dept, dy)])
    (d,) = queue_deliveries(pub)
    run_outbox()
    d.refresh_from_db()
    assert d.state == "sent" and dy.videos[d.progress["video_id"]]["parts"] >= 2


def test_weixin_channels_waits_for_the_editor_and_counts_once_the_link_is_recorded():
    dept = make_department()
    editor = _editor(dept)
    pub = _piece_with_video(dept, [sph_account(dept)])
    (d,) = queue_deliveries(pub)
    run_outbox()
    d.refresh_from_db()
    assert d.state == "manual" and d.status_label == "待人工发表" and d.sent_at is None
    assert "视频号不开放发表接口" in d.detail
    with pytest.raises(actions.PublishingError, match="https://"):
        actions.record_manual_publication(editor, d, "视频号里")
    actions.record_manual_publication(
        editor, d, "https://channels.weixin.qq.com/web/pages/feed?x=1"
    )
    d.refresh_from_db()
    assert d.state == "sent" and d.remote_url.startswith("https://channels.weixin.qq.com/")
    assert run_outbox() == 0


def test_editor_uploads_a_video_and_sees_each_channels_preview(client, dy):
    from govhub.core.demo import build_core

    county = build_core()
    dept = county.dept("rmt")
    editor = county.user("editor")
    pub = make_publication(
        dept, author=editor, targets=[douyin_account(dept, dy), sph_account(dept)]
    )
    client.force_login(editor)
    r = client.post(
        f"/admin/publishing/{pub.pk}/video/",
        {"file": mp4_upload(), "caption": "#示范县# 一分钟看懂供暖"},
    )
    assert r.status_code == 302, r.content.decode()[:500]
    page = client.get(f"/admin/publishing/{pub.pk}/").content.decode()
    assert "视频（抖音、视频号）：2 秒" in page
    assert page.count("<video") == 2 and "一分钟看懂供暖" in page
    assert "视频号不开放发表接口" in page
    bad = client.post(
        f"/admin/publishing/{pub.pk}/video/",
        {
            "file": mp4_upload().__class__("x.mp4", b"garbage", "video/mp4"),
            "caption": "保留这段文字",
        },
    )
    text = bad.content.decode()
    assert bad.status_code == 200 and "无法识别该视频文件" in text and "保留这段文字" in text
    assert pub.status == PubStatus.DRAFT

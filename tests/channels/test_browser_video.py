"""In Chromium, as each person: the editor uploads a short video and its caption to a piece
for 抖音 and 视频号 and sees each channel's preview; the reviewer approves it; the piece goes to
Douyin (the fake open platform) and waits for the editor on 视频号, who publishes it there by
hand and records the link — every state in Chinese."""

import pytest

from tests.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, base, username):
    from govhub.core.demo import DEMO_PASSWORD

    page.context.clear_cookies()
    page.goto(base + "/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_editor_and_reviewer_send_a_video_to_douyin_and_weixin_channels(
    page, live_server, settings, tmp_path
):
    from govhub.channels.models import ChannelAccount
    from govhub.core.demo import build_core
    from govhub.publishing import actions
    from govhub.publishing.models import Publication, ReviewPolicy, ReviewStepSpec
    from tests.channels.videos import mp4_bytes
    from tests.factories import restore_wagtail_defaults
    from tests.fakes.douyin_api import FakeDouyinApi
    from tests.publishing.factories import make_image

    restore_wagtail_defaults()  # an earlier transactional test may have flushed the root collection
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    county = build_core()
    rmt = county.dept("rmt")
    policy = ReviewPolicy.objects.create(name="审核", is_default=True)
    ReviewStepSpec.objects.create(policy=policy, order=1, name="审核", action="review_content")
    with FakeDouyinApi() as dy:
        douyin = ChannelAccount.objects.create(
            platform="douyin",
            name="示范县发布（抖音）",
            slug="dy",
            department=rmt,
            app_id="dy-client",
            remote_id="dy-open-id-1",
            access_token="act.fake-1",
            refresh_token="rft.fake-1",
            api_base=dy.url,
        )
        sph = ChannelAccount.objects.create(
            platform="wechat_channels", name="示范县发布（视频号）", slug="sph", department=rmt
        )
        pub, _ = actions.create_publication(
            county.user("editor"),
            department=rmt,
            title="一分钟看懂冬季供暖新政",
            digest="供暖时间提前五天。",
            body="<p>供暖时间提前五天。</p>",
            cover=make_image(),
            targets=[douyin, sph],
        )
        base = live_server.url
        # the editor uploads the video and its caption
        _login(page, base, "editor")
        page.goto(f"{base}/admin/publishing/{pub.pk}/")
        assert "视频（抖音、视频号）：未上传" in page.inner_text("#pub-video")
        page.click("#pub-video a")
        video = tmp_path / "供暖新政.mp4"
        video.write_bytes(mp4_bytes(seconds=3))
        page.set_input_files("#id_file", str(video))
        page.fill("#id_caption", "#示范县# 一分钟看懂冬季供暖新政")
        page.click("#video-form button[type=submit]:not([name])")
        page.wait_for_selector("#pub-video")
        assert "3 秒" in page.inner_text("#pub-video")
        assert page.locator("section.preview-douyin video").count() == 1
        assert "视频号不开放发表接口" in page.inner_text("section.preview-wechat_channels")
        screenshot(page, "video-editor-previews")
        page.click("form[action$='/do/submit/'] button")
        page.wait_for_selector("#pub-status")
        assert page.inner_text("#pub-status") == "审核中"

        # the reviewer approves it: it goes out after the commit
        _login(page, base, "reviewer")
        page.goto(f"{base}/admin/publishing/{pub.pk}/")
        page.click("#review-form button[formaction$='/do/approve/']")
        page.wait_for_selector("#deliveries")
        states = page.locator("#deliveries td.delivery-state").all_inner_texts()
        assert sorted(states) == ["已发送", "待人工发表"]
        assert len(dy.items) == 1
        screenshot(page, "video-signed-off")

        # the editor publishes on 视频号 by hand and records the link
        _login(page, base, "editor")
        page.goto(f"{base}/admin/publishing/{pub.pk}/")
        page.fill(
            "#deliveries input[name=url]", "https://channels.weixin.qq.com/web/pages/feed?eid=demo"
        )
        page.click("#deliveries form[action$='/published/'] button")
        page.wait_for_selector("#deliveries")
        assert page.locator("#deliveries td.delivery-state").all_inner_texts() == [
            "已发送",
            "已发送",
        ]
        screenshot(page, "video-weixin-channels-recorded")
    assert Publication.objects.get(pk=pub.pk).status == "published"

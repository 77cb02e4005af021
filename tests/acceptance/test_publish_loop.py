"""The publishing loop as its four people do it, each with their own login: 王晓燕 (editor) writes a
piece in Draftail with a picture in the body and a cover; 李建国 (reviewer) passes 初审 and then
cannot pass 复审 too; 周文斌 (reviewer2) passes 复审; 张卫东 (signer) signs (终审签发). The piece
goes out once to the portal, WeChat, Weibo, RSS and e-mail, and the citizen sees its cover."""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import pytest

TITLE = "城关镇便民服务中心启用自助办税终端"


def _png(path, colour) -> str:
    from PIL import Image

    Image.new("RGB", (960, 540), colour).save(path, "PNG")
    return str(path)


@pytest.fixture
def platforms(site):
    """The demo's WeChat and Weibo accounts pointed at the fake platforms (the demo ships them
    without credentials: 渠道未配置)."""
    from tests.fakes.wechat_api import FakeWeChatApi
    from tests.fakes.weibo_api import FakeWeiboApi

    wechat, weibo = FakeWeChatApi().start(), FakeWeiboApi().start()
    with site.db():
        from govhub.channels.models import ChannelAccount

        wx = ChannelAccount.objects.get(slug="shifan-wechat")
        wx.app_id, wx.app_secret, wx.api_base = "wx-fake-app", "fake-secret", wechat.url
        wx.save()
        wb = ChannelAccount.objects.get(slug="shifan-weibo")
        wb.access_token, wb.api_base = "weibo-fake-token", weibo.url
        wb.save()
    yield wechat, weibo
    wechat.stop()
    weibo.stop()


def _todo(page, site, group: str) -> str:
    page.goto(site.url + "/admin/")
    panel = page.locator("[data-todo]")
    return panel.inner_text()


def _upload_in_chooser(page, path: str, title: str) -> None:
    modal = page.locator(".modal-dialog")
    modal.get_by_role("tab", name=re.compile("上传")).click()
    modal.locator("input[name='image-chooser-upload-file']").set_input_files(path)
    modal.locator("input[name='image-chooser-upload-title']").fill(title)
    modal.locator("form[data-chooser-modal-creation-form] button[type=submit]").click()


def test_a_piece_goes_through_three_people_and_out_to_every_channel(site, platforms, tmp_path):
    wechat, weibo = platforms
    with site.db():
        from govhub.channels.models import ChannelAccount

        targets = list(
            ChannelAccount.objects.filter(
                slug__in=[
                    "shifan-portal",
                    "shifan-wechat",
                    "shifan-weibo",
                    "shifan-rss",
                    "shifan-email",
                ]
            ).values_list("pk", flat=True)
        )
    assert len(targets) == 5
    figure = _png(tmp_path / "zhongduan.png", (40, 110, 170))
    cover_file = _png(tmp_path / "fengmian.png", (180, 40, 40))

    # 王晓燕 writes: her dashboard offers 写新稿件
    editor = site.login("editor")
    editor.goto(site.url + "/admin/")
    assert "待办稿件" in editor.locator("[data-todo]").inner_text()
    editor.get_by_role("link", name="写新稿件").first.click()
    editor.wait_for_load_state()
    assert "正文（HTML）" not in editor.inner_text("body")
    editor.fill("#id_title", TITLE)
    editor.select_option("#id_department", label="县融媒体中心")
    options = editor.locator("#id_column option").all_inner_texts()
    assert any("部门动态" in o for o in options)
    with site.db():
        from wagtail.models import Page

        articles = Page.objects.filter(content_type__model="articlepage").count()
    assert len(options) < 60 and articles > 100  # columns only, not the hundreds of articles
    editor.select_option("#id_column", label=next(o for o in options if "部门动态" in o))
    editor.fill(
        "#id_digest", "城关镇便民服务中心今起启用两台自助办税终端，群众可自助打印完税证明。"
    )
    draftail = editor.locator(".Draftail-Editor [contenteditable=true]").first
    draftail.click()
    draftail.type(
        "12月起，城关镇便民服务中心启用两台自助办税终端，可办理完税证明打印、社保费缴纳等业务。"
    )
    editor.keyboard.press("Enter")
    editor.keyboard.type("/")  # Draftail's command menu: 图片
    editor.get_by_role("option", name=re.compile("图片")).first.click()
    _upload_in_chooser(editor, figure, "自助办税终端")
    editor.locator("input[name='image-chooser-insertion-format'][value='fullwidth']").check()
    editor.locator("input[name='image-chooser-insertion-alt_text']").fill("自助办税终端")
    site.shot(editor, "editor-image-format")
    editor.locator(".modal-dialog form input[type=submit]").click()
    editor.locator(".Draftail-Editor img").first.wait_for()
    # the cover: the image chooser, uploading a new picture
    editor.locator("#id_cover-chooser .unchosen button").click()
    _upload_in_chooser(editor, cover_file, "便民服务中心封面")
    editor.locator("#id_cover-chooser:not(.blank) img[data-chooser-image]").wait_for()
    for pk in targets:
        editor.locator(f"#id_targets input[value='{pk}']").check()
    site.shot(editor, "editor-writes")
    editor.get_by_role("button", name="保存").click()
    editor.wait_for_load_state()
    assert "已保存" in editor.inner_text("body")
    site.shot(editor, "editor-saved")
    editor.get_by_role("button", name="送审").click()
    editor.wait_for_load_state()
    assert "已送审" in editor.inner_text("body")
    with site.db():
        from govhub.publishing.models import Publication

        pub = Publication.objects.get(title=TITLE)
        pk, body = pub.pk, pub.body
    assert "<img" in body and "自助办税终端" in body
    assert TITLE in _todo(editor, site, "submitted")

    # 李建国 passes 初审 from his 待办, and cannot pass 复审 after it
    reviewer = site.login("reviewer")
    assert TITLE in _todo(reviewer, site, "waiting")
    site.shot(reviewer, "reviewer-todo")
    reviewer.get_by_role("link", name=TITLE).click()
    reviewer.wait_for_load_state()
    reviewer.fill("#review-form textarea", "数据已核实，同意")
    reviewer.get_by_role("button", name="通过").click()
    reviewer.wait_for_load_state()
    assert "已通过，转下一步审核" in reviewer.inner_text("body")
    reviewer.reload()
    assert reviewer.get_by_role("button", name="通过").count() == 0
    refusal = reviewer.locator("#review-refusal").inner_text()
    assert "初审" in refusal and "复审" in refusal
    site.shot(reviewer, "reviewer-cannot-pass-fushen")
    token = next(c["value"] for c in reviewer.context.cookies() if c["name"] == "csrftoken")
    reviewer.request.post(
        f"{site.url}/admin/publishing/{pk}/do/approve/",
        form={"csrfmiddlewaretoken": token, "comment": "再次同意"},
        headers={"Referer": f"{site.url}/admin/publishing/{pk}/"},
    )
    with site.db():
        pub.refresh_from_db()
        assert pub.current_step == 2 and pub.decisions.filter(decision="approve").count() == 1
    assert TITLE not in _todo(reviewer, site, "waiting")

    # 周文斌 passes 复审
    reviewer2 = site.login("reviewer2")
    assert TITLE in _todo(reviewer2, site, "waiting")
    reviewer2.get_by_role("link", name=TITLE).click()
    reviewer2.wait_for_load_state()
    assert "审核：复审" in reviewer2.inner_text("body")
    reviewer2.get_by_role("button", name="通过").click()
    reviewer2.wait_for_load_state()
    assert "已通过，转下一步审核" in reviewer2.inner_text("body")

    # 张卫东 signs
    signer = site.login("signer")
    assert TITLE in _todo(signer, site, "waiting")
    site.shot(signer, "signer-todo")
    signer.get_by_role("link", name=TITLE).click()
    signer.wait_for_load_state()
    body_text = signer.inner_text("body")
    assert "没有权限" not in body_text and "终审签发" in body_text
    signer.fill("#review-form textarea", "同意签发")
    signer.get_by_role("button", name="通过并签发").click()
    signer.wait_for_load_state()
    assert "已签发" in signer.inner_text("body")
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        states = signer.locator("#deliveries .delivery-state").all_inner_texts()
        if len(states) == 5 and set(states) == {"已发送"}:
            break
        time.sleep(1)
        signer.reload()
    site.shot(signer, "signer-deliveries")
    assert states == ["已发送"] * 5, states
    assert wechat.published_count() == 1 and weibo.posted_count() == 1

    with site.db():
        pub.refresh_from_db()
        from govhub.publishing.models import Delivery

        assert Delivery.objects.filter(piece=pub).count() == 5
        assert [d.actor.username for d in pub.decisions.all()] == [
            "editor",
            "reviewer",
            "reviewer2",
            "signer",
        ]
        portal_url = pub.portal_url
    # the citizen reads it on the portal, cover and figure showing
    citizen = site.citizen()
    assert portal_url
    citizen.goto(site.url + urlsplit(portal_url).path)
    assert TITLE in citizen.inner_text("h1")
    images = citizen.locator("article img, main img")
    images.first.wait_for()
    widths = citizen.evaluate(
        "[...document.querySelectorAll('main img, article img')]"
        ".map(i => [i.getAttribute('src'), i.complete ? i.naturalWidth : 0])"
    )
    site.shot(citizen, "citizen-article")
    assert len(widths) >= 2 and all(w > 0 for _, w in widths), widths
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 375  # fits the phone
    feed = citizen.request.get(site.url + "/publishing/feed/shifan-rss.xml").text()
    assert TITLE in feed

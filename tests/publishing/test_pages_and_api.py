"""The back-office pages and the API as the editor, reviewer and administrator use them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from govhub.channels.models import ChannelAccount
from govhub.core.models import Department
from govhub.publishing.models import Delivery, Publication, PubStatus
from tests.publishing.factories import make_image, wechat_account

pytestmark = pytest.mark.django_db


def _dept(code):
    return Department.objects.get(code=code)


def draftail(html: str) -> str:
    """What Draftail posts for ``html`` (its JSON contentstate), as the editor's browser would."""
    from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter

    from govhub.publishing.models import BODY_FEATURES

    return ContentstateConverter(BODY_FEATURES).from_database_format(html)


def test_editor_writes_previews_and_submits_in_the_back_office(county, client, wechat_api):
    account = wechat_account(_dept("rmt"), wechat_api)
    cover = make_image()
    figure = make_image()
    body = draftail(
        '<p>服务点地址：<a href="/media/none.pdf">人民路1号</a>。</p>'
        f'<embed embedtype="image" id="{figure.pk}" format="fullwidth" alt=""/>'
    )
    client.force_login(county.user("editor"))
    assert client.get("/admin/publishing/").status_code == 200
    form = client.get("/admin/publishing/new/").content.decode()
    assert "data-draftail-input" in form and "正文（HTML）" not in form
    res = client.post(
        "/admin/publishing/new/",
        {
            "title": "城关镇便民服务点开放",
            "kind": "article",
            "department": _dept("rmt").pk,
            "digest": "便民服务点今日开放。",
            "rich_body": body,
            "cover": cover.pk,
            "targets": [account.pk],
            "attachment": SimpleUploadedFile("名单.exe", b"MZ"),
        },
    )
    assert res.status_code == 200
    assert "不支持的附件类型" in res.content.decode()
    assert not Publication.objects.exists()  # nothing half-written
    res = client.post(
        "/admin/publishing/new/",
        {
            "title": "城关镇便民服务点开放",
            "kind": "article",
            "department": _dept("rmt").pk,
            "digest": "便民服务点今日开放。",
            "rich_body": body,
            "cover": cover.pk,
            "targets": [account.pk],
            "attachment": SimpleUploadedFile("名单.txt", "联系人 13812345678".encode()),
        },
        follow=True,
    )
    page = res.content.decode()
    pub = Publication.objects.get()
    assert f'embedtype="image" format="fullwidth" id="{figure.pk}"' in pub.rich_body
    assert '<img alt=""' in pub.body and "/media/images/" in pub.body
    assert "缺少替代文字" in page and "无法打开" in page  # image alt + dead internal link
    assert "附件 名单.txt" in page and "138****5678" in page and "13812345678" not in page
    assert "preview-wechat" in page and "阅读原文" in page
    client.post(f"/admin/publishing/{pub.pk}/do/submit/")
    pub.refresh_from_db()
    assert pub.status == PubStatus.IN_REVIEW

    client.force_login(county.user("reviewer"))
    res = client.post(f"/admin/publishing/{pub.pk}/do/approve/", follow=True)
    assert "阻断性问题" in res.content.decode()
    res = client.post(
        f"/admin/publishing/{pub.pk}/do/send_back/",
        {"comment": "附件里有手机号，请删除"},
        follow=True,
    )
    pub.refresh_from_db()
    assert pub.status == PubStatus.SENT_BACK and "附件里有手机号" in res.content.decode()


def test_channel_account_credentials_are_masked_and_kept_when_left_blank(county, client):
    client.force_login(county.admin)
    res = client.post(
        "/admin/channel_accounts/new/",
        {
            "platform": "wechat",
            "name": "示范县发布",
            "slug": "shifan-wx",
            "remote_id": "gh_123",
            "department": _dept("rmt").pk,
            "app_id": "wx123",
            "app_secret": "very-secret-value-42",
            "callback_mode": "plain",
            "enabled": "on",
        },
    )
    assert res.status_code == 302
    account = ChannelAccount.objects.get(slug="shifan-wx")
    listing = client.get("/admin/channel_accounts/").content.decode()
    assert "very-secret-value-42" not in listing and "****42" in listing
    edit = client.get(f"/admin/channel_accounts/edit/{account.pk}/").content.decode()
    assert "very-secret-value-42" not in edit
    client.post(
        f"/admin/channel_accounts/edit/{account.pk}/",
        {
            "platform": "wechat",
            "name": "示范县发布（新）",
            "slug": "shifan-wx",
            "remote_id": "gh_123",
            "department": _dept("rmt").pk,
            "app_id": "wx123",
            "callback_mode": "plain",
            "enabled": "on",
        },
    )
    account.refresh_from_db()
    assert account.name == "示范县发布（新）" and account.app_secret == "very-secret-value-42"
    client.force_login(county.user("editor"))
    assert client.get("/admin/channel_accounts/").status_code in (302, 403)


def test_api_write_submit_approve_and_follow_deliveries(
    county, client, wechat_api, django_capture_on_commit_callbacks
):
    from govhub.api.auth import issue_token

    account = wechat_account(_dept("rmt"), wechat_api)
    editor = {
        "HTTP_AUTHORIZATION": f"Bearer {issue_token(user=county.user('editor'), name='test')[1]}"
    }
    res = client.post(
        "/api/publishing/publications",
        {"title": "示范县发布", "department": "rmt", "body": "<p>正文</p>", "targets": ["nope"]},
        content_type="application/json",
        **editor,
    )
    assert res.status_code == 400 and res.json()["error"] == "unknown_target"
    res = client.post(
        "/api/publishing/publications",
        {
            "title": "示范县发布",
            "department": "rmt",
            "body": "<p>正文</p>",
            "targets": [account.slug],
        },
        content_type="application/json",
        **editor,
    )
    assert res.status_code == 201
    pk = res.json()["id"]
    res = client.post(
        f"/api/publishing/publications/{pk}/submit", {}, content_type="application/json", **editor
    )
    assert res.status_code == 400 and res.json()["details"][0]["code"] == "missing_cover"
    Publication.objects.filter(pk=pk).update(cover=make_image())
    res = client.post(
        f"/api/publishing/publications/{pk}/submit", {}, content_type="application/json", **editor
    )
    assert res.json()["current_step"] == "初审"
    res = client.post(
        f"/api/publishing/publications/{pk}/approve", {}, content_type="application/json", **editor
    )
    assert res.status_code == 403 and "初审" in res.json()["message"]
    reviewer = {
        "HTTP_AUTHORIZATION": f"Bearer {issue_token(user=county.user('reviewer'), name='t')[1]}"
    }
    res = client.post(
        f"/api/publishing/publications/{pk}/approve",
        {},
        content_type="application/json",
        **reviewer,
    )
    assert res.json()["current_step"] == "终审签发"
    client.force_login(county.admin)
    with django_capture_on_commit_callbacks(execute=True):
        res = client.post(
            f"/api/publishing/publications/{pk}/approve",
            {"comment": "签发"},
            content_type="application/json",
        )
    assert res.json()["status"] == "published"
    d = Delivery.objects.get()
    assert (
        d.state == "sent"
        and client.get(f"/api/publishing/publications/{pk}").json()["deliveries"][0]["state"]
        == "sent"
    )
    res = client.post(f"/api/publishing/deliveries/{d.pk}/retry", **editor)
    assert res.status_code == 400 and "重试" in res.json()["message"]
    res = client.post(
        "/api/publishing/check",
        {"text": "身份证 11010519491231002X"},
        content_type="application/json",
    )
    assert res.json()[0]["code"] == "id_number" and "11010519491231002X" not in res.content.decode()
    assert client.get(f"/publishing/p/{pk}/").status_code == 200


def test_body_keeps_image_embeds_and_page_links_and_loses_scripts(county):
    from govhub.publishing.actions import clean_rich_text

    image = make_image()
    dirty = (
        '<p onclick="x()">看<a linktype="page" id="3">这里</a><script>alert(1)</script></p>'
        f'<embed embedtype="image" id="{image.pk}" format="left" alt="图 &quot;一&quot;"/>'
        '<embed embedtype="media" url="http://evil"/>'
    )
    clean = clean_rich_text(dirty)
    assert "onclick" not in clean and "script" not in clean and "evil" not in clean
    assert '<a id="3" linktype="page">这里</a>' in clean
    assert (
        f'<embed alt="图 &quot;一&quot;" embedtype="image" format="left" id="{image.pk}"/>' in clean
    )
    pub = Publication(rich_body=clean)
    assert '<img alt="图 &quot;一&quot;"' in pub.body and "/media/images/" in pub.body


def test_api_refuses_articles_as_columns_unknown_images_and_non_pictures(county, client):
    from wagtail.models import Page

    from govhub.api.auth import issue_token

    editor = {
        "HTTP_AUTHORIZATION": f"Bearer {issue_token(user=county.user('editor'), name='t')[1]}"
    }
    not_a_column = Page.objects.filter(depth=2).first()
    res = client.post(
        "/api/publishing/publications",
        {"title": "栏目不对", "department": "rmt", "column": not_a_column.pk},
        content_type="application/json",
        **editor,
    )
    assert res.status_code == 400 and res.json()["error"] == "invalid_column"
    res = client.post(
        "/api/publishing/publications",
        {"title": "图片不存在", "department": "rmt", "cover": 987654},
        content_type="application/json",
        **editor,
    )
    assert res.status_code == 400 and "987654" in res.json()["message"]
    assert not Publication.objects.exists()
    res = client.post(
        "/api/publishing/images",
        {"file": SimpleUploadedFile("假图片.png", b"not a picture")},
        **editor,
    )
    assert res.status_code == 400 and res.json()["message"] == "文件不是可以打开的图片"
    res = client.post(
        "/api/publishing/images",
        {"file": SimpleUploadedFile("图.png", _png_bytes()), "title": "示范图"},
        **editor,
    )
    assert res.status_code == 201 and res.json()["title"] == "示范图"
    assert res.json()["url"].startswith("/media/")


def _png_bytes() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (20, 10), (1, 2, 3)).save(buf, "PNG")
    return buf.getvalue()


def test_page_type_usage_offers_create_only_to_who_may_create(county, client):
    from wagtail.models import Page

    from govhub.portal.models import HomePage

    client.force_login(county.user("reviewer"))
    res = client.get("/admin/pages/usage/portal/homepage/")
    assert "/admin/pages/create/" not in res.content.decode()
    client.force_login(county.admin)
    res = client.get("/admin/pages/usage/portal/articlepage/")
    assert res.status_code == 200  # no column anywhere: nowhere to create an article
    assert "/admin/pages/create/portal/articlepage" not in res.content.decode()
    assert (
        "/admin/pages/create/portal/homepage"
        in client.get("/admin/pages/usage/portal/homepage/").content.decode()
    )
    Page.objects.get(depth=1).add_child(instance=HomePage(title="示范县", slug="shifan"))
    assert (
        "/admin/pages/create/portal/homepage"
        not in client.get("/admin/pages/usage/portal/homepage/").content.decode()
    )  # there is one already (max_count)


def test_staff_preview_the_piece_page_before_it_is_published(county, client, wechat_api):
    from govhub.publishing import actions

    pub, _ = actions.create_publication(
        county.user("editor"), department=_dept("rmt"), title="尚未发布的稿件", body="<p>正文</p>"
    )
    assert client.get(f"/publishing/p/{pub.pk}/").status_code == 404  # a visitor
    client.force_login(county.user("handler"))
    assert client.get(f"/publishing/p/{pub.pk}/").status_code == 404  # staff who may not see it
    client.force_login(county.user("editor"))
    page = client.get(f"/publishing/p/{pub.pk}/").content.decode()
    assert "预览：本稿件尚未发布" in page and "尚未发布的稿件" in page

"""长者模式 and 繁體 visitors are served files written at publish time too, byte for byte what the
live page would be, and a publish never leaves a stale variant behind."""

from __future__ import annotations

import pytest

from govhub.core.text import to_traditional
from govhub.portal import publish
from govhub.portal.models import ArticlePage

pytestmark = pytest.mark.django_db

COOKIES = {
    "elder": {"gh_elder": "1"},
    "hant": {"gh_script": "hant"},
    "elder-hant": {"gh_elder": "1", "gh_script": "hant"},
}


def files_of(root) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text("utf-8") for p in root.rglob("*") if p.is_file()}


def containing(root, text: str) -> set[str]:
    return {name for name, body in files_of(root).items() if text in body}


@pytest.fixture
def published_site(site, published_root):
    publish.publish_all()
    return site


def _get(client, url, cookies):
    client.cookies.clear()
    for name, value in cookies.items():
        client.cookies[name] = value
    response = client.get(url)
    body = (
        b"".join(response.streaming_content) if response.streaming else response.content
    ).decode()
    return response, body


@pytest.mark.parametrize("variant", sorted(COOKIES))
def test_each_variant_is_served_from_its_file_and_equals_the_live_page(
    client, published_site, published_root, variant
):
    urls = ["/", published_site["gjj"].url, published_site["news"].url, "/yaowen/page/2/"]
    served = {}
    for url in urls:
        response, body = _get(client, url, COOKIES[variant])
        assert response.status_code == 200 and response["X-Govhub-Published"] == "1"
        served[url] = body
    (published_root / publish.ADDRESS_MARKER).unlink()  # no current files: everything live
    for url in urls:
        response, live = _get(client, url, COOKIES[variant])
        assert "X-Govhub-Published" not in response
        assert served[url] == live, url
    article = served[published_site["gjj"].url]
    if "elder" in variant:
        leave = to_traditional("退出长者模式") if "hant" in variant else "退出长者模式"
        assert 'class="elder"' in article and leave in article
    else:
        assert 'class="elder"' not in article
    if "hant" in variant:
        assert to_traditional("住房公积金提取办理指南") in article and 'lang="zh-Hans"' in article
        assert "住房公积金提取办理指南" not in article
    else:
        assert "住房公积金提取办理指南" in article


def test_feeds_are_the_same_in_every_variant(client, published_site, published_root):
    standard = (published_root / "yaowen/rss.xml").read_bytes()
    for variant, cookies in COOKIES.items():
        assert (published_root / ".variants" / variant / "yaowen/rss.xml").read_bytes() == standard
        response, body = _get(client, "/yaowen/rss.xml", cookies)
        assert response["X-Govhub-Published"] == "1" and body.encode() == standard


def test_other_cookie_values_get_the_standard_page(client, published_site):
    response, body = _get(client, published_site["gjj"].url, {"gh_elder": "0", "gh_script": "x"})
    assert response["X-Govhub-Published"] == "1"
    assert 'class="elder"' not in body and "住房公积金提取办理指南" in body


def test_the_variant_folder_is_not_reachable_by_its_path(client, published_site):
    gjj = published_site["gjj"].url
    assert publish.file_for("/.variants/elder" + gjj) is None
    response = client.get("/.variants/elder" + gjj)
    assert response.status_code == 404 and "X-Govhub-Published" not in response


def test_publishing_an_edit_rewrites_every_variant(
    published_site, published_root, django_capture_on_commit_callbacks
):
    page = ArticlePage.objects.get(pk=published_site["articles"][0].pk)
    old_title = page.title
    elder_files = containing(published_root / ".variants/elder", old_title)
    assert {"index.html", "yaowen/index.html"} <= elder_files
    assert {"index.html", "yaowen/index.html"} <= containing(
        published_root / ".variants/hant", to_traditional(old_title)
    )
    page.title = "县政府召开专题会议研究民生实事"
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    assert containing(published_root, old_title) == set()
    assert containing(published_root, to_traditional(old_title)) == set()
    for variant in ("", ".variants/elder"):
        now = containing(published_root / variant, "县政府召开专题会议研究民生实事")
        assert {"index.html", "yaowen/index.html", "yaowen/rss.xml"} <= now
    for variant in (".variants/hant", ".variants/elder-hant"):
        now = containing(published_root / variant, to_traditional("县政府召开专题会议研究民生实事"))
        assert {"index.html", "yaowen/index.html"} <= now


def test_unpublish_and_move_remove_the_old_files_of_every_variant(
    published_site, published_root, django_capture_on_commit_callbacks
):
    gone = ArticlePage.objects.get(pk=published_site["articles"][1].pk)
    url = gone.url
    assert all(publish.file_for(url, v).exists() for v in publish.VARIANTS)
    with django_capture_on_commit_callbacks(execute=True):
        gone.unpublish()
    assert not any(publish.file_for(url, v).exists() for v in publish.VARIANTS)

    page = ArticlePage.objects.get(pk=published_site["gjj"].pk)
    old_url = page.url
    with django_capture_on_commit_callbacks(execute=True):
        page.move(published_site["news"], pos="last-child")
    page.refresh_from_db()
    for variant in publish.VARIANTS:
        assert not publish.file_for(old_url, variant).exists()
        assert publish.file_for(page.url, variant).exists()

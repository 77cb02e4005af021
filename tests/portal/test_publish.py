"""Pages rendered at publish time: no stale page survives a publish, unpublish or move."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from govhub.portal import publish
from govhub.portal.models import ArticlePage

pytestmark = pytest.mark.django_db


def published_files(root) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text("utf-8") for p in root.rglob("*") if p.is_file()}


def containing(root, text: str) -> set[str]:
    return {name for name, body in published_files(root).items() if text in body}


@pytest.fixture
def published_site(site, published_root):
    publish.publish_all()
    return site


def test_publish_all_writes_every_page_list_and_feed(published_site, published_root):
    files = published_files(published_root)
    assert "index.html" in files
    assert "yaowen/index.html" in files and "yaowen/page/2/index.html" in files
    assert "yaowen/rss.xml" in files and "yaowen/atom.xml" in files
    assert any(name.startswith("xxgk/zcwj/") for name in files)


def test_anonymous_visitor_gets_the_published_file_staff_get_the_live_page(
    client, published_site, published_root
):
    gjj = published_site["gjj"]
    target = publish.file_for(gjj.url)
    target.write_text("<html>published copy</html>", "utf-8")
    anonymous = client.get(gjj.url)
    assert anonymous["X-Govhub-Published"] == "1"
    assert b"".join(anonymous.streaming_content) == b"<html>published copy</html>"
    staff = get_user_model().objects.create_superuser("boss", "b@example.com", "pw-12345678")
    client.force_login(staff)
    live = client.get(gjj.url)
    assert "X-Govhub-Published" not in live and "住房公积金提取办理指南" in live.content.decode()


def test_publishing_an_edit_rewrites_every_dependent_page_before_it_returns(
    published_site, published_root, django_capture_on_commit_callbacks
):
    page = ArticlePage.objects.get(pk=published_site["articles"][0].pk)
    old_title = page.title
    assert containing(published_root, old_title) >= {"index.html", "yaowen/index.html"}
    page.title = "县政府召开专题会议研究民生实事"
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    assert containing(published_root, old_title) == set()
    now = containing(published_root, "县政府召开专题会议研究民生实事")
    assert {"index.html", "yaowen/index.html", "yaowen/rss.xml", "yaowen/atom.xml"} <= now
    assert any(name.endswith("/index.html") and name.count("/") == 2 for name in now)


def test_a_new_article_shifts_the_column_pages_and_feeds(
    published_site, published_root, django_capture_on_commit_callbacks
):
    news = published_site["news"]
    fresh = ArticlePage(title="我县启动秋季植树造林活动", body="<p>植树</p>", live=False)
    news.add_child(instance=fresh)
    with django_capture_on_commit_callbacks(execute=True):
        fresh.save_revision().publish()
    assert "yaowen/index.html" in containing(published_root, "我县启动秋季植树造林活动")
    # 26 articles now: page 2 holds 6; the one pushed off page 1 is on page 2's file
    page2 = (published_root / "yaowen/page/2/index.html").read_text("utf-8")
    assert page2.count("<time datetime=") == 6


def test_unpublish_removes_the_page_and_every_list_mention(
    published_site, published_root, django_capture_on_commit_callbacks
):
    gone = ArticlePage.objects.get(pk=published_site["articles"][1].pk)
    title = gone.title
    url = gone.url
    with django_capture_on_commit_callbacks(execute=True):
        gone.unpublish()
    assert not publish.file_for(url).exists()
    assert containing(published_root, title) == set()


def test_move_deletes_the_old_url_and_updates_both_columns(
    client, published_site, published_root, django_capture_on_commit_callbacks
):
    page = ArticlePage.objects.get(pk=published_site["gjj"].pk)
    old_url = page.url
    with django_capture_on_commit_callbacks(execute=True):
        page.move(published_site["news"], pos="last-child")
    page.refresh_from_db()
    assert not publish.file_for(old_url).exists()
    assert publish.file_for(page.url).exists()
    assert "bsfw/index.html" not in containing(published_root, "住房公积金提取办理指南")
    assert "yaowen/index.html" in containing(published_root, "住房公积金提取办理指南")
    moved = client.get(old_url)  # Wagtail's redirects app keeps old links working
    assert moved.status_code == 301 and moved["Location"] == page.url

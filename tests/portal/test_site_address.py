"""The site knows its own address (GOVHUB_SITE_URL): every absolute link names it, whatever
host a request carried or Wagtail's Site record says; and the portal's own links all open."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from govhub.portal import address, publish
from govhub.portal.models import ArticlePage

pytestmark = pytest.mark.django_db

ELSEWHERE = "https://zwgk.shifan.gov.example:8443"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def moved(settings):
    settings.SITE_URL = ELSEWHERE
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "zwgk.shifan.gov.example"]
    return ELSEWHERE


def test_feeds_name_the_sites_address_not_localhost(client, site, moved):
    rss = ET.fromstring(client.get("/yaowen/rss.xml").content).find("channel")
    links = [rss.findtext("link")] + [i.findtext("link") for i in rss.findall("item")]
    assert links and all(link.startswith(ELSEWHERE + "/yaowen/") for link in links), links
    atom = ET.fromstring(client.get("/yaowen/atom.xml").content)
    hrefs = [e.get("href") for e in atom.iter(f"{ATOM}link")]
    assert hrefs and all(h.startswith(ELSEWHERE + "/") for h in hrefs), hrefs


def test_site_wide_feed_is_advertised_and_lists_every_column(client, site, moved):
    home = client.get("/").content.decode()
    assert 'rel="alternate" type="application/rss+xml"' in home and 'href="/rss.xml"' in home
    assert ">RSS</a>" in home  # a visible link, not only the head's
    channel = ET.fromstring(client.get("/rss.xml").content).find("channel")
    assert channel.findtext("title").endswith("最新信息")
    items = [i.findtext("link") for i in channel.findall("item")]
    expected = min(30, ArticlePage.objects.live().count())
    assert len(items) == expected and all(link.startswith(ELSEWHERE + "/") for link in items)
    assert {link.split("/")[3] for link in items} >= {"yaowen"}
    atom = client.get("/atom.xml")
    assert atom.status_code == 200 and atom["Content-Type"].startswith("application/atom+xml")


def test_sitemap_canonical_and_robots_name_the_sites_address(client, site, moved):
    sitemap = client.get("/sitemap.xml", HTTP_HOST="127.0.0.1").content.decode()
    locs = [
        e.text
        for e in ET.fromstring(sitemap).iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
    ]
    assert locs and all(loc.startswith(ELSEWHERE + "/") for loc in locs)
    assert f'<link rel="canonical" href="{ELSEWHERE}{site["gjj"].url}">' in (
        client.get(site["gjj"].url).content.decode()
    )
    assert f"Sitemap: {ELSEWHERE}/sitemap.xml" in client.get("/robots.txt").content.decode()


def test_published_files_are_rendered_for_the_sites_address_and_redone_when_it_moves(
    client, site, settings, published_root
):
    publish.publish_all()
    assert publish.rendered_for() == address.site_url() == "http://127.0.0.1:8000"
    feed = (published_root / "yaowen" / "rss.xml").read_text("utf-8")
    assert "http://127.0.0.1:8000/yaowen/" in feed and "localhost" not in feed
    assert client.get("/yaowen/")["X-Govhub-Published"] == "1"
    settings.SITE_URL = ELSEWHERE  # another PORT, another host: the files are stale
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "zwgk.shifan.gov.example"]
    stale = client.get("/yaowen/")
    assert "X-Govhub-Published" not in stale and ELSEWHERE in stale.content.decode()
    publish.publish_all()
    assert ELSEWHERE + "/yaowen/" in (published_root / "yaowen" / "rss.xml").read_text("utf-8")
    assert client.get("/yaowen/")["X-Govhub-Published"] == "1"


@pytest.mark.parametrize(
    "url, hostname, port",
    [
        ("https://www.shifan.gov.example", "www.shifan.gov.example", 443),
        ("http://10.0.0.5:8123", "10.0.0.5", 8123),
    ],
)
def test_wagtails_site_record_follows_the_address(site, settings, url, hostname, port):
    """Wagtail's own absolute links (page.full_url, used for WeChat links) agree with ours."""
    from wagtail.models import Site

    settings.SITE_URL = url
    assert address.sync_site()
    default = Site.objects.get(is_default_site=True)
    assert (default.hostname, default.port) == (hostname, port)
    assert site["gjj"].full_url.startswith(url + "/")
    assert not address.sync_site()


def test_html_site_map_lists_columns_and_services_and_the_footer_points_at_it(client, site):
    home = client.get("/").content.decode()
    assert '<a href="/sitemap/">网站地图</a>' in home and 'href="/sitemap.xml">网站地图' not in home
    response = client.get("/sitemap/")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "<h1>网站地图</h1>" in html
    for text in ("政务要闻", "政府信息公开", "领导信箱", "智能问答", 'href="/rss.xml"'):
        assert text in html, text


def test_no_dead_tiles_services_address_and_favicon(client, site):
    home = client.get("/").content.decode()
    assert 'href="/participation/surveys/">在线调查' in home
    for link in ("/participation/surveys/", "/services/"):
        assert client.get(link).status_code == 200, link
    favicon = client.get("/favicon.ico")
    assert favicon.status_code == 200 and favicon["Content-Type"] == "image/x-icon"
    assert b"".join(favicon.streaming_content)[:4] == b"\x00\x00\x01\x00"


def test_portal_publish_command_moves_the_site_to_its_new_address(site, moved, published_root):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("portal_publish", stdout=out)
    assert f"网站地址已改为 {ELSEWHERE}" in out.getvalue()
    assert publish.rendered_for() == ELSEWHERE
    assert f'href="{ELSEWHERE}/"' in (published_root / "index.html").read_text("utf-8")

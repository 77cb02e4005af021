"""Links (internal resolved against the site, external fetched with a timeout), the availability
probe, and the portal's self-check report."""

from __future__ import annotations

import datetime as dt
import http.server
import threading
import time

import pytest
from django.utils import timezone

from govhub.safety import links
from govhub.safety.models import SiteProbe
from govhub.safety.probe import probe_site, weekly_availability

pytestmark = pytest.mark.django_db


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the stdlib's name
        if self.path.startswith("/hang"):
            time.sleep(3)
        if self.path.startswith("/loop"):
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
            return
        if self.path.startswith("/missing"):
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write("<p>好</p>".encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_external_links_that_hang_redirect_forever_or_fail(server, settings):
    settings.SAFETY_LINKCHECK_ALLOW_PRIVATE = True
    started = time.perf_counter()
    found = links.check_links(
        [f"{server}/ok", f"{server}/hang", f"{server}/loop", f"{server}/missing"], timeout=1.0
    )
    assert time.perf_counter() - started < 5
    by = {f.excerpt.rsplit("/", 1)[-1]: f.message for f in found}
    assert set(by) == {"hang", "loop", "missing"}
    assert "秒内未打开" in by["hang"] and "重定向" in by["loop"] and "404" in by["missing"]


def test_private_addresses_are_not_fetched_and_blocked_domains_block(settings):
    settings.SAFETY_LINKCHECK_ALLOW_PRIVATE = False
    (f,) = links.check_links(["http://127.0.0.1:9/admin"], timeout=1.0)
    assert "内网" in f.message
    (b,) = links.check_links(["https://www.bad.example/x"], blocked_domains=["bad.example"])
    assert b.code == "blocked_link" and b.blocking


def test_internal_links_resolve_against_the_portal(settings, tmp_path):
    settings.PUBLISHED_ROOT = tmp_path / "published"
    from tests.portal.site import build_site

    pages = build_site(news_count=2)
    live = pages["news"].url
    assert links.internal_link_alive(live)
    assert not links.internal_link_alive(live + "no-such-page/")
    (f,) = links.check_links([live, live + "no-such-page/"], external=False)
    assert f.code == "dead_link"


def test_the_probe_counts_a_page_that_does_not_answer_in_time(server):
    assert probe_site(f"{server}/ok").ok
    slow = probe_site(f"{server}/hang", timeout=1.0)
    assert not slow.ok and "秒" in slow.reason
    week = weekly_availability()
    assert week["probes"] == 2 and week["failed"] == 1 and week["veto"]


def test_self_check_report_in_the_inspections_form(county, settings, tmp_path):
    from govhub.analytics.selfcheck import self_check

    settings.PUBLISHED_ROOT = tmp_path / "published"
    from tests.portal.site import build_site

    build_site(news_count=2)
    now = timezone.now()
    for i in range(40):
        SiteProbe.objects.create(at=now - dt.timedelta(hours=i), url="/", ok=i != 3)
    report = self_check(use_cache=False)
    by = {i.indicator: i for i in report.items}
    assert {
        "站点无法访问",
        "首页不更新",
        "栏目不更新",
        "严重错别字、严重表述错误",
        "互动回应差",
        "链接不可用",
    } <= set(by)
    assert by["站点无法访问"].status == "pass" and "2.5%" in by["站点无法访问"].detail
    assert {i.group for i in report.items} == {"veto", "deduct", "bonus"}


def test_the_supervisor_reads_the_report(county, client):
    client.force_login(county.user("supervisor"))
    page = client.get("/admin/analytics/selfcheck/")
    html = page.content.decode()
    assert page.status_code == 200
    assert (
        "单项否决指标" in html
        and "扣分指标" in html
        and "加分指标" in html
        and "即将不达标" in html
    )
    client.force_login(county.user("editor"))
    assert client.get("/admin/analytics/selfcheck/").status_code in (302, 403)

"""The Content-Security-Policy in Chromium: citizens on a phone and staff at their desks use the
portal, the letter form and map, the chat widget, Swagger UI, Wagtail's page editor (Draftail,
its image chooser, an inline panel), the ECharts dashboards, a letter's map and the WeChat
simulator, and the browser refuses nothing and no script fails."""

from __future__ import annotations

import pytest


@pytest.fixture
def tiles(settings, site):
    """A tile server on the site's own address (Leaflet then draws the letter maps)."""
    settings.MAP_TILE_URL = site.url + "/static/leaflet/images/layers.png?z={z}&x={x}&y={y}"


def _clean(site) -> None:
    assert site.csp_violations == [], "\n".join(site.csp_violations[:10])
    assert site.script_errors == [], "\n".join(site.script_errors[:10])


def test_citizens_pages_run_with_no_inline_script(site, tiles):
    with site.db():
        from govhub.participation.models import Consultation, ConsultationStatus
        from govhub.portal.models import ArticlePage

        article = ArticlePage.objects.live().exact_type(ArticlePage).first().url
        consultation = Consultation.objects.filter(status=ConsultationStatus.PUBLISHED).first()
    citizen = site.citizen()
    for path in (
        "/",
        article,
        "/services/",
        "/participation/",
        "/search/?q=医保",
        "/report-error/",
    ):
        citizen.goto(site.url + path)
        policy = citizen.evaluate(
            "async () => (await fetch(location.href)).headers.get('content-security-policy')"
        )
        assert "script-src 'self'" in [d.strip() for d in policy.split(";")], (path, policy)
    site.shot(citizen, "article")

    # the chat widget (qa/entry.js) opens its panel
    citizen.goto(site.url + "/")
    citizen.click("#qa-entry")
    citizen.locator("#qa-panel").wait_for()
    site.shot(citizen, "chat-entry")

    # the letter form: villages follow the chosen town (letters/village.js)
    citizen.goto(site.url + "/letters/write/")
    assert citizen.locator("#id_village").is_disabled()
    town = citizen.locator("#id_town option").nth(1)
    citizen.select_option("#id_town", value=town.get_attribute("value"))
    assert citizen.locator("#id_village").is_enabled()
    offered = citizen.locator("#id_village option[data-town]").count()
    assert 0 < offered < 40
    site.shot(citizen, "letter-form")

    # the map of open problems (letters/map.js) draws its markers
    citizen.goto(site.url + "/letters/map/")
    citizen.locator("#letters-map[data-ready]").wait_for()
    assert int(citizen.get_attribute("#letters-map", "data-ready")) > 0
    site.shot(citizen, "letters-map")

    if consultation is not None:
        citizen.goto(site.url + f"/participation/consultations/{consultation.pk}/")
        site.shot(citizen, "consultation")

    # Swagger UI from the site's own files
    desk = site.citizen(phone=False)
    desk.goto(site.url + "/api/docs")
    desk.locator(".swagger-ui .info .title").wait_for()
    site.shot(desk, "swagger")
    _clean(site)


def test_staff_pages_run_under_the_policy(site, tiles, monkeypatch):
    from govhub.core import csp

    with site.db():
        from govhub.channels.models import ChannelAccount, Platform
        from govhub.portal.models import ArticlePage

        article = ArticlePage.objects.live().exact_type(ArticlePage).first().pk
        from django.contrib.auth import get_user_model

        from govhub.letters.access import visible_letters

        dispatcher = get_user_model().objects.get(username="dispatcher")
        letter = visible_letters(dispatcher).filter(latitude__isnull=False).first().pk
        account = ChannelAccount.objects.filter(platform=Platform.WECHAT).first().pk

    # the editor writes in Draftail and opens its image chooser (publishing's own form)
    editor = site.login("editor")
    editor.goto(site.url + "/admin/")
    editor.get_by_role("link", name="写新稿件").first.click()
    editor.wait_for_load_state()
    draftail = editor.locator(".Draftail-Editor [contenteditable=true]").first
    draftail.click()
    draftail.type("县城区今冬供暖设施检修完毕。")
    editor.keyboard.press("Enter")
    editor.keyboard.type("/")
    editor.get_by_role("option", name="图片").first.click()
    editor.locator(".modal-dialog").wait_for()
    site.shot(editor, "draftail-image-chooser")

    # Wagtail's own page editor: Draftail, the date pickers and an inline panel (附件).
    # Under the public policy Chromium refuses its inline scripts: the back office needs
    # 'unsafe-inline', and nothing more
    admin = site.login("admin")
    before, errors_before = len(site.csp_violations), len(site.script_errors)
    with monkeypatch.context() as strict:
        strict.setattr(csp, "WAGTAIL_ADMIN", {"script-src": ["'self'"]})
        admin.goto(site.url + f"/admin/pages/{article}/edit/")
        admin.wait_for_load_state("networkidle")
    refused = site.csp_violations[before:]
    assert refused and all("inline" in v and "script-src" in v for v in refused), refused
    del site.csp_violations[before:]
    del site.script_errors[errors_before:]
    admin.goto(site.url + f"/admin/pages/{article}/edit/")
    body = admin.locator(".Draftail-Editor [contenteditable=true]").first
    body.click()
    body.press("End")
    body.type("（补充）")
    admin.locator("#id_attachments-ADD").click()
    admin.locator("[id^='inline_child_attachments-']").first.wait_for()
    site.shot(admin, "page-editor")

    # a letter's place on the map (letters/letter-map.js), for the dispatcher who sees it
    desk = site.login("dispatcher")
    desk.goto(site.url + f"/admin/letters/{letter}/")
    desk.locator("#letter-map[data-ready='1']").wait_for()
    assert desk.locator("#letter-map .leaflet-marker-icon").count() == 1
    site.shot(desk, "letter-map")

    # the WeChat simulator (wechat/simulator.js) sends and shows the reply
    admin.goto(site.url + f"/admin/wechat/{account}/simulator/")
    admin.fill("#sim-input", "办事指南")
    admin.press("#sim-input", "Enter")
    admin.locator("#sim-log .bubble.bot, #sim-log .bubble.sys").first.wait_for()
    site.shot(admin, "wechat-simulator")

    # the supervisor's ECharts dashboards
    supervisor = site.login("supervisor")
    supervisor.goto(site.url + "/admin/analytics/")
    supervisor.locator('.gh-chart[data-rendered="echarts"] canvas').first.wait_for()
    site.shot(supervisor, "dashboards")
    _clean(site)

"""The Content-Security-Policy in Chromium: citizens on a phone and staff at their desks use the
portal, the letter form and map, the chat widget, Swagger UI, Wagtail's page editor (Draftail,
its image chooser, an inline panel), the ECharts dashboards, a letter's map and the WeChat
simulator, and the browser refuses nothing and no script fails.

Styles too come only from static files (style-src 'self'): every portal page in every mode
(plain, 长者模式, 繁體) on a phone and a desk, the citizens' forms, the error pages (Django's
and the one nginx serves when the application is down) and our own staff pages, which are
opened under a policy with Wagtail's inline styles taken away, so that what they need is known."""

from __future__ import annotations

import pytest

from tests.acceptance.conftest import DESKTOP, PHONE

MODES = {"plain": {}, "elder": {"gh_elder": "1"}, "hant": {"gh_script": "hant"}}


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
    # Under the public policy for scripts Chromium refuses its inline scripts: the back office
    # needs 'unsafe-inline' for them, and nothing more (its inline styles stay allowed here)
    admin = site.login("admin")
    before, errors_before = len(site.csp_violations), len(site.script_errors)
    with monkeypatch.context() as strict:
        strict.setattr(
            csp,
            "WAGTAIL_ADMIN",
            {"script-src": ["'self'"], "style-src": ["'self'", "'unsafe-inline'"]},
        )
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


def _policy(header: str) -> dict[str, list[str]]:
    return {p.split()[0]: p.split()[1:] for p in header.split(";") if p.strip()}


def _strict_styles(response, path: str) -> None:
    """The page came with a policy that allows no inline style."""
    policy = _policy(response.headers["content-security-policy"])
    assert policy["style-src"] == ["'self'"], (path, policy["style-src"])


def _styled(page) -> bool:
    """The page's own stylesheets arrived (a page that lost them would still count no
    violation): at least one non-empty stylesheet from /static/ and none that failed."""
    return page.evaluate(
        """() => [...document.styleSheets].some(s => s.href && s.href.includes('/static/')
                                                && s.cssRules.length > 0)"""
    )


def _citizen_paths(site) -> list[str]:
    """Every kind of page a citizen reaches, with real ids from the demo county."""
    with site.db():
        from govhub.participation.models import (
            Consultation,
            ConsultationStatus,
            Interview,
            Post,
            Survey,
            SurveyStatus,
        )
        from govhub.portal.models import ArticlePage, ColumnPage
        from govhub.services.models import QueryConnector, ServiceGuide

        article = ArticlePage.objects.live().exact_type(ArticlePage).first()
        column = ColumnPage.objects.live().first()
        survey = Survey.objects.filter(status=SurveyStatus.PUBLISHED, results_public=True).first()
        consultation = Consultation.objects.filter(status=ConsultationStatus.PUBLISHED).first()
        post = Post.objects.order_by("pk").first()
        interview = Interview.objects.order_by("pk").first()
        guide = ServiceGuide.objects.order_by("pk").first()
        query = QueryConnector.objects.filter(enabled=True).order_by("pk").first()
        # the bodies of published pages carry no style attribute (the publishing path cleans
        # them with nh3, Draftail keeps none): what the policy would refuse is not there
        styled = [p.pk for p in ArticlePage.objects.live() if "style=" in (p.body or "")]
        assert styled == [], styled
    return [
        "/",
        article.url,
        column.url,
        "/sitemap/",
        "/search/?q=医保",
        "/report-error/",
        "/qa/",
        "/letters/",
        "/letters/write/",
        "/letters/track/",
        "/letters/archive/",
        "/letters/stats/",
        "/letters/map/",
        "/participation/",
        "/participation/board/",
        "/participation/board/new/",
        f"/participation/board/{post.pk}/",
        "/participation/surveys/",
        f"/participation/surveys/{survey.pk}/",
        f"/participation/surveys/{survey.pk}/results/",
        f"/participation/consultations/{consultation.pk}/",
        f"/participation/interviews/{interview.pk}/",
        "/services/",
        "/services/guides/",
        f"/services/guides/{guide.pk}/",
        f"/services/guides/{guide.pk}/book/",
        "/services/bookings/",
        f"/services/queries/{query.slug}/",
        "/no-such-page/",
    ]


@pytest.mark.parametrize("mode", MODES)
def test_portal_and_citizens_forms_take_no_inline_style(site, tiles, mode):
    """Each page in this mode, on a phone and at a desk: the strict policy, the page's own
    stylesheets applied, and not one style refused."""
    paths = _citizen_paths(site)
    for viewport in (PHONE, DESKTOP):
        page = site.citizen(phone=viewport is PHONE)
        cookies = [{"name": k, "value": v, "url": site.url} for k, v in MODES[mode].items()]
        if cookies:
            page.context.add_cookies(cookies)
        for path in paths:
            response = page.goto(site.url + path)
            assert response.status < 500, (path, response.status)
            _strict_styles(response, path)
            assert _styled(page), path
            if mode == "elder":
                assert page.evaluate("document.body.classList.contains('elder')"), path
        # the survey's bars keep their widths (a class per percent, no style attribute)
        page.goto(site.url + paths[paths.index("/participation/surveys/") + 2])
        widths = page.eval_on_selector_all(
            ".bar > span", "spans => spans.map(s => s.getBoundingClientRect().width)"
        )
        assert widths and any(w > 0 for w in widths), widths
        page.goto(site.url + "/letters/map/")
        page.locator("#letters-map[data-ready]").wait_for()
        assert page.locator("#letters-map").bounding_box()["height"] >= 300
        if mode == "plain" or viewport is PHONE:
            for path in (
                "/",
                paths[1],
                "/letters/write/",
                paths[paths.index("/participation/surveys/") + 2],
            ):
                page.goto(site.url + path)
                site.shot(
                    page,
                    f"{mode}-{viewport['width']}-{path.strip('/').replace('/', '-') or 'home'}",
                )
    _clean(site)


def test_error_pages_take_no_inline_style(site, monkeypatch):
    """Django's 404, 500 and 503 pages look as they did, from a static stylesheet."""
    from django.db import OperationalError

    from govhub.letters import stats

    page = site.citizen()
    response = page.goto(site.url + "/no-such-page/")
    assert response.status == 404
    _strict_styles(response, "404")
    assert (
        page.locator(".search-404 input").evaluate("e => getComputedStyle(e).borderTopWidth")
        == "1px"
    )
    site.shot(page, "404")
    for error, status in ((RuntimeError("故障"), 500), (OperationalError("数据库重启"), 503)):

        def broken(*args, error=error, **kwargs):
            raise error

        with monkeypatch.context() as m:
            m.setattr(stats, "compute", broken)
            response = page.goto(site.url + "/letters/stats/")
        assert response.status == status
        _strict_styles(response, str(status))
        header = page.locator("body.app > header")
        # the red band with the site's name, from /static/errors/errors.css
        assert header.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(166, 27, 27)"
        site.shot(page, f"error-{status}")
    _clean(site)


@pytest.fixture
def nginx_down():
    """deploy/nginx.conf in front of an application that is not running (the error pages as
    collected static files), as tests/backoffice/test_server_error_pages.py runs it."""
    import tempfile
    from pathlib import Path

    from tests.backoffice.test_server_error_pages import _serve

    with tempfile.TemporaryDirectory(prefix="govhub-csp-nginx-") as folder:
        work = Path(folder)
        work.chmod(0o755)
        servers = _serve(work)
        yield next(servers)["down"]
        servers.close()


def test_the_page_nginx_serves_when_the_application_is_down(site, nginx_down):
    """50x.html from nginx alone: its policy (nginx's) allows no inline style, its stylesheet
    comes from nginx too, and Chromium refuses nothing."""
    for phone in (True, False):
        page = site.citizen(phone=phone)
        response = page.goto(nginx_down + "/letters/write/")
        assert response.status == 502
        _strict_styles(response, "50x")
        assert page.locator("h1").inner_text() == "网站暂时无法访问"
        border = page.locator("main").evaluate("e => getComputedStyle(e).borderTopWidth")
        assert border == "4px"
        site.shot(page, f"nginx-50x-{'phone' if phone else 'desk'}")
    _clean(site)


# our own staff pages (not Wagtail's editors), each opened by a role that may see it
STAFF = {
    "admin": [
        "/admin/",
        "/admin/letters/",
        "/admin/letters/record/",
        "/admin/letters/policy/",
        "/admin/inbox/",
        "/admin/publishing/",
        "/admin/matrix/",
        "/admin/matrix/inspection/",
        "/admin/matrix/rectifications/",
        "/admin/matrix/duplicates/",
        "/admin/matrix/counterfeits/",
        "/admin/matrix/rankings/",
        "/admin/matrix/import/",
        "/admin/safety/dictionary/",
        "/admin/safety/leaders/",
        "/admin/safety/leaders/new/",
        "/admin/safety/check/",
        "/admin/participation/",
        "/admin/participation/board/",
        "/admin/participation/moderation/",
        "/admin/participation/surveys/",
        "/admin/participation/surveys/new/",
        "/admin/participation/interviews/",
        "/admin/participation/stats/",
        "/admin/services/appointments/",
        "/admin/services/figures/",
        "/admin/ratings/callbacks/",
        "/admin/qa/",
        "/admin/wechat/",
        "/admin/audit-log/",
        "/admin/analytics/selfcheck/",
        "/admin/analytics/topics/",
        "/admin/analytics/assessment/",
    ],
    "supervisor": ["/admin/analytics/"],
}


def test_our_staff_pages_need_no_inline_style(site, tiles, monkeypatch):
    """Wagtail's back office keeps 'unsafe-inline' for its editors' styles; our own pages in it
    are opened with that taken away (scripts as in production) and need nothing of it."""
    from csp.constants import SELF, UNSAFE_INLINE

    from govhub.core import csp

    with site.db():
        from django.contrib.auth import get_user_model

        from govhub.letters.access import visible_letters
        from govhub.participation.models import Survey
        from govhub.publishing.models import Publication

        admin_user = get_user_model().objects.get(username="admin")
        letter = visible_letters(admin_user).filter(latitude__isnull=False).first().pk
        survey = Survey.objects.order_by("pk").first().pk
        publication = Publication.objects.order_by("-pk").first().pk
    extra = {
        "admin": [
            f"/admin/letters/{letter}/",
            f"/admin/participation/surveys/{survey}/",
            f"/admin/publishing/{publication}/",
        ]
    }
    monkeypatch.setattr(csp, "WAGTAIL_ADMIN", {"script-src": [SELF, UNSAFE_INLINE]})
    for username, paths in STAFF.items():
        desk = site.login(username)
        for path in paths + extra.get(username, []):
            response = desk.goto(site.url + path)
            assert response.status < 400, (path, response.status)
            _strict_styles(response, path)
            assert _styled(desk), path
        if username == "admin":
            desk.goto(site.url + f"/admin/letters/{letter}/")
            desk.locator("#letter-map[data-ready='1']").wait_for()
            site.shot(desk, "staff-letter")
            desk.goto(site.url + "/admin/analytics/selfcheck/")
            # each day's bar is as tall as its share of probes says (data-h tenths, 5 px each)
            bars = desk.eval_on_selector_all(
                "#availability > div",
                "ds => ds.map(d => [+d.dataset.h, d.getBoundingClientRect().height])",
            )
            assert len(bars) == 7 and all(h == min(t, 10) * 5 for t, h in bars), bars
            site.shot(desk, "staff-selfcheck")
            desk.goto(site.url + f"/admin/participation/surveys/{survey}/")
            site.shot(desk, "staff-survey")
        else:
            desk.locator('.gh-chart[data-rendered="echarts"] canvas').first.wait_for()
            site.shot(desk, "staff-dashboard")
    _clean(site)

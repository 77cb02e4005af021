"""Acceptance tests: the demo county, built once per test session and served, walked in
Chromium by the person who owns each step, with that person's own demo login.

The tests here only add data (a new letter, a new publication) and never rely on running first,
so one build serves the whole session. They run in their own pytest invocation
(`make test-acceptance`) on a file database, so the server thread and the test share nothing but
the database, as in production.

    def test_x(site):
        editor = site.login("editor")            # a zh-CN desktop page, logged in
        citizen = site.citizen()                 # a zh-CN phone page (375×812), anonymous
        editor.goto(site.url + "/admin/")
        site.shot(editor, "dashboard")           # tests/screenshots/acceptance/<test>/NN-dashboard.png
        with site.db():                          # read or arrange data directly
            ...
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import threading

import pytest

from tests.conftest import SCREENSHOTS

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(config, items):
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.acceptance)


class WriteTrap:
    """Notes every GET (or HEAD) request that wrote to the database: a link that changes
    something when merely followed (a crawler, a prefetching browser or a mail scanner would set
    it off). Writes that any visit makes are allowed: the session, Wagtail's record of who has an
    editor open, which page editors follow for comments, a user's Wagtail profile made on first
    visit, and statistics of what was asked (Q&A hit counts, unanswered questions)."""

    ALLOWED = (
        "django_session",
        "django_cache",
        "wagtailadmin_editingsession",
        "wagtailcore_pagesubscription",
        "wagtailusers_userprofile",
        "qa_knowledgeentry",
        "qa_unansweredquestion",
    )
    _WRITE = re.compile(r'\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?(\w+)', re.I)

    def __init__(self):
        self.writes: list[tuple[str, str, str]] = []  # (path, verb, table)
        self._local = threading.local()

    def install(self):
        from django.core.signals import request_finished, request_started

        request_started.connect(self._started, weak=False)
        request_finished.connect(self._finished, weak=False)

    def _started(self, sender, environ=None, **kwargs):
        from django.db import connection

        if not environ or environ.get("REQUEST_METHOD") not in {"GET", "HEAD"}:
            return
        query = environ.get("QUERY_STRING", "")
        path = environ.get("PATH_INFO", "") + ("?" + query if query else "")

        def trap(execute, sql, params, many, context):
            m = self._WRITE.match(sql)
            if m and not m.group(2).startswith(self.ALLOWED):
                self.writes.append((path, m.group(1).split()[0].upper(), m.group(2)))
            return execute(sql, params, many, context)

        connection.execute_wrappers.append(trap)
        self._local.trap = trap

    def _finished(self, sender, **kwargs):
        from django.db import connection

        trap = getattr(self._local, "trap", None)
        if trap is not None:
            self._local.trap = None
            with contextlib.suppress(ValueError):
                connection.execute_wrappers.remove(trap)


class DemoSite:
    """The served demo county and the browser that walks it."""

    def __init__(self, url: str, browser, blocker, trap: WriteTrap):
        self.url = url
        self.browser = browser
        self._blocker = blocker
        self.get_writes = trap.writes

    @contextlib.contextmanager
    def db(self):
        """Direct database access for arranging or checking data (no transaction is rolled
        back: what a test writes stays, like everything the browser does)."""
        with self._blocker.unblock():
            yield


class Session:
    """One test's view of the site: the pages it opened are closed after the test."""

    def __init__(self, site: DemoSite, name: str):
        self.site = site
        self.url = site.url
        self.name = re.sub(r"[^\w.-]+", "_", name)
        self._contexts = []
        self._shots = 0
        # what the browser refused under the Content-Security-Policy, and scripts that failed
        # (tests/acceptance/test_csp.py asserts there are none)
        self.csp_violations: list[str] = []
        self.script_errors: list[str] = []

    def db(self):
        return self.site.db()

    def _page(self, viewport: dict):
        context = self.site.browser.new_context(locale="zh-CN", viewport=viewport)
        self._contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20000)
        page.on("console", lambda m: self._console(page, m))
        page.on("pageerror", lambda e: self.script_errors.append(f"{page.url}: {e}"))
        return page

    def _console(self, page, message) -> None:
        if "Content Security Policy" in message.text:
            self.csp_violations.append(f"{page.url}: {message.text}")

    def citizen(self, *, phone: bool = True):
        """An anonymous visitor: a phone by default, as most citizens come."""
        return self._page(PHONE if phone else DESKTOP)

    def login(self, username: str, *, phone: bool = False, password: str | None = None):
        """A member of staff logged in through the back office's own login form."""
        from govhub.core.demo import DEMO_PASSWORD

        page = self._page(PHONE if phone else DESKTOP)
        page.goto(self.url + "/admin/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password or DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        if "/admin/login/" in page.url:
            self.shot(page, f"login-failed-{username}")
            raise AssertionError(f"{username} could not log in: {page.inner_text('body')[:300]}")
        return page

    def shot(self, page, label: str) -> str:
        """Keep a full-page screenshot of what the person sees at this step."""
        self._shots += 1
        folder = os.path.join(SCREENSHOTS, "acceptance", self.name)
        os.makedirs(folder, exist_ok=True)
        safe = re.sub(r"[^\w.-]+", "_", label)
        path = os.path.join(folder, f"{self._shots:02d}-{safe}.png")
        page.screenshot(path=path, full_page=True)
        return path

    def close(self):
        for context in self._contexts:
            with contextlib.suppress(Exception):
                context.close()


def pytest_terminal_summary(terminalreporter):
    """The crawl's figures (test_crawl.py): pages read and links checked per person."""
    import sys

    crawl = sys.modules.get("tests.acceptance.test_crawl")
    if crawl is not None and crawl.FIGURES:
        terminalreporter.section("crawl figures")
        for line in crawl.FIGURES:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def demo_site(django_test_environment, django_db_blocker, chromium):
    """The whole demo county (`govhub demo`), built once for the session and served.

    Not pytest-django's ``live_server`` nor its ``django_db`` marker: a test using those is made
    transactional and the database is flushed after it, which would throw the county away after
    the first test. So the test database is set up here, once."""
    from django.test.utils import override_settings, setup_databases, teardown_databases
    from pytest_django.live_server_helper import LiveServer

    from govhub.core import demo

    # the demo build and the server log every job and every page created: not what a failing
    # test's report should be made of
    for name in ("django_tasks", "wagtail", "django.server", "govhub"):
        logging.getLogger(name).setLevel(logging.WARNING)
    shutil.rmtree(os.path.join(SCREENSHOTS, "acceptance"), ignore_errors=True)
    # the database stays open for the whole session: the server thread answers the browser
    # while the test waits, and pytest-django's blocker would refuse it between tests
    unblocked = django_db_blocker.unblock()
    unblocked.__enter__()
    db_cfg = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    trap = WriteTrap()
    trap.install()
    server = LiveServer("127.0.0.1:0")
    overrides = override_settings(
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        SITE_URL=server.url,
        WAGTAILADMIN_BASE_URL=server.url,
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
    )
    overrides.enable()
    try:
        demo.build()
        yield DemoSite(server.url, chromium, django_db_blocker, trap)
    finally:
        overrides.disable()
        server.stop()
        teardown_databases(db_cfg, verbosity=0)
        unblocked.__exit__(None, None, None)


@pytest.fixture
def site(demo_site, request):
    session = Session(demo_site, request.node.name)
    yield session
    session.close()

"""Shared test set-up: factories live in tests/factories.py; no shared mutable fixtures."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest

os.environ.setdefault("GOVHUB_MODE", "test")


@pytest.fixture(autouse=True)
def _fresh_caches(settings):
    """Each test starts with an empty cache and forgets cached calendar overrides."""
    from django.core.cache import cache

    from govhub.core import hotcache
    from govhub.qa import engine

    cache.clear()
    hotcache.clear_local()
    engine.forget_seen_version()
    yield
    cache.clear()
    hotcache.clear_local()
    engine.forget_seen_version()


@pytest.fixture(autouse=True)
def _own_audit_anchor_file(settings, tmp_path):
    """The audit chain's anchors are one test's: another test's database has other hashes."""
    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "audit-anchors.jsonl")


@pytest.fixture(autouse=True)
def _no_pending_counts():
    """The WeChat callback keeps hit counts, unanswered questions and answered questions' dedup
    rows in memory for batched writes: none may land on another test's rows (SQLite reuses
    primary keys after a rollback) or be written at exit, when the test database is gone; and
    the thread that writes them ends with the test."""
    from govhub.wechat import delivered, handlers

    def clear():
        with handlers._hits_lock:
            handlers._hits.clear()
        with delivered._flushing, delivered._lock:  # not while the writer thread writes
            delivered._pending.clear()
        # a writer thread started by one test would sleep through the next one's delay and
        # keep a connection of its own to the in-memory database across tests
        delivered.stop_writer()

    clear()
    yield
    clear()


@pytest.fixture
def county(db):
    """The demo county's departments and staff (core only; apps add content themselves)."""
    from govhub.core.demo import build_core

    return build_core()


# --- browser tests ---------------------------------------------------------------------
CHROMIUM = os.environ.get("GOVHUB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = os.path.join(os.path.dirname(__file__), "screenshots")


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright (no browser download)."""
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    """A fresh browser context at desktop size; ``page.goto(live_server.url + path)``."""
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


def screenshot(page, name: str) -> str:
    """Save a full-page screenshot a person can look at: tests/screenshots/<name>.png."""
    os.makedirs(SCREENSHOTS, exist_ok=True)
    path = os.path.join(SCREENSHOTS, f"{name}.png")
    page.screenshot(path=path, full_page=True)
    return path

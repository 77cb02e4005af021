"""Fixtures of the fake platforms and a fast outbox, imported by the conftests that need them
(``from tests.fakes.fixtures import wechat_api, fast_outbox``)."""

from __future__ import annotations

import pytest

from tests.fakes.wechat_api import FakeWeChatApi
from tests.fakes.weibo_api import FakeWeiboApi


@pytest.fixture
def wechat_api():
    api = FakeWeChatApi().start()
    api.slow_seconds = 1.0
    yield api
    api.stop()


@pytest.fixture
def weibo_api():
    api = FakeWeiboApi().start()
    api.slow_seconds = 1.0
    yield api
    api.stop()


@pytest.fixture
def fast_outbox(monkeypatch, settings, tmp_path):
    """Short timeouts and back-off so retries happen within a test; media in a temp folder;
    jobs run at once (the outbox's wake-up after commit sends immediately)."""
    from govhub.channels import douyin, outbox, wechat, weibo

    monkeypatch.setattr(douyin, "TIMEOUT", 0.4)
    monkeypatch.setattr(wechat, "TIMEOUT", 0.4)
    monkeypatch.setattr(weibo, "TIMEOUT", 0.4)
    monkeypatch.setattr(outbox, "BACKOFF_BASE", 0.0)
    monkeypatch.setattr(outbox, "BACKOFF_CEILING", 0.0)
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

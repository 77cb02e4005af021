"""Shared test set-up: factories live in tests/factories.py; no shared mutable fixtures."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("GOVHUB_MODE", "test")


@pytest.fixture(autouse=True)
def _fresh_caches(settings):
    """Each test starts with an empty cache and forgets cached calendar overrides."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def county(db):
    """The demo county's departments and staff (core only; apps add content themselves)."""
    from govhub.core.demo import build_core

    return build_core()

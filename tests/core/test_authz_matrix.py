"""Every role × every staff URL, API operation and Wagtail page action, on the demo county's
own and other departments' objects: no leak of letters, drafts, deliveries, attachments or
citizens' phones, no forbidden change, no 500. The expected outcome of each pair comes from the
policy (tests/authz_matrix.py says how); here each pattern is walked by one role in turn (all
roles and every pattern covered), bench/authz.py walks the full product."""

from __future__ import annotations

import pytest
from django.test import Client

from tests import authz_matrix as m

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings):
    from govhub.core import demo

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    demo.build(
        apps=[
            "safety",
            "portal",
            "publishing",
            "channels",
            "letters",
            "services",
            "matrix",
            "participation",
        ]
    )
    users = m.users_by_role()
    return users, m.mark_and_derive(users)


def _clients():
    cache = {}

    def client_for(user):
        if user.pk not in cache:
            c = Client()
            c.force_login(user)
            cache[user.pk] = c
        return cache[user.pk]

    return client_for


def test_no_role_sees_or_changes_what_the_policy_keeps_from_it(world):
    users, w = world
    # the oracle can fail: the marks are there and the policy splits them between roles
    assert w.ids["L"] and w.ids["P"]
    assert w.allowed["dispatcher"]["L"] and not w.allowed["editor"]["L"]
    assert w.allowed["handler"]["L"] != w.allowed["dispatcher"]["L"]
    result = m.walk(_clients(), w, users, everything=False, sample=1)
    print(result.line())
    assert not result.errors, result.errors[:20]
    assert not result.leaks, result.leaks[:20]
    # and it saw what it should: the roles that may read letters met their canaries
    for role in ("dispatcher", "handler", "supervisor", "admin"):
        assert any(k == "L" for k, _ in result.seen.get(role, set())), role
    assert any(k == "P" for k, _ in result.seen.get("editor", set()))
    # the apps added later are marked and split between roles too
    assert w.ids["C"] and w.ids["B"] and w.ids["R"]
    assert w.allowed["editor"]["C"] and not w.allowed["reviewer"]["C"]
    assert any(k == "C" for k, _ in result.seen.get("editor", set()))
    assert any(k == "R" for k, _ in result.seen.get("handler", set()))
    # every kind of request was made: staff pages, Wagtail's page actions, public pages and
    # the API with a bearer token and with a session (CSRF enforced)
    for kind in ("staff URL", "page action", "public URL", "API (bearer)", "API (session)"):
        assert result.kinds[kind] > 0, kind
    assert result.pairs > 800

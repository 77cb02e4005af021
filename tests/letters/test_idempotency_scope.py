"""Idempotency keys belong to the client that made them: another client's key (they are easy to
guess: ``demo:N``, ``inbox-N``) makes a new letter and never shows someone else's."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache

from govhub.api.auth import issue_token
from govhub.letters import intake
from govhub.letters.models import Letter

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_counts():
    cache.clear()
    yield
    cache.clear()


def _bearer(user) -> dict:
    _, key = issue_token(user=user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def _post(client, headers, key, content="东街的路灯坏了一个月，晚上很黑。"):
    return client.post(
        "/api/letters/",
        json.dumps({"content": content, "idempotency_key": key}),
        content_type="application/json",
        **headers,
    )


def test_client_b_reusing_client_as_key_gets_a_new_letter_not_as(client, county):
    a, b = _bearer(county.user("dispatcher")), _bearer(county.user("handler"))
    first = _post(client, a, "order-17", "信访局登记的来信：小区停车难。")
    assert first.status_code == 201
    again = _post(client, a, "order-17", "信访局登记的来信：小区停车难。")
    assert again.json() == first.json()  # the same client retrying gets its own letter back

    other = _post(client, b, "order-17", "人社局登记的来信：社保卡补办。")
    assert other.status_code == 201
    assert other.json()["id"] != first.json()["id"]
    assert other.json()["tracking_code"] != first.json()["tracking_code"]
    assert Letter.objects.count() == 2
    mine = Letter.objects.get(pk=other.json()["id"])
    assert mine.content == "人社局登记的来信：社保卡补办。"
    assert mine.idempotency_key.endswith(":order-17")


def test_guessing_the_demo_and_inbox_keys_finds_nothing(client, county):
    """Keys other channels use internally (unscoped) are not reachable through the API."""
    demo = intake.submit_letter(
        channel="portal", subject="", content="县城东街路灯不亮已有两周。", idempotency_key="demo:1"
    )
    inbox = intake.submit_letter(
        channel="portal",
        subject="",
        content="微博私信转来：公交站台破损。",
        idempotency_key="inbox-1",
    )
    b = _bearer(county.user("handler"))
    for key, theirs in (("demo:1", demo), ("inbox-1", inbox)):
        res = _post(client, b, key)
        assert res.status_code == 201
        assert res.json()["tracking_code"] != theirs.tracking_code


def test_a_long_key_is_kept_apart_per_client_and_still_idempotent(client, county):
    a, b = _bearer(county.user("dispatcher")), _bearer(county.user("handler"))
    long_key = "x" * 200
    first = _post(client, a, long_key)
    assert _post(client, a, long_key).json()["id"] == first.json()["id"]
    assert _post(client, a, long_key[:-1] + "y").json()["id"] != first.json()["id"]
    assert _post(client, b, long_key).json()["id"] != first.json()["id"]


def test_rows_stored_before_keys_were_scoped_still_answer_their_own_recorder(county):
    """An old row holds the bare key; the user who recorded it gets it back, nobody else."""
    dispatcher, handler = county.user("dispatcher"), county.user("handler")
    old = intake.submit_letter(
        channel="phone",
        subject="",
        content="老系统登记的来信。",
        idempotency_key="legacy-9",
        actor=dispatcher,
    )
    assert old.idempotency_key == "legacy-9"
    again = intake.submit_letter(
        channel="phone",
        subject="",
        content="老系统登记的来信。",
        idempotency_key="legacy-9",
        idempotency_scope=f"u{dispatcher.pk}",
        actor=dispatcher,
    )
    assert again.pk == old.pk
    other = intake.submit_letter(
        channel="phone",
        subject="",
        content="另一部门的来信。",
        idempotency_key="legacy-9",
        idempotency_scope=f"u{handler.pk}",
        actor=handler,
    )
    assert other.pk != old.pk

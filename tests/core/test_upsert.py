"""insert_on_conflict: one statement that inserts, leaves alone, updates or counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from govhub.core.upsert import insert_on_conflict
from govhub.qa.models import UnansweredQuestion

pytestmark = pytest.mark.django_db


def _values(key: str, when: dt.datetime, text: str = "路灯坏了") -> dict:
    return {
        "key": key,
        "text": text,
        "count": 1,
        "channel": "wechat",
        "first_asked_at": when,
        "last_asked_at": when,
        "resolved": False,
    }


def test_insert_then_leave_alone_then_update_and_count():
    when = timezone.now()
    pk = insert_on_conflict(UnansweredQuestion, _values("k1", when), ["key"])
    assert pk == UnansweredQuestion.objects.get(key="k1").pk
    assert insert_on_conflict(UnansweredQuestion, _values("k1", when, "别的"), ["key"]) is None
    assert UnansweredQuestion.objects.get(key="k1").text == "路灯坏了"
    later = when + dt.timedelta(minutes=5)
    again = insert_on_conflict(
        UnansweredQuestion,
        _values("k1", later, "路灯又坏了"),
        ["key"],
        update=["text", "last_asked_at"],
        add="count",
    )
    row = UnansweredQuestion.objects.get(key="k1")
    assert (again, row.text, row.count) == (pk, "路灯又坏了", 2)
    assert (row.first_asked_at, row.last_asked_at) == (when, later)


@pytest.mark.parametrize(
    "when",
    [
        dt.datetime(2026, 11, 23, 8, 30, 15, 123456, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 23, 8, 30, tzinfo=dt.UTC),  # no microseconds: a shorter text
        dt.datetime(2026, 11, 23, 16, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))),
    ],
)
def test_datetimes_are_stored_as_the_orm_stores_them(when):
    insert_on_conflict(UnansweredQuestion, _values("fast", when), ["key"])
    orm = UnansweredQuestion.objects.create(key="orm", text="t", channel="wechat")
    UnansweredQuestion.objects.filter(pk=orm.pk).update(first_asked_at=when)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT key, first_asked_at FROM qa_unansweredquestion WHERE key IN ('fast', 'orm')"
        )
        raw = dict(cur.fetchall())
    assert raw["fast"] == raw["orm"]
    assert UnansweredQuestion.objects.get(key="fast").first_asked_at == when

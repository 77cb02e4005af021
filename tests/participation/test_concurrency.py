"""The same person answering a survey from two workers at the same moment counts once: the
database's unique constraint decides, not a read-then-write check. On PostgreSQL
(``GOVHUB_DB=pg``) the two transactions really overlap; SQLite's one writer serialises them."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django.utils import timezone

from govhub.participation import actions
from govhub.participation.models import Response, ResponseItem


@pytest.fixture
def survey(county):
    """A published one-question survey, open today."""
    today = timezone.localdate()
    draft = actions.create_survey(
        county.user("editor"),
        {
            "title": "并发测试",
            "department": county.dept("rmt"),
            "opens_at": today - dt.timedelta(days=1),
            "closes_at": today + dt.timedelta(days=1),
            "questions": "[单选] 是否满意\n- 满意\n- 不满意",
        },
    )
    return actions.publish_survey(county.user("editor"), draft)


def at_once(*calls: Callable[[], None]) -> None:
    """Each call in its own thread, all released together. SQLite's shared in-memory test
    database refuses a second writer outright ("table is locked") instead of waiting: there
    they take turns; on PostgreSQL they overlap for real."""
    from django.db import connections

    barrier = threading.Barrier(len(calls))
    gate = threading.Lock() if connection.vendor == "sqlite" else contextlib.nullcontext()

    def run(call: Callable[[], None]) -> None:
        try:
            barrier.wait()
            with gate:
                call()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


@pytest.mark.django_db(transaction=True)
def test_two_workers_voting_at_once_for_the_same_person_count_once(survey):
    q = survey.questions.get()
    yes, no = list(q.options.all())
    key = actions.voter_key_for("phone", "13912345678")
    outcomes: list[str] = []

    def vote(option_id: int) -> Callable[[], None]:
        def call() -> None:
            try:
                actions.submit_response(
                    survey, voter_key=key, verified_by="phone", answers={q.pk: option_id}
                )
                outcomes.append("counted")
            except actions.AlreadyAnswered:
                outcomes.append("refused")

        return call

    at_once(vote(yes.pk), vote(no.pk))
    assert sorted(outcomes) == ["counted", "refused"]
    assert Response.objects.filter(survey=survey).count() == 1
    assert ResponseItem.objects.filter(question=q).count() == 1


@pytest.mark.django_db(transaction=True)
def test_answers_from_one_address_arriving_together_do_not_slip_past_the_flag(survey):
    """With the limit at 5 and 4 answers already in, three people answering at once from the
    same address: one is counted, the other two are flagged (kept, for review)."""
    from govhub.participation.models import ResponseFlag

    q = survey.questions.get()
    yes = q.options.first()
    assert actions.ANSWERS_PER_ADDRESS == 5

    def answer(phone: str) -> Callable[[], None]:
        return lambda: actions.submit_response(
            survey,
            voter_key=actions.voter_key_for("phone", phone),
            verified_by="phone",
            answers={q.pk: yes.pk},
            address="10.9.8.7",
        )

    for i in range(4):
        answer(f"1391234{i:04d}")()
    at_once(*(answer(f"1398888{i:04d}") for i in range(3)))
    flags = list(Response.objects.filter(survey=survey).values_list("flag", flat=True))
    assert len(flags) == 7
    assert flags.count(ResponseFlag.FLAGGED) == 2

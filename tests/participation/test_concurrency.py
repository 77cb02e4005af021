"""The same person answering a survey from two workers at the same moment counts once: the
database's unique constraint decides, not a read-then-write check. On PostgreSQL
(``GOVHUB_DB=pg``) the two transactions really overlap; SQLite's one writer serialises them."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from govhub.participation import actions
from govhub.participation.models import Response, ResponseItem


@pytest.mark.django_db(transaction=True)
def test_two_workers_voting_at_once_for_the_same_person_count_once(county):
    today = timezone.localdate()
    survey = actions.create_survey(
        county.user("editor"),
        {
            "title": "并发测试",
            "department": county.dept("rmt"),
            "opens_at": today - dt.timedelta(days=1),
            "closes_at": today + dt.timedelta(days=1),
            "questions": "[单选] 是否满意\n- 满意\n- 不满意",
        },
    )
    survey = actions.publish_survey(county.user("editor"), survey)
    q = survey.questions.get()
    yes, no = list(q.options.all())
    key = actions.voter_key_for("phone", "13912345678")
    barrier = threading.Barrier(2)
    gate = threading.Lock() if connection.vendor == "sqlite" else None
    outcomes: list[str] = []

    def vote(option_id: int) -> None:
        from django.db import connections

        try:
            barrier.wait()
            if gate:
                gate.acquire()
            try:
                actions.submit_response(
                    survey, voter_key=key, verified_by="phone", answers={q.pk: option_id}
                )
                outcomes.append("counted")
            except actions.AlreadyAnswered:
                outcomes.append("refused")
            finally:
                if gate:
                    gate.release()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=vote, args=(o.pk,)) for o in (yes, no)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["counted", "refused"]
    assert Response.objects.filter(survey=survey).count() == 1
    assert ResponseItem.objects.filter(question=q).count() == 1


@pytest.mark.django_db(transaction=True)
def test_answers_from_one_address_arriving_together_do_not_slip_past_the_flag(county):
    """With the limit at 5 and 4 answers already in, three people answering at once from the
    same address: one is counted, the other two are flagged (kept, for review)."""
    from govhub.participation.models import ResponseFlag

    today = timezone.localdate()
    survey = actions.create_survey(
        county.user("editor"),
        {
            "title": "同一地址并发",
            "department": county.dept("rmt"),
            "opens_at": today - dt.timedelta(days=1),
            "closes_at": today + dt.timedelta(days=1),
            "questions": "[单选] 是否满意\n- 满意\n- 不满意",
        },
    )
    survey = actions.publish_survey(county.user("editor"), survey)
    q = survey.questions.get()
    yes = q.options.first()
    assert actions.ANSWERS_PER_ADDRESS == 5
    for i in range(4):
        actions.submit_response(
            survey,
            voter_key=actions.voter_key_for("phone", f"1391234{i:04d}"),
            verified_by="phone",
            answers={q.pk: yes.pk},
            address="10.9.8.7",
        )
    barrier = threading.Barrier(3)
    # SQLite's shared in-memory test database refuses a second writer outright ("table is
    # locked") instead of waiting; serialise there, overlap for real on PostgreSQL.
    gate = threading.Lock() if connection.vendor == "sqlite" else None

    def answer(i: int) -> None:
        from django.db import connections

        try:
            barrier.wait()
            if gate:
                gate.acquire()
            try:
                actions.submit_response(
                    survey,
                    voter_key=actions.voter_key_for("phone", f"1398888{i:04d}"),
                    verified_by="phone",
                    answers={q.pk: yes.pk},
                    address="10.9.8.7",
                )
            finally:
                if gate:
                    gate.release()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=answer, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    flags = list(Response.objects.filter(survey=survey).values_list("flag", flat=True))
    assert len(flags) == 7
    assert flags.count(ResponseFlag.FLAGGED) == 2

"""The demo letters: every state, deterministic, idempotent; the demo router routes them."""

from __future__ import annotations

import pytest

from govhub.core.permissions import can
from govhub.letters import demo, router
from govhub.letters.models import Letter, LetterEvent, Reply, RouterModel, Status

pytestmark = pytest.mark.django_db


def test_demo_letters_cover_every_state_and_building_twice_changes_nothing(county):
    demo.build(county)
    states = set(Letter.objects.values_list("status", flat=True))
    assert states == set(Status.values)
    assert Letter.objects.count() == 120
    events, models = LetterEvent.objects.count(), RouterModel.objects.count()
    demo.build(county)
    assert Letter.objects.count() == 120 and LetterEvent.objects.count() == events
    assert RouterModel.objects.count() == models == 1
    # the router trained on template letters sends a wage complaint to 人社局
    s = router.suggest("拖欠工资", "老板拖欠我三个月工资不给，请劳动监察帮忙", None)
    assert s["department"] == "县人力资源和社会保障局" and len(s["candidates"]) == 2 and s["words"]
    assert Letter.objects.filter(published=True).exists()
    # every letter carries its category; replies are approved inside their own department
    assert not Letter.objects.filter(category__isnull=True).exists()
    assert Letter.objects.values("category").distinct().count() == 8
    for reply in Reply.objects.filter(status="approved").select_related("reviewer", "department"):
        assert can(reply.reviewer, "review_reply", reply.department), reply.department
        assert reply.reviewer.username != "reviewer"  # not the 融媒体中心's content reviewer

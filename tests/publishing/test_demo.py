import pytest

from govhub.publishing.models import Delivery, Publication

pytestmark = pytest.mark.django_db


def test_demo_builds_pieces_in_each_state_and_is_idempotent(county, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from govhub.publishing import demo

    demo.build(county)
    states = set(Publication.objects.values_list("status", flat=True))
    assert states == {"draft", "in_review", "sent_back", "rejected", "scheduled", "published"}
    by_platform = dict(Delivery.objects.values_list("account__platform", "state"))
    assert by_platform == {
        "portal": "sent",
        "rss": "sent",
        "email": "sent",
        "weibo": "unconfigured",
    }
    counts = (Publication.objects.count(), Delivery.objects.count())
    demo.build(county)
    assert (Publication.objects.count(), Delivery.objects.count()) == counts

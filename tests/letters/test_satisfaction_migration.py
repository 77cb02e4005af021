"""Migration letters 0006: the letters' three-level satisfaction becomes 好差评 on five levels."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from govhub.ratings.models import CallbackTask, Rating
from tests.letters.helpers import letter

BEFORE = [("letters", "0005_encrypt_subject_and_content")]
AFTER = [("letters", "0006_satisfaction_into_ratings")]


@pytest.mark.django_db(transaction=True)
def test_existing_satisfaction_is_kept_as_a_rating_on_the_five_levels(county):
    rated, unrated = letter(), letter()
    lead = county.dept("rsj")
    rated.department = lead
    rated.save(update_fields=["department"])
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("letters", "Letter")
    old.objects.filter(pk=rated.pk).update(satisfaction="basically", satisfaction_comment="还行")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    rating = Rating.objects.get(target_type="letter")
    assert rating.target_id == rated.pk and rating.get_level_display() == "基本满意"
    assert (rating.comment, rating.department_id) == ("还行", lead.pk)
    assert rating.target_name == f"查询码 {rated.tracking_code}"
    assert not CallbackTask.objects.exists()  # a past 不满意 already went to 督办
    assert not Rating.objects.filter(target_id=unrated.pk).exists()

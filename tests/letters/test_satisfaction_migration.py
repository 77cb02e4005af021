"""Migration letters 0006: the letters' three-level satisfaction becomes 好差评 on five levels."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from govhub.ratings.models import CallbackTask, Rating
from tests.letters.helpers import letter

BEFORE = [("letters", "0005_encrypt_subject_and_content")]
AFTER = [("letters", "0006_satisfaction_into_ratings")]


@pytest.fixture
def latest_schema_after():
    """Migrate every app forward to its latest migration after the test: a schema left at
    0006 lacked the later columns (``routed_at``…) for every test after it in this process,
    and the live server answered those with 503s."""
    yield
    _migrate_to_latest()


def _migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_existing_satisfaction_is_kept_as_a_rating_on_the_five_levels(county, latest_schema_after):
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

    _migrate_to_latest()  # (and again by the fixture, should an assertion above fail)
    from govhub.letters.models import Letter

    with connection.cursor() as cur:
        table = connection.introspection.get_table_description(cur, Letter._meta.db_table)
    assert {f.column for f in Letter._meta.concrete_fields} <= {c.name for c in table}

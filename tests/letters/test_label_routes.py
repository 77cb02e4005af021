"""A router label becomes a department the same way whether it is resolved alone or together
with the other candidates of a suggestion (one batch of queries per letter)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from govhub.letters.models import CategoryRoute
from govhub.letters.router import label_to_department, labels_to_departments
from tests.letters.helpers import make_categories

pytestmark = pytest.mark.django_db


def test_town_route_first_then_county_route_then_department_code_and_name(county):
    cats = make_categories(county)
    town = county.towns()[0]
    other_town = county.towns()[1]
    CategoryRoute.objects.create(category=cats["labour"], town=town, department=town)
    labels = ["labour", "教育文体", "jyj", county.dept("zjj").name, "no-such-label"]

    assert labels_to_departments(labels, town) == {
        "labour": (town, cats["labour"]),  # the town's own route
        "教育文体": (county.dept("jyj"), cats["education"]),  # a category by its name
        "jyj": (county.dept("jyj"), None),  # a department by its code
        county.dept("zjj").name: (county.dept("zjj"), None),  # … or its name
        "no-such-label": (None, None),
    }
    # another town, or none: the county-wide route
    assert labels_to_departments(["labour"], other_town)["labour"] == (
        county.dept("rsj"),
        cats["labour"],
    )
    assert label_to_department("labour") == (county.dept("rsj"), cats["labour"])
    for label in labels:
        assert label_to_department(label, town) == labels_to_departments(labels, town)[label]


def test_a_suggestion_with_many_candidates_costs_a_fixed_number_of_queries(county):
    make_categories(county)
    town = county.towns()[0]
    with CaptureQueriesContext(connection) as few:
        labels_to_departments(["labour"], town)
    with CaptureQueriesContext(connection) as many:
        labels_to_departments(["labour", "education", "construction", "site_error", "jyj"], town)
    assert len(many.captured_queries) <= len(few.captured_queries) + 1 <= 5

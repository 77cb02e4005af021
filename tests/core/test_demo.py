"""The demo county is deterministic and idempotent."""

import pytest
from django.contrib.auth import get_user_model

from govhub.core.demo import BUREAUS, DEMO_LOGINS, TOWNS, build_core
from govhub.core.models import AuditRecord, Department, Level, Membership, Role

pytestmark = pytest.mark.django_db


def test_core_demo_builds_a_county_with_bureaus_towns_and_one_login_per_role():
    county = build_core()
    assert county.root.name == "示范县人民政府"
    assert len(county.bureaus()) == len(BUREAUS) >= 30
    assert len(county.towns()) == len(TOWNS) == 10
    assert Department.objects.filter(level=Level.VILLAGE).count() >= 20
    held = set(
        Membership.objects.filter(user__username__in=DEMO_LOGINS).values_list("role", flat=True)
    )
    assert held == {r.value for r in Role}
    assert all(county.root.contains(d) for d in county.departments.values())


def test_running_it_again_changes_nothing():
    build_core()
    counts = (
        Department.objects.count(),
        get_user_model().objects.count(),
        Membership.objects.count(),
        AuditRecord.objects.count(),
    )
    paths = list(Department.objects.order_by("code").values_list("code", "path"))
    build_core()
    assert counts == (
        Department.objects.count(),
        get_user_model().objects.count(),
        Membership.objects.count(),
        AuditRecord.objects.count(),
    )
    assert paths == list(Department.objects.order_by("code").values_list("code", "path"))

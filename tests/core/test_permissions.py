"""The permission matrix: every role × every action × own / other department."""

import pytest
from django.core.exceptions import PermissionDenied

from govhub.core.models import AuditRecord, Department, DepartmentKind, Level, Role
from govhub.core.permissions import ACTIONS, can, require, scope_queryset
from tests.factories import make_department, make_user

pytestmark = pytest.mark.django_db

ROLES = [r.value for r in Role]


@pytest.fixture
def tree():
    county = make_department(name="示范县", level=Level.COUNTY, kind=DepartmentKind.GOVERNMENT)
    own = make_department(county, name="人社局")
    other = make_department(county, name="教育局")
    town = make_department(own, name="人社局下属所", level=Level.TOWN)
    return county, own, other, town


CASES = [(role, action) for role in ROLES for action in sorted(ACTIONS)]


@pytest.mark.parametrize(("role", "action"), CASES)
def test_role_action_own_and_other_department(tree, role, action):
    county, own, other, town = tree
    user = make_user(department=own, role=role)
    expected = role in ACTIONS[action].roles
    assert can(user, action, own) is expected, "own department"
    assert can(user, action, town) is expected, "own subtree"
    assert can(user, action, other) is False, "another department"
    assert can(user, action, county) is False, "the parent is outside the subtree"


@pytest.mark.parametrize("role", ROLES)
def test_role_held_at_the_county_reaches_every_department(tree, role):
    county, own, other, town = tree
    user = make_user(department=county, role=role)
    for action, spec in ACTIONS.items():
        assert can(user, action, other) is (role in spec.roles)


def test_superuser_may_do_everything_and_anonymous_nothing(tree):
    from django.contrib.auth.models import AnonymousUser

    _, own, other, _ = tree
    root = make_user(superuser=True)
    assert all(can(root, a, other) for a in ACTIONS)
    assert not any(can(AnonymousUser(), a, own) for a in ACTIONS)


def test_inactive_staff_lose_every_right(tree):
    _, own, _, _ = tree
    user = make_user(department=own, role=Role.HANDLER)
    user.is_active = False
    assert not can(user, "handle_letter", own)


def test_refusal_raises_records_and_changes_nothing(tree):
    _, own, other, _ = tree
    user = make_user(department=own, role=Role.HANDLER)
    before = Department.objects.get(pk=other.pk).name
    with pytest.raises(PermissionDenied):
        from govhub.core import actions

        actions.update_department(user, other, name="被篡改")
    assert Department.objects.get(pk=other.pk).name == before
    refusal = AuditRecord.objects.filter(action="permission_denied").last()
    assert refusal.summary == {"attempted": "manage_departments"}
    assert refusal.actor == user.username


def test_scope_queryset_keeps_the_subtree_only(tree):
    from govhub.core.models import Membership

    county, own, other, town = tree
    user = make_user(department=own, role=Role.HANDLER)
    for dept in (own, other, town):
        make_user(department=dept, role=Role.EDITOR)
    visible = scope_queryset(user, "handle_letter", Membership.objects.all())
    assert {m.department for m in visible} == {own, town}
    assert not scope_queryset(user, "dispatch_letter", Membership.objects.all()).exists()


def test_unknown_action_is_a_programming_error(tree):
    with pytest.raises(ValueError):
        can(make_user(), "fly_to_the_moon")


def test_require_passes_silently_when_allowed(tree):
    _, own, _, _ = tree
    require(make_user(department=own, role=Role.DISPATCHER), "dispatch_letter", own)


def test_paths_stay_put_when_siblings_are_added(tree):
    county, own, other, town = tree
    before = {d.pk: d.path for d in (own, other, town)}
    make_department(county, name="阿尔法局", code="a-first")  # sorts before the others by code
    after = {d.pk: Department.objects.get(pk=d.pk).path for d in (own, other, town)}
    assert before == after
    editor = make_user(department=own, role=Role.EDITOR)
    assert can(editor, "edit_content", own)  # the in-memory object is still right

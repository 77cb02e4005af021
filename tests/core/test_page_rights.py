"""Nobody publishes around the review: no role but the administrator has rights on portal pages in
Wagtail's page editor, roles sit in Chinese-named groups, and a page belongs to its department
(its own, or its nearest column's) so that page rights follow the department tree."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import GroupPagePermission, Page

from govhub.core import actions
from govhub.core.models import DepartmentKind, Level, Membership, Role
from govhub.core.permissions import can, page_departments, pages_for
from govhub.portal.models import ColumnPage
from tests.factories import make_department, make_user
from tests.portal.site import article

pytestmark = pytest.mark.django_db


@pytest.fixture
def county():
    root = make_department(name="示范县", level=Level.COUNTY, kind=DepartmentKind.GOVERNMENT)
    return root, make_department(root, name="人社局"), make_department(root, name="县政府办公室")


@pytest.fixture
def columns(county):
    _, rsj, office = county
    home = Page.get_first_root_node()
    shared = home.add_child(instance=ColumnPage(title="政务要闻", slug="yaowen"))
    rsj_col = home.add_child(instance=ColumnPage(title="人社动态", slug="rsdt", department=rsj))
    office_col = home.add_child(
        instance=ColumnPage(title="政府办通知", slug="zfbtz", department=office)
    )
    office_article = article(office_col, "关于做好冬季供暖工作的通知", "各乡镇、各部门：……")
    return shared, rsj_col, office_col, office_article


def test_wagtails_own_editors_and_moderators_groups_are_gone():
    assert not Group.objects.filter(name__in=["Editors", "Moderators"]).exists()
    assert not GroupPagePermission.objects.exists()


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_no_role_may_edit_publish_or_unpublish_a_page_in_wagtail(county, columns, role):
    _, rsj, _ = county
    user = make_user(department=rsj, role=role)
    for page in columns:
        rights = page.permissions_for_user(user)
        assert not rights.can_edit(), page.title
        assert not rights.can_publish(), page.title
        assert not rights.can_unpublish(), page.title
        assert not rights.can_delete(), page.title
        assert not rights.can_add_subpage(), page.title
    assert set(user.groups.values_list("name", flat=True)) == {
        actions.STAFF_GROUP,
        actions.ROLE_GROUPS[role],
    }
    assert all(not any(ch.isascii() and ch.isalpha() for ch in g.name) for g in Group.objects.all())


def test_editors_keep_the_image_library_others_do_not(county):
    _, rsj, _ = county
    editor = make_user(department=rsj, role=Role.EDITOR)
    handler = make_user(department=rsj, role=Role.HANDLER)
    from wagtail.images.permissions import permission_policy as images

    assert images.user_has_permission(editor, "add")
    assert images.user_has_permission(editor, "choose")
    assert not images.user_has_permission(handler, "add")
    assert handler.has_perm("wagtailadmin.access_admin")


def test_revoking_a_role_takes_its_group_away(county):
    root, rsj, _ = county
    admin = make_user(department=root, role=Role.ADMINISTRATOR)
    user = make_user(department=rsj, role=Role.REVIEWER)
    actions.assign_role(admin, user=user, department=rsj, role=Role.EDITOR)
    assert user.groups.filter(name="编辑岗").exists()
    actions.revoke_role(admin, Membership.objects.get(user=user, role=Role.EDITOR))
    assert not user.groups.filter(name="编辑岗").exists()
    assert user.groups.filter(name="审核岗").exists()


def test_a_page_belongs_to_its_own_or_its_columns_department(county, columns):
    _, rsj, office = county
    shared, rsj_col, office_col, office_article = columns
    assert page_departments(rsj_col) == [rsj]
    assert page_departments(Page.objects.get(pk=office_article.pk)) == [office]
    assert page_departments(shared) is None  # county-wide: any holder of the role


def test_a_bureaus_people_reach_their_columns_and_the_county_wide_ones(county, columns):
    _, rsj, _ = county
    shared, rsj_col, office_col, office_article = columns
    editor = make_user(department=rsj, role=Role.EDITOR)
    reviewer = make_user(department=rsj, role=Role.REVIEWER)
    assert pages_for(editor, "edit_content", [shared, rsj_col, office_col]) == [shared, rsj_col]
    columns_qs = Page.objects.filter(pk__in=[shared.pk, rsj_col.pk, office_col.pk])
    assert set(pages_for(editor, "edit_content", columns_qs)) == {
        Page.objects.get(pk=shared.pk),
        Page.objects.get(pk=rsj_col.pk),
    }
    assert not can(reviewer, "review_content", office_article)
    assert can(reviewer, "review_content", rsj_col)

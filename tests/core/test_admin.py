"""Back-office pages of the foundation, as the administrator and other staff use them."""

import datetime as dt

import pytest

from govhub.core import workdays
from govhub.core.models import AuditRecord, Department, Level, Role, WorkdayOverride
from tests.factories import make_department, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def county():
    return make_department(name="示范县", level=Level.COUNTY)


def test_administrator_adds_a_department_through_the_back_office(client, county):
    admin = make_user(department=county, role=Role.ADMINISTRATOR)
    client.force_login(admin)
    response = client.post(
        "/admin/departments/new/",
        {
            "parent": county.pk,
            "name": "县数据局",
            "short_name": "数据局",
            "code": "sjj2",
            "level": "county",
            "kind": "bureau",
            "phone": "",
            "address": "",
            "duties": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    dept = Department.objects.get(code="sjj2")
    assert county.contains(dept)
    assert AuditRecord.objects.filter(action="department_created", object_id=str(dept.pk)).exists()


def test_editor_is_refused_the_department_pages(client, county):
    client.force_login(make_user(department=county, role=Role.EDITOR))
    assert client.get("/admin/departments/").status_code in (302, 403)
    response = client.post(
        "/admin/departments/new/", {"name": "x", "code": "x", "level": "county", "kind": "bureau"}
    )
    assert response.status_code in (302, 403)
    assert not Department.objects.filter(code="x").exists()


def test_local_holiday_entered_in_the_back_office_moves_deadlines(client, county):
    admin = make_user(department=county, role=Role.ADMINISTRATOR)
    client.force_login(admin)
    response = client.post("/admin/workdays/new/", {"date": "2026-06-09", "note": "县庆"})
    assert response.status_code == 302
    assert WorkdayOverride.objects.get(date=dt.date(2026, 6, 9)).is_working_day is False
    workdays.overrides_changed()
    assert workdays.add_working_days(dt.date(2026, 6, 8), 1) == dt.date(2026, 6, 10)


def test_audit_log_page_verifies_the_chain(client, county):
    supervisor = make_user(department=county, role=Role.SUPERVISOR)
    client.force_login(supervisor)
    response = client.get("/admin/audit-log/?verify=1")
    assert response.status_code == 200
    assert "哈希链完整" in response.content.decode()


def test_audit_log_page_refuses_handlers_with_a_message_and_a_record(client, county):
    handler = make_user(department=county, role=Role.HANDLER)
    client.force_login(handler)
    response = client.get("/admin/audit-log/", follow=True)
    assert response.redirect_chain[0][1] == 302
    assert "权限" in response.content.decode()  # Wagtail's "您没有权限访问该页面" message
    assert AuditRecord.objects.filter(action="permission_denied", actor=handler.username).exists()


def test_dashboard_reads_in_chinese(client, county):
    client.force_login(make_user(department=county, role=Role.EDITOR))
    html = client.get("/admin/").content.decode()
    assert "我的岗位" in html
    # the page tree is the administrator's (superuser's): only they see its summary
    admin = make_user(department=county, role=Role.ADMINISTRATOR)
    admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    html = client.get("/admin/").content.decode()
    assert "个页面" in html and "搜索全部页面" in html
    assert "Pages <span" not in html and "Page <span" not in html


def test_memberships_and_departments_read_chinese(client, county):
    admin = make_user(department=county, role=Role.ADMINISTRATOR)
    client.force_login(admin)
    listing = client.get("/admin/memberships/").content.decode()
    assert ">人员<" in listing.replace("\n", "").replace(" ", "") or "人员" in listing
    for english in (">User<", ">Department<", "“User”", "“Department”"):
        assert english not in listing
    inspect = client.get(f"/admin/departments/inspect/{county.pk}/").content.decode()
    body = inspect[inspect.index("<main") :]
    assert "True" not in body and "False" not in body
    assert "是" in body
    membership = admin.memberships.get()
    delete = client.get(f"/admin/memberships/delete/{membership.pk}/").content.decode()
    assert "/admin/memberships/usage/" not in delete

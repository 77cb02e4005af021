"""The audit log reads as words: Chinese action names, details as 名称：值 with codes by their
labels, departments and people by name; the chain itself keeps the codes."""

import re

import pytest

from govhub.core import actions, audit
from govhub.core import audit_display as shown
from govhub.core.models import AuditRecord, Level, Role
from govhub.core.permissions import ACTIONS
from tests.factories import make_department, make_user

pytestmark = pytest.mark.django_db

# every action code written with a literal name anywhere in the project
CODES = sorted(
    {
        m
        for path in __import__("pathlib").Path(audit.__file__).parents[1].rglob("*.py")
        for m in re.findall(r'action="([a-z]+(?:[_.][a-z]+)+)"', path.read_text())
        # require(..., "view_audit") names a permission; argparse's store_true is no record
        if m not in ACTIONS and not m.startswith("store_")
    }
)


@pytest.mark.parametrize("code", CODES)
def test_every_action_the_project_records_has_a_chinese_name(code):
    label = shown.action_label(code)
    assert label in shown.ACTION_LABELS.values(), f"{code} is only composed: {label}"
    assert not re.search(r"[A-Za-z]", label)


def test_unnamed_and_wagtail_actions_still_read_chinese():
    assert shown.action_label("letter_frobnicated") == "信件"
    assert shown.action_label("zzz") == "其他操作"
    assert shown.action_label("wagtail:wagtail.publish") == "页面：发布"


def test_details_show_labels_names_and_yes_no():
    county = make_department(name="示范县", level=Level.COUNTY, code="county")
    rsj = make_department(county, name="人社局", code="rsj")
    user = make_user(department=rsj, role=Role.HANDLER)
    user.first_name = "陈志强"
    user.save()
    assert shown.details(
        {"from": "received", "to": "dispatched", "co": [], "auto": False, "department": "rsj"}
    ) == [
        ("原状态", "待分办"),
        ("新状态", "待签收"),
        ("协办部门", "无"),
        ("自动分办", "否"),
        ("部门", "人社局"),
    ]
    assert shown.details({"user": user.pk, "role": "handler", "attempted": "record_letter"}) == [
        ("人员", "陈志强"),
        ("岗位", "承办"),
        ("试图执行", "登记来信"),
    ]
    assert shown.details({"closes_at": "2026-11-21T17:04:05.588977+00:00", "endpoint": ""}) == [
        ("截止时间", "2026-11-22 01:04"),
        ("接口地址", "无"),
    ]
    assert shown.object_kind("core.department") == "部门"
    assert shown.object_kind("wagtail.articlepage") == "文章"


def test_the_log_page_shows_no_codes(client):
    county = make_department(name="示范县", level=Level.COUNTY, code="county")
    admin = make_user(department=county, role=Role.ADMINISTRATOR)
    admin.first_name = "系统管理员"
    admin.save()
    staff = actions.create_staff_user(admin, username="wangxy", password="x-12345678")
    actions.assign_role(admin, user=staff, department=county, role=Role.EDITOR)
    client.force_login(admin)
    html = client.get("/admin/audit-log/").content.decode()
    body = html[html.index("<tbody>") :]
    body = body[: body.index("</tbody>")]
    assert "分配岗位" in body and "新建人员账号" in body
    assert "岗位：编辑" in body and "部门：示范县" in body
    assert "系统管理员（" in body
    for code in ("role_assigned", "staff_created", "editor", "{", "core.membership"):
        assert code not in body
    filtered = client.get("/admin/audit-log/?action=role_assigned").content.decode()
    assert '<option value="role_assigned" selected>分配岗位</option>' in filtered
    assert AuditRecord.objects.filter(action="role_assigned").exists()

"""The registry: one function per change with history and audit; imports with a row report."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from govhub.core.models import AuditRecord
from govhub.matrix import actions
from govhub.matrix.models import Account, AccountChange

HEADER = "平台,账号名称,平台账号ID,主办部门,行政层级,类别,认证状态,备案号,开设日期,关停日期,联系人,联系电话\n"


def csv_bytes(rows: list[str], encoding="utf-8") -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode(encoding)


@pytest.fixture
def supervisor(county):
    from govhub.core.models import Role
    from tests.factories import make_user

    return make_user("county_sup", department=county.root, role=Role.SUPERVISOR)


def test_create_and_update_keep_history_audit_and_encrypt_contact(county):
    admin = county.admin
    acc = actions.create_account(
        admin,
        platform="wechat",
        name="示范县人社局",
        remote_id="gh_rsj",
        department=county.dept("rsj"),
        level="county",
        kind="government",
        operator_name="张三",
        operator_phone="13912345678",
    )
    actions.update_account(admin, acc, name="示范县人社", operator_phone="13900000000")
    changes = list(AccountChange.objects.filter(account=acc).order_by("id"))
    assert [c.action for c in changes] == ["created", "updated"]
    assert changes[1].changes["name"] == ["示范县人社局", "示范县人社"]
    assert changes[1].changes["operator_phone"] == "已修改"  # never the number itself
    assert AuditRecord.objects.filter(
        action="matrix_account_updated", object_id=str(acc.pk)
    ).exists()
    with connection.cursor() as cur:
        cur.execute("SELECT operator_phone FROM matrix_account WHERE id = %s", [acc.pk])
        stored = cur.fetchone()[0]
    assert "13900000000" not in stored and stored.startswith("pii1:")
    assert Account.objects.get(pk=acc.pk).operator_phone == "13900000000"


def test_a_handler_cannot_register_and_nothing_is_written(county):
    handler = county.user("handler")
    with pytest.raises(PermissionDenied):
        actions.create_account(
            handler,
            platform="wechat",
            name="x",
            remote_id="x1",
            department=county.dept("rsj"),
            level="county",
            kind="government",
        )
    assert not Account.objects.exists()


def test_import_a_clean_utf8_file(county, supervisor):
    data = csv_bytes(
        [
            "微信公众号,示范县教育,gh_jyj,jyj,县,教育,已认证,示政媒备001号,2020-03-01,,李四,13800001111",
            "微博,示范县公安局微博,wb_gaj,县公安局,,公安,,,2021/5/6,,,",
        ]
    )
    report = actions.import_accounts(supervisor, data, "accounts.csv")
    assert report.encoding == "utf-8" and report.invalid == 0 and report.created == 2
    acc = Account.objects.get(remote_id="wb_gaj")
    assert (
        acc.department.code == "gaj" and acc.kind == "police" and str(acc.opened_on) == "2021-05-06"
    )


def test_gbk_file_is_detected(county, supervisor):
    data = csv_bytes(
        ["微信公众号,示范县卫健委发布,gh_wjw,wjw,县,卫生健康,已认证,,2019-01-01,,,"], "gbk"
    )
    report = actions.import_accounts(supervisor, data, "gbk.csv")
    assert report.encoding in {"gb18030", "gbk"} and report.created == 1
    assert Account.objects.get(remote_id="gh_wjw").name == "示范县卫健委发布"


def test_bad_rows_are_reported_and_nothing_half_imported(county, supervisor):
    data = csv_bytes(
        [
            "微信公众号,好账号,ok1,rsj,县,政府,已认证,,2020-01-01,,,",
            "微信公众号,坏日期,bad1,rsj,县,政府,已认证,,2020-13-45,,,",
            "微信公众号,未知部门,bad2,nosuch,县,政府,已认证,,2020-01-01,,,",
            "微信公众号,重复,ok1,rsj,县,政府,已认证,,2020-01-01,,,",
            "飞信,平台错,bad3,rsj,县,政府,已认证,,2020-01-01,,,",
        ]
    )
    report = actions.import_accounts(supervisor, data, "bad.csv")
    assert report.valid == 1 and report.invalid == 4 and report.imported == 0
    errors = {r.line: " ".join(r.errors) for r in report.rows if r.errors}
    assert "不是有效日期" in errors[3]
    assert "主办部门“nosuch”不存在" in errors[4]
    assert "与第 2 行重复" in errors[5]
    assert "平台“飞信”无法识别" in errors[6]
    assert not Account.objects.exists()
    # the user chooses to import the valid rows
    report = actions.import_accounts(supervisor, data, "bad.csv", import_valid_rows=True)
    assert report.created == 1
    assert list(Account.objects.values_list("remote_id", flat=True)) == ["ok1"]


def test_wrong_columns_are_a_file_error(county, supervisor):
    report = actions.import_accounts(supervisor, "名字,编号\nA,1\n".encode(), "x.csv")
    assert any("缺少必需的列" in e for e in report.file_errors)
    assert any("无法识别的列" in e for e in report.file_errors)
    assert not Account.objects.exists()


def test_xlsx_import(county, supervisor):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER.strip().split(","))
    import datetime as dt

    ws.append(
        [
            "抖音",
            "示范县文旅抖音",
            "dy_wlj",
            "wlj",
            "县",
            "文化旅游",
            "已认证",
            "",
            dt.datetime(2022, 7, 1),
            None,
            "",
            "",
        ]
    )
    buf = io.BytesIO()
    wb.save(buf)
    report = actions.import_accounts(supervisor, buf.getvalue(), "a.xlsx")
    assert report.created == 1, report.as_dict()
    assert str(Account.objects.get(remote_id="dy_wlj").opened_on) == "2022-07-01"


def test_reimporting_the_registry_changes_nothing(county, supervisor):
    data = csv_bytes(["微信公众号,示范县教育,gh_jyj,jyj,县,教育,已认证,,2020-03-01,,,"])
    actions.import_accounts(supervisor, data, "a.csv")
    n_changes = AccountChange.objects.count()
    report = actions.import_accounts(supervisor, data, "a.csv")
    assert report.created == 0 and report.updated == 0
    assert AccountChange.objects.count() == n_changes


def test_the_account_list_holds_the_persons_own_departments_only(client, db):
    """Wagtail 8 builds a ModelViewSet's list without the viewset's get_queryset: the scope is
    on the list view itself, so a township's supervisor does not read the county's register."""
    from govhub.core.models import Role
    from tests.factories import make_department, make_user
    from tests.matrix.helpers import make_account

    county = make_department(name="示范县")
    town = make_department(county, name="城关镇")
    mine = make_account(town, name="城关镇发布")
    theirs = make_account(county, name="示范县发布")
    client.force_login(make_user(department=town, role=Role.SUPERVISOR))
    listed = client.get("/admin/matrix_accounts/").content.decode()
    assert mine.name in listed and theirs.name not in listed
    client.force_login(make_user(department=county, role=Role.SUPERVISOR))
    listed = client.get("/admin/matrix_accounts/").content.decode()
    assert mine.name in listed and theirs.name in listed

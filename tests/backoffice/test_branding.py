"""The back office carries the county's platform name, not Wagtail's, and links nowhere abroad."""

from __future__ import annotations

import json
import re

import pytest
from django.template.loader import render_to_string

from govhub.backoffice.templatetags.backoffice_tags import app_name, permission_label
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _menu(html: str) -> list[tuple[str, str]]:
    """(key, value) of every label, footer, link and attribute in Wagtail's sidebar JSON."""
    m = re.search(
        r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>', html, re.S
    )
    found = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(value, str) and key != "_type":
                    found.append((key, value))
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(m.group(1)))
    return found


def test_login_page_names_the_platform_in_chinese(client, settings):
    settings.PLATFORM_NAME = "测试县政务平台"
    html = client.get("/admin/login/").content.decode()
    assert "<title>登录 - 测试县政务平台</title>" in html
    assert "登录测试县政务平台" in html
    for label in ("用户名", "密码", "请输入用户名", "请输入密码", "记住我"):
        assert label in html
    assert "Wagtail" not in re.sub(r"<script.*?</script>|<[^>]+>", " ", html, flags=re.S)
    assert "Password" not in html
    assert "enable-javascript.com" not in html


def test_dashboard_and_menu_carry_no_wagtail_name_or_foreign_link(client):
    client.force_login(make_user(superuser=True))
    html = client.get("/admin/").content.decode()
    assert "guide.wagtail.org" not in html
    assert "Wagtail" not in re.sub(r"<script.*?</script>|<[^>]+>", " ", html, flags=re.S)
    assert "示范县政务平台" in html  # sidebar head, page heading and title
    menu = _menu(html)
    assert not [v for _, v in menu if "Wagtail" in v]  # no "Wagtail v8.0.1" under 设置
    assert not [k for k, _ in menu if "dismissible" in k]  # nothing flagged "(新)" in 帮助
    assert ("label", "快捷键") in menu


def test_root_page_and_collection_have_chinese_names():
    from wagtail.models import Collection, Page

    assert Page.objects.get(depth=1).title == "根目录"
    assert Collection.objects.get(depth=1).name == "全部"


def test_site_list_columns_are_named_in_chinese(client):
    client.force_login(make_user(superuser=True))
    html = client.get("/admin/sites/").content.decode()
    for header in ("端口号", "站点名称", "根页面"):
        assert header in html
    assert "Site name" not in html and ">Port<" not in html


def test_yes_no_cells_read_chinese():
    class Column:
        classname = ""

    cell = "wagtailadmin/tables/cell.html"
    assert "是" in render_to_string(cell, {"value": True, "column": Column()})
    assert "否" in render_to_string(cell, {"value": False, "column": Column()})
    assert render_to_string(cell, {"value": None, "column": Column()}).count("None") == 0
    tick = render_to_string(
        "wagtailadmin/tables/boolean_cell.html", {"value": True, "column": Column()}
    )
    assert 'title="是"' in tick or "是" in tick


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("Can add group", "可添加组"),
        ("内容管理核心 | 页面 | Can change page", "可修改页面"),
        ("Can delete 部门", "可删除部门"),
        ("Delete pages with children", "删除页面及其子页面"),
    ],
)
def test_permissions_are_named_in_chinese(stored, shown):
    assert permission_label(stored) == shown


def test_group_editor_names_permissions_in_chinese(client):
    client.force_login(make_user(superuser=True))
    html = client.get("/admin/groups/new/").content.decode()
    assert "Can add" not in html and "Can change" not in html and "Can delete" not in html
    assert "可添加组" in html


def test_app_names_not_codes():
    assert app_name("portal") == "门户网站"
    assert app_name("no-such-app") == "no-such-app"


def test_group_editor_labels_the_page_chooser_of_a_page_permission_in_chinese(client):
    client.force_login(make_user(superuser=True))
    html = client.get("/admin/groups/new/").content.decode()
    label = html.split('id="id_page_permissions-__prefix__-page-label">')[1].split("<")[0]
    assert label.strip() == "页面"

"""The back-office pages a supervisor uses, end to end through the Django test client."""

from __future__ import annotations

import pytest
from django.urls import reverse

from govhub.core.models import Role
from govhub.matrix.demo import build as build_matrix
from govhub.matrix.demo import remote_id as demo_remote_id
from govhub.matrix.models import Account, Rectification
from tests.factories import make_user


@pytest.fixture
def demo(county):
    from govhub.analytics.demo import build as build_analytics

    build_matrix(county)
    build_analytics(county)
    return county


def login(client, username):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=username))


def test_every_page_shows_the_demo(client, demo):
    login(client, "supervisor")
    for name, text in [
        ("matrix_inspection", "天未更新"),
        ("matrix_rectifications", "ZG"),
        ("matrix_duplicates", "首发"),
        ("matrix_counterfeits", "示范县公安"),
        ("matrix_rankings", "传播力指数"),
        ("matrix_import", "上传并校验"),
        ("analytics_dashboard", "<svg"),
        ("analytics_topics", "路灯"),
        ("analytics_assessment", "总分"),
        ("analytics_report", "下载 PDF"),
        ("matrix_accounts:index", "示范县公安局"),
    ]:
        resp = client.get(reverse(name))
        assert resp.status_code == 200, name
        assert text in resp.content.decode(), name
    acc = Account.objects.get(remote_id=demo_remote_id("wechat", "gaj"))
    page = client.get(reverse("matrix_account", args=[acc.pk])).content.decode()
    assert "示范县公安局" in page and "变更记录" in page

    # a handler is refused (Wagtail turns the refusal into a redirect to the dashboard)
    login(client, "handler")
    for name in ("matrix_inspection", "analytics_assessment", "matrix_rankings"):
        resp = client.get(reverse(name))
        assert resp.status_code in (302, 403) and "示范县" not in resp.content.decode()
    # the supervisor sends a rectification notice; the owner answers it
    login(client, "supervisor")
    acc = Account.objects.get(remote_id=demo_remote_id("wechat", "kjj"))
    resp = client.get(reverse("matrix_rectification_new", args=[acc.pk]))
    assert "天未更新" in resp.content.decode()  # the findings are pre-filled
    resp = client.post(
        reverse("matrix_rectification_new", args=[acc.pk]),
        {"problems": "超过两周未更新", "deadline": "2099-01-01"},
    )
    rect = Rectification.objects.get(account=acc)
    assert resp.status_code == 302 and rect.status == "issued"
    owner = make_user("kjj_editor", department=acc.department, role=Role.EDITOR)
    client.force_login(owner)
    client.post(
        reverse("matrix_rectification", args=[rect.pk]), {"action": "answer", "text": "已恢复更新"}
    )
    rect.refresh_from_db()
    assert rect.status == "answered" and rect.response == "已恢复更新"
    client.post(reverse("matrix_rectification", args=[rect.pk]), {"action": "close", "text": "x"})
    rect.refresh_from_db()
    assert rect.status == "answered"  # the owner cannot close it
    # the registry's edit page goes through update_account and keeps the history
    login(client, "supervisor")
    acc = Account.objects.get(remote_id=demo_remote_id("wechat", "jyj"))
    url = reverse("matrix_accounts:edit", args=[acc.pk])
    form = client.get(url).context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if k in form.fields}
    data.update(
        department=acc.department_id,
        name="示范县教育发布",
        opened_on=str(acc.opened_on),
        has_interaction="on",
    )
    resp = client.post(url, data)
    assert resp.status_code == 302
    acc.refresh_from_db()
    assert acc.name == "示范县教育发布"
    assert acc.changes.filter(action="updated").first().changes["name"] == [
        "示范县教育局",
        "示范县教育发布",
    ]


def test_import_with_errors_then_valid_rows_only(client, county):
    make_user("county_sup", department=county.root, role=Role.SUPERVISOR)
    login(client, "county_sup")
    csv = (
        "平台,账号名称,平台账号ID,主办部门\n"
        "微信公众号,新账号一,new-1,rsj\n"
        "微信公众号,新账号二,new-2,no-such-dept\n"
    ).encode("gbk")
    from django.core.files.uploadedfile import SimpleUploadedFile

    resp = client.post(
        reverse("matrix_import"), {"kind": "accounts", "file": SimpleUploadedFile("a.csv", csv)}
    )
    page = resp.content.decode()
    assert "主办部门“no-such-dept”不存在" in page and "未导入任何数据" in page and "gb18030" in page
    assert not Account.objects.filter(remote_id__startswith="new-").exists()
    token = resp.context["token"]
    resp = client.post(reverse("matrix_import"), {"token": token})
    assert list(
        Account.objects.filter(remote_id__startswith="new-").values_list("remote_id", flat=True)
    ) == ["new-1"]

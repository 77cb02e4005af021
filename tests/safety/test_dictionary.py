"""Dictionaries as versioned data: administrators change them, reviewers read them, CSV/xlsx in
and out, and the checker follows every change."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied

from govhub.safety import actions, store
from govhub.safety.checker import check_text
from govhub.safety.models import DictionaryRevision, LeaderEntry, Term

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_lexicon():
    store.forget()
    yield
    store.forget()


def test_an_administrator_adds_a_local_term_and_the_checker_follows(
    county, django_capture_on_commit_callbacks
):
    admin = county.user("admin")
    assert check_text("本县服务达到最高级水平") == []
    with django_capture_on_commit_callbacks(execute=True):
        actions.save_term(admin, {"kind": "forbidden", "term": "最高级", "severity": "阻断"})
    (f,) = check_text("本县服务达到最高级水平")
    assert f.code == "forbidden_term" and f.blocking
    assert DictionaryRevision.objects.count() == 1


def test_switching_off_a_base_entry_locally(county, django_capture_on_commit_callbacks):
    admin = county.user("admin")
    assert [f.code for f in check_text("卫计委召开会议")] == ["outdated_name"]
    with django_capture_on_commit_callbacks(execute=True):
        actions.save_term(
            admin,
            {
                "kind": "outdated",
                "term": "卫计委",
                "correction": "卫健委",
                "since": "2018-03-17",
                "enabled": "0",
            },
        )
    assert check_text("卫计委召开会议") == []


def test_reviewers_may_read_but_not_change(county):
    reviewer = county.user("reviewer")
    with pytest.raises(PermissionDenied):
        actions.save_term(reviewer, {"kind": "forbidden", "term": "最高级"})
    assert not Term.objects.exists()


def test_bad_rows_are_refused_field_by_field(county):
    from govhub.core.errors import FieldErrors

    with pytest.raises(FieldErrors) as exc:
        actions.save_term(county.user("admin"), {"kind": "outdated", "term": "某某局"})
    assert set(exc.value.errors) == {"correction", "since"}


def test_csv_and_xlsx_import_with_line_numbers_for_bad_rows(county):
    admin = county.user("admin")
    data = (
        "类别,词语,正确写法/新名称,处理方式,停用日期,说明,来源,启用\n"
        "禁用词,最高级,,阻断,,,本县宣传部,是\n"
        "过时名称,县农业局,县农业农村局,阻断,2019-03-01,,本县机构改革方案,是\n"
        "过时名称,县文化局,,阻断,,,,是\n"
    ).encode("utf-8-sig")
    result = actions.import_terms(admin, data, "本县词库.csv")
    assert (result["added"], result["updated"]) == (2, 0)
    assert result["errors"] and result["errors"][0].startswith("第 4 行")
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["name", "title", "level", "start", "end", "source"])
    wb.active.append(["张明", "县委书记", "县级", "2024-01-10", "", "本县任免通知"])
    buf = io.BytesIO()
    wb.save(buf)
    result = actions.import_leaders(admin, buf.getvalue(), "leaders.xlsx")
    assert result["added"] == 1
    assert LeaderEntry.objects.get().level == "county"


def test_pages_for_administrators_and_reviewers(county, client):
    client.force_login(county.user("reviewer"))
    page = client.get("/admin/safety/dictionary/?kind=outdated")
    text = page.content.decode()
    assert page.status_code == 200 and "国土资源部" in text and "自然资源部" in text
    assert "新增本地词条" not in text
    assert client.get("/admin/safety/dictionary/new/").status_code in (302, 403)
    csv_resp = client.get("/admin/safety/dictionary/export.csv")
    assert csv_resp.status_code == 200 and "国土资源部" in csv_resp.content.decode("utf-8-sig")
    xlsx = client.get("/admin/safety/dictionary/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert "国务院总理" in client.get("/admin/safety/leaders/").content.decode()
    checked = client.post("/admin/safety/check/", {"text": "各级人民攻府要加强领导"})
    assert "人民政府" in checked.content.decode() and "data-finding" in checked.content.decode()

    client.force_login(county.user("admin"))
    resp = client.post(
        "/admin/safety/dictionary/new/",
        {"kind": "forbidden", "term": "", "enabled": ["0", "1"]},
    )
    assert resp.status_code == 200 and "请填写词语" in resp.content.decode()
    resp = client.post(
        "/admin/safety/dictionary/new/",
        {"kind": "forbidden", "term": "最高级", "severity": "blocking", "enabled": ["0", "1"]},
    )
    assert resp.status_code == 302 and Term.objects.get().enabled

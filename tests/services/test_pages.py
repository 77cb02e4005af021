"""The public pages and the back office, through the HTTP layer."""

import pytest
from django.test import Client

from govhub.core.models import Role
from govhub.ratings.models import Rating
from govhub.services.models import LifeEvent, QueryConnector
from tests.factories import make_department, make_user
from tests.services.helpers import VALID_ID, FakeBackend, make_connector, make_guide

pytestmark = pytest.mark.django_db


def test_guides_browse_by_life_event_search_and_detail():
    guide = make_guide()
    guide.life_events.add(LifeEvent.objects.get(slug="housing"))
    c = Client()
    home = c.get("/services/")
    assert "购房" in home.content.decode() and "个人办事" in home.content.decode()
    listed = c.get("/services/guides/?event=housing").content.decode()
    assert "购房：相关事项" in listed and guide.name in listed
    assert guide.name not in c.get("/services/guides/?event=marriage").content.decode()
    found = c.get("/services/guides/", {"q": "买房了想把公积金取出来"}).content.decode()
    assert guide.name in found
    detail = c.get(guide.get_absolute_url()).content.decode()
    for text in ("申请材料", "居民身份证", "承诺时限", "3 个工作日", "好差评", "非常不满意"):
        assert text in detail


def test_rating_a_guide_from_the_page_once_per_visit():
    guide = make_guide()
    c = Client()
    page = c.get(guide.get_absolute_url()).content.decode()
    token = page.split('name="token" value="')[1].split('"')[0]
    missing = c.post("/ratings/rate/", {"token": token, "level": "1", "comment": ""})
    assert missing.status_code == 400 and "请简单说明不满意的原因" in missing.content.decode()
    ok = c.post("/ratings/rate/", {"token": token, "level": "4"})
    assert "感谢您的评价" in ok.content.decode()
    again_token = c.get(guide.get_absolute_url()).content.decode()
    again_token = again_token.split('name="token" value="')[1].split('"')[0]
    again = c.post("/ratings/rate/", {"token": again_token, "level": "5"})
    assert again.status_code == 409 and "已经评价过" in again.content.decode()
    assert Rating.objects.count() == 1


def test_query_page_valid_invalid_and_busy():
    with FakeBackend() as fake:
        conn = make_connector(fake.url)
        c = Client()
        assert "身份证号" in c.get(conn.get_absolute_url()).content.decode()
        bad = c.post(conn.get_absolute_url(), {"idcard": "110105194912310021"})
        assert bad.status_code == 400
        assert "校验位不正确" in bad.content.decode()
        assert 'value="110105194912310021"' in bad.content.decode()  # nothing typed is lost
        good = c.post(conn.get_absolute_url(), {"idcard": VALID_ID}).content.decode()
        assert "12,345.60" in good and "请对本次查询服务评价" in good
    busy = c.post(conn.get_absolute_url(), {"idcard": VALID_ID})  # backend gone
    assert busy.status_code == 503 and "服务繁忙" in busy.content.decode()


def test_api_query_and_rating():
    with FakeBackend() as fake:
        conn = make_connector(fake.url)
        c = Client()
        bad = c.post(
            f"/api/services/queries/{conn.slug}",
            {"params": {"idcard": "123"}},
            content_type="application/json",
        )
        assert bad.status_code == 400 and bad.json()["details"]["idcard"]
        ok = c.post(
            f"/api/services/queries/{conn.slug}",
            {"params": {"idcard": VALID_ID}},
            content_type="application/json",
        ).json()
    assert ok["found"] and ok["rows"][1]["value"] == "12,345.60"
    rated = c.post(
        "/api/services/ratings",
        {"token": ok["rating_token"], "level": 2, "comment": "查询太慢"},
        content_type="application/json",
    ).json()
    assert rated["level"] == "不满意" and rated["callback_due"]


def test_admin_adds_a_connector_in_the_back_office_and_bad_lines_are_named():
    county = make_department(name="示范县")
    admin = make_user(department=county, role=Role.ADMINISTRATOR)
    c = Client()
    c.force_login(admin)
    form = {
        "name": "社保缴费查询",
        "slug": "sb-payments",
        "description": "",
        "department": county.pk,
        "guide": "",
        "endpoint": "http://127.0.0.1:9/sb",
        "method": "POST",
        "auth_type": "api_key",
        "auth_header": "X-Api-Key",
        "app_id": "",
        "secret": "k",
        "input_fields": "idcard｜身份证号｜生日",
        "result_mapping": "data.months｜缴费月数",
        "empty_message": "没有查到",
        "timeout_seconds": "5",
        "cache_seconds": "0",
        "keyword": "",
        "enabled": "on",
    }
    r = c.post("/admin/query_connectors/new/", form)
    assert r.status_code == 200 and "类型“生日”不认识" in r.content.decode()
    form["input_fields"] = "idcard｜身份证号｜身份证号"
    r = c.post("/admin/query_connectors/new/", form)
    assert r.status_code == 302
    conn = QueryConnector.objects.get(slug="sb-payments")
    assert conn.secret == "k"
    # editing without retyping the secret keeps it; the page never shows it
    edit = c.get(f"/admin/query_connectors/edit/{conn.pk}/").content.decode()
    assert 'value="k"' not in edit
    form["secret"] = ""
    assert c.post(f"/admin/query_connectors/edit/{conn.pk}/", form).status_code == 302
    conn.refresh_from_db()
    assert conn.secret == "k"
    # an editor may not configure connectors
    editor = make_user(department=county, role=Role.EDITOR)
    c.force_login(editor)
    assert c.get("/admin/query_connectors/new/").status_code in (302, 403)


def test_an_editor_lists_copies_and_edits_only_guides_of_their_own_departments():
    """The list offers 复制 and 编辑 on each row: each must open for whoever sees the row."""
    ours, theirs = make_department(name="县融媒体中心"), make_department(name="县教育局")
    own = make_guide(ours, name="新闻发布会旁听登记")
    other = make_guide(theirs, name="小学一年级新生入学登记")
    editor = make_user(department=ours, role=Role.EDITOR)
    c = Client()
    c.force_login(editor)
    listed = c.get("/admin/service_guides/").content.decode()
    assert own.name in listed and other.name not in listed
    assert f"/admin/service_guides/copy/{own.pk}/" in listed
    assert c.get(f"/admin/service_guides/copy/{own.pk}/").status_code == 200
    for view in ("copy", "edit", "delete"):
        assert c.get(f"/admin/service_guides/{view}/{other.pk}/").status_code == 302
    # the form offers the editor's own departments only
    form = c.get("/admin/service_guides/new/").content.decode()
    assert "县融媒体中心" in form and "县教育局" not in form


def test_the_portal_site_search_finds_guides_beside_articles():
    guide = make_guide()
    page = Client().get("/search/", {"q": "公积金提取"}).content.decode()
    section = page.split("<h2", 1)[1]
    assert "办事指南" in section and guide.get_absolute_url() in page
    assert "县住房公积金管理中心 · 承诺 3 个工作日" in page
    assert "/services/guides/?q=%E5%85%AC%E7%A7%AF%E9%87%91%E6%8F%90%E5%8F%96" in page
    assert "相关的文章" in page  # no article found, but the guide is
    nothing = Client().get("/search/", {"q": "体育馆开放时间"}).content.decode()
    assert guide.get_absolute_url() not in nothing and "相关的信息" in nothing

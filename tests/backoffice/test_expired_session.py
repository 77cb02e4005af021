"""A back-office form that arrives after the login ran out is answered with a Chinese page that
holds every field, not with a redirect that throws them away."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import make_user

pytestmark = pytest.mark.django_db

LONG = "冬季供暖期为每年11月15日至次年3月15日，供热不达标可拨打12345热线反映。"


def test_form_after_login_ran_out_is_kept_and_explained(client):
    response = client.post(
        "/admin/searchpicks/add/?next=/admin/searchpicks/",
        {"query_string": "供暖费", "editors_picks-0-description": LONG, "tag": ["甲", "乙"]},
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "登录已过期" in html
    assert 'action="/admin/searchpicks/add/?next=/admin/searchpicks/"' in html
    assert '<input type="hidden" name="query_string" value="供暖费">' in html
    assert html.count('name="tag"') == 2  # every value of a repeated field
    assert f'<textarea readonly rows="6">{LONG}</textarea>' in html  # long text to copy
    assert "/admin/login/?next=/admin/logged-in-again/" in html
    assert "csrfmiddlewaretoken" in html and "Wagtail" not in html


def test_files_are_named_as_not_kept(client):
    upload = SimpleUploadedFile("照片.jpg", b"\xff\xd8\xff", content_type="image/jpeg")
    response = client.post("/admin/images/add/", {"title": "照片", "file": upload})
    assert response.status_code == 403
    assert "照片.jpg" in response.content.decode()
    assert "无法保留" in response.content.decode()


def test_other_requests_are_left_alone(client):
    # logging in, a script's request and a page view work as before
    assert client.post("/admin/login/", {"username": "x", "password": "y"}).status_code == 200
    ajax = client.post(
        "/admin/searchpicks/add/", {"a": "1"}, headers={"x-requested-with": "XMLHttpRequest"}
    )
    assert ajax.status_code == 403 and "登录已过期" not in ajax.content.decode()
    assert client.get("/admin/searchpicks/add/").status_code == 302


def test_a_logged_in_form_goes_through(client):
    client.force_login(make_user(superuser=True))
    response = client.post("/admin/searchpicks/add/", {"query_string": ""})
    assert response.status_code == 200  # the view's own validation answers
    assert "登录已过期" not in response.content.decode()


def test_logged_in_again_page_says_to_go_back(client):
    client.force_login(make_user(superuser=True))
    html = client.get("/admin/logged-in-again/").content.decode()
    assert "已重新登录" in html and "重新提交" in html

"""What the letter form and its confirmation keep in the process (the <select>s' HTML, the
portal's frame) never shows a stale town, village, category or footer: each change shows at once."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from govhub.core import actions as core_actions
from govhub.core.models import Department
from govhub.letters.forms import LetterForm
from govhub.letters.models import Category
from tests.letters.helpers import make_categories

pytestmark = pytest.mark.django_db


def _form_page(client, **cookies) -> str:
    for name, value in cookies.items():
        client.cookies[name] = value
    response = client.get("/letters/write/")
    assert response.status_code == 200
    return response.content.decode()


def _select(html: str, name: str) -> str:
    return re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)


def _village_options(html: str) -> list[tuple[str, str, str]]:
    """(group label, option value, option text) of every village."""
    out = []
    for group, body in re.findall(r'<optgroup label="([^"]*)">(.*?)</optgroup>', html, re.S):
        for value, text in re.findall(r'<option value="([^"]+)"[^>]*>([^<]*)</option>', body):
            out.append((group, value, text))
    return out


def _village(county) -> Department:
    return Department.objects.filter(level="village", is_active=True).order_by("path").first()


def test_a_department_renamed_added_or_deactivated_shows_in_the_form_at_once(client, county):
    admin = county.user("admin")
    first = _form_page(client)
    village = _village(county)
    town = village.get_parent()
    assert (town.name, village.code, village.name) in _village_options(_select(first, "village"))

    # renamed through the back office's action: the village and its town's group
    core_actions.update_department(admin, village, name="幸福新村")
    core_actions.update_department(admin, town, name="城关新镇")
    html = _form_page(client)
    villages = _village_options(_select(html, "village"))
    assert ("城关新镇", village.code, "幸福新村") in villages
    assert ">城关新镇</option>" in _select(html, "town")

    # added
    core_actions.create_department(
        admin, parent=town, name="新建社区", code="xinjian", level="village", kind="village"
    )
    villages = _village_options(_select(_form_page(client), "village"))
    assert ("城关新镇", "xinjian", "新建社区") in villages

    # deactivated by a bulk update that sends no signal at all: the rows are the key
    Department.objects.filter(code="xinjian").update(is_active=False)
    assert "xinjian" not in _select(_form_page(client), "village")

    # and the form's validation agrees with what is shown
    data = {"content": "路灯坏了。", "phone": "13912345678", "token": "t", "village": village.code}
    form = LetterForm(data=data)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["village"].name == "幸福新村"


def test_a_category_added_or_hidden_shows_at_once(client, county):
    make_categories(county)
    before = _select(_form_page(client), "category")
    Category.objects.create(code="new_kind", name="新设类别", is_public=True)
    html = _select(_form_page(client), "category")
    assert ">新设类别</option>" in html and html != before
    Category.objects.filter(code="new_kind").update(is_public=False)
    assert _select(_form_page(client), "category") == before


def test_the_kept_lists_are_the_lists_django_renders(client, county):
    """The same bytes as the form rendered without anything kept, and a second form reads
    one row query instead of building every option."""
    from govhub.letters import forms as letter_forms
    from govhub.portal import frames

    make_categories(county)
    first = _form_page(client)
    with CaptureQueriesContext(connection) as queries:
        second = _form_page(client)
    token = re.compile(r'value="[^"]{20,}"')
    assert token.sub("", first) == token.sub("", second)
    tables = [q["sql"] for q in queries.captured_queries]
    assert len(tables) == 2, tables  # the departments' rows and the categories' rows
    letter_forms.forget_rendered()
    frames.clear()
    assert token.sub("", _form_page(client)) == token.sub("", first)


def test_a_chosen_village_on_an_error_page_stays_chosen(client, county):
    village = _village(county)
    _form_page(client)  # the empty lists are kept
    response = client.post(
        "/letters/write/", {"content": "", "phone": "13912345678", "token": "tok-1",
                            "village": village.code},
    )  # fmt: skip
    assert response.status_code == 400
    html = _select(response.content.decode(), "village")
    assert re.search(rf'<option value="{village.code}"[^>]* selected[ >]', html)
    assert "selected" not in _select(_form_page(client), "village").split("</option>", 1)[1]


def test_the_frame_follows_the_cookies_and_a_changed_footer_at_once(client, county):
    from wagtail.models import Site

    from govhub.portal.models import PortalSettings

    plain = _form_page(client)
    assert '<html lang="zh-CN">' in plain and "退出长者模式" not in plain
    elder = _form_page(client, gh_elder="1")
    assert '<html lang="zh-CN" class="elder">' in elder and "退出长者模式" in elder
    hant = _form_page(client, gh_elder="0", gh_script="hant")
    assert '<html lang="zh-CN">' in hant and ">简体</a>" in hant

    settings = PortalSettings.for_site(Site.objects.get(is_default_site=True))
    settings.sponsor = "示范县信访局（新）"
    settings.save()
    client.cookies.clear()
    html = _form_page(client)
    assert "主办单位：示范县信访局（新）" in html

    response = client.post(
        "/letters/write/", {"content": "路灯坏了。", "phone": "13912345678", "token": "tok-2"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and 'id="tracking-code">' in page
    assert "主办单位：示范县信访局（新）" in page and "您的来信已收到" in page

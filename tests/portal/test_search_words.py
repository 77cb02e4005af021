"""Search understands the county's words: synonyms editors keep (and import from CSV),
您是不是要找 for a near miss, pinyin typed as it sounds."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from govhub.core.models import Membership, Role
from govhub.portal import actions, search, search_words
from govhub.portal.models import SearchSynonym
from tests.portal.site import article

pytestmark = pytest.mark.django_db


@pytest.fixture
def heating(site):
    from govhub.portal.models import ColumnPage

    column = ColumnPage.objects.get(slug="yaowen")
    article(column, "城区冬季集中供热正式启动", "今年城区集中供热期为11月15日至次年3月15日。")
    search.reindex_all()
    search_words.forget()
    return site


@pytest.fixture
def editor(county):
    user = get_user_model().objects.create_user("bianji", password="x", is_staff=True)
    Membership.objects.create(user=user, department=county.departments["county"], role=Role.EDITOR)
    return user


def titles(result) -> list[str]:
    return [h.entry.title for h in result.hits]


def test_a_synonym_the_editor_adds_finds_the_other_words_pages(
    heating, editor, django_capture_on_commit_callbacks
):
    assert search.search("供暖").total == 0
    with django_capture_on_commit_callbacks(execute=True):
        actions.save_synonyms(editor, SearchSynonym(words="供暖，供热 暖气"))
    assert SearchSynonym.objects.get().words == "供暖=供热=暖气"
    result = search.search("供暖")
    assert titles(result)[0] == "城区冬季集中供热正式启动"
    assert result.synonyms == ["供热", "暖气"]
    assert "<mark>供热</mark>" in result.hits[0].title_html


def test_a_group_needs_two_words_and_only_editors_keep_them(heating, editor, county):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(ValidationError):
        actions.save_synonyms(editor, SearchSynonym(words="供暖"))
    stranger = get_user_model().objects.create_user("handler1", password="x", is_staff=True)
    with pytest.raises(PermissionDenied):
        actions.save_synonyms(stranger, SearchSynonym(words="供暖=供热"))
    assert not SearchSynonym.objects.exists()


def test_csv_import_adds_and_extends_groups_all_or_nothing(heating, editor):
    SearchSynonym.objects.create(words="低保=最低生活保障")
    bad = "同义词\n供暖,供热\n孤词\n".encode()
    report = actions.import_synonyms(editor, bad)
    assert report.errors == ["第 3 行：至少要有两个词（如“供暖=供热”）"]
    assert SearchSynonym.objects.count() == 1
    good = "同义词,备注\n供暖=供热=暖气,冬季供热\n低保,低保金\n".encode("gb18030")
    report = actions.import_synonyms(editor, good)
    assert (report.created, report.updated, report.errors) == (1, 1, [])
    assert set(SearchSynonym.objects.values_list("words", flat=True)) == {
        "供暖=供热=暖气",
        "低保=最低生活保障=低保金",
    }


def test_a_near_miss_is_put_right_and_the_visitor_may_still_search_as_typed(client, site):
    html = client.get("/search/", {"q": "公基金"}).content.decode()
    assert "您是不是要找" in html and "<strong>公积金</strong>" in html
    assert "仍然搜索" in html and "exact=1" in html
    result = search.search("公基金")
    assert result.suggestion == "公积金" and result.original == "公基金"
    assert result.hits and "公积金" in result.hits[0].entry.title
    assert search.search("公基金", understand=False).suggestion == ""
    assert search.search("公积金").suggestion == ""  # a word is never put right


def test_pinyin_is_read_as_chinese(client, site):
    result = search.search("gongjijin")
    assert result.pinyin == "gongjijin" and result.query == "公积金"
    assert result.hits and "公积金" in result.hits[0].entry.title
    assert search_words.from_pinyin("gongjijin tiqu") == "公积金 提取"
    assert search_words.from_pinyin("xyzq") is None
    html = client.get("/search/", {"q": "gongjijin"}).content.decode()
    assert "已把拼音“gongjijin”按“公积金”搜索" in html
    assert 'value="gongjijin"' in html  # the search box keeps what was typed


def test_back_office_lists_and_imports_synonyms_in_chinese(client, site, editor):
    from django.contrib.auth.models import Permission

    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    SearchSynonym.objects.create(words="供暖=供热")
    response = client.get("/admin/portal_synonyms/")
    assert response.status_code == 200, response.get("Location")
    listing = response.content.decode()
    assert "搜索同义词" in listing and "供暖=供热" in listing and "启用" in listing
    page = client.get("/admin/search-words/import/")
    assert page.status_code == 200 and "导入搜索同义词" in page.content.decode()


def test_a_five_thousand_character_query_gets_a_chinese_page(client, site):
    long_query = "公积金提取" * 1000
    response = client.get("/search/", {"q": long_query})
    assert response.status_code == 200
    html = response.content.decode()
    assert "搜索词过长，已按前 100 个字搜索。" in html
    assert long_query[:101] not in html  # neither the box nor any link repeats it all


def test_a_five_thousand_character_address_is_a_chinese_not_found_page(client, site):
    response = client.get("/" + "公积金" * 1700 + "/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()

"""Search through the page a citizen uses: ranking, highlighting, filters, bad input."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_relevant_article_first_with_highlighted_words(client, site):
    html = client.get("/search/", {"q": "公积金 提取"}).content.decode()
    first = html.index('class="hit"')
    assert "住房<mark>公积金</mark><mark>提取</mark>办理指南" in html[first : first + 600]
    assert "找到约" in html


def test_filters_by_column_type_department_and_date(client, site):
    policy = site["policy"]
    only_policy = client.get("/search/", {"q": "公积金", "type": "policy"}).content.decode()
    assert "管理办法" in only_policy and "办理指南" not in only_policy
    in_service = client.get(
        "/search/", {"q": "公积金", "column": site["service"].pk}
    ).content.decode()
    assert "办理指南" in in_service and "管理办法" not in in_service
    too_early = client.get("/search/", {"q": "公积金", "to": "2020-01-01"}).content.decode()
    assert "没有找到与" in too_early and "智能问答" in too_early
    assert (
        policy.title
        in client.get(
            "/search/", {"q": "公积金", "from": "2026-10-01", "to": "2026-12-31"}
        ).content.decode()
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "公积金" * 3400}, "搜索词过长"),
        ({"q": "😀🎉"}, "没有可检索的文字"),
        ({"q": "，。！？……"}, "没有可检索的文字"),
        ({"q": "   "}, "请输入要搜索的内容"),
        ({"q": "公积金", "page": "abc"}, "页码不正确"),
        ({"q": "公积金", "page": "-3"}, "页码不正确"),
        ({"q": "公积金", "page": "99999999999999999999"}, "页码不正确"),
        ({"q": "公积金", "page": "50"}, "没有这一页"),
        ({"q": "公积金", "from": "2026-13-45"}, "起始日期格式不正确"),
        ({"q": "公积金", "type": "drop table"}, "文种选择不正确"),
    ],
)
def test_bad_input_gets_a_chinese_message_not_an_error(client, site, params, message):
    response = client.get("/search/", params)
    assert response.status_code == 200
    assert message in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        '公积金" OR "x',
        "公积金 AND NOT 提取",
        "NEAR(公积金 提取)",
        "公积金*",
        "公积金'; DROP TABLE x; --",
        "title:公积金",
        "^公积金 -提取",
    ],
)
def test_fts_and_sql_operators_are_plain_text(client, site, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert "住房<mark>公积金</mark>" in response.content.decode()


def test_column_and_department_filters_ignore_garbage(client, site):
    response = client.get("/search/", {"q": "公积金", "column": "x", "department": "1 OR 1=1"})
    assert response.status_code == 200 and "办理指南" in response.content.decode()


def test_many_matches_rank_candidates_and_cap_the_count(client, site, monkeypatch):
    """At scale only a capped candidate set is ranked and the count stops at the cap; the
    visitor sees "超过 N 条" and the best match of the candidates still comes first."""
    from govhub.portal import search

    monkeypatch.setattr(search, "COUNT_CAP", 2)
    monkeypatch.setattr(search, "CANDIDATES", 2)
    result = search.search("公积金 提取")
    assert result.more and 1 <= result.total <= 2
    assert result.hits and "公积金" in result.hits[0].entry.title
    html = client.get("/search/", {"q": "公积金 提取"}).content.decode()
    assert "找到超过" in html

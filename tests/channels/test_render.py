"""The channel forms of a piece: WeChat inline-styled body, Weibo text within 140 with the link."""

from __future__ import annotations

from types import SimpleNamespace

from govhub.channels import render
from govhub.channels.base import link_with_marker


def _pub(**kw):
    return SimpleNamespace(
        **({"title": "示范县发布", "digest": "", "short_text": "", "body": ""} | kw)
    )


def test_wechat_body_is_cleaned_and_styled_inline():
    html = render.wechat_body(
        '<p class="x" onclick="a()">正文</p><script>x()</script><img src="/media/a.png">'
    )
    assert (
        html.startswith('<p style="margin:0 0 1em')
        and "onclick" not in html
        and "script" not in html
    )
    assert 'class="x"' not in html and 'style="max-width:100%' in html
    assert (
        render.absolutise(html, "https://www.example.gov.cn").count(
            'src="https://www.example.gov.cn/media/a.png"'
        )
        == 1
    )


def test_digest_defaults_to_the_start_of_the_body_within_120():
    assert len(render.digest_of(_pub(body="<p>" + "字" * 300 + "</p>"))) == 120
    assert render.digest_of(_pub(digest="编辑写的摘要", body="<p>正文</p>")) == "编辑写的摘要"


def test_weibo_text_fits_140_with_the_link_kept_whole():
    link = link_with_marker("https://www.example.gov.cn/publishing/p/12/", "ghd=0123456789ab")
    text = render.weibo_text(_pub(short_text="长" * 300), link)
    assert len(text) <= 140 and text.endswith(link) and "…" in text
    assert render.weibo_text(_pub(short_text="今日起开放"), link).startswith(
        "【示范县发布】今日起开放 "
    )

"""The forms a piece takes on each channel (宏内容 on the portal, 微内容 on WeChat/Weibo).

HTML from editors is cleaned with nh3 (scripts, event handlers, javascript: links and unknown
tags removed). WeChat drops <style> blocks and classes, so its body carries inline styles.
"""

from __future__ import annotations

import re

import nh3

from govhub.core.text import html_to_text

ALLOWED_TAGS = {
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "ul",
    "ol",
    "li",
    "blockquote",
    "a",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "span",
    "section",
    "figure",
    "figcaption",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
WECHAT_STYLES = {
    "p": "margin:0 0 1em;line-height:1.75;font-size:16px;color:#333;text-align:justify",
    "h2": "margin:1.2em 0 .6em;font-size:19px;font-weight:bold;color:#b5121b",
    "h3": "margin:1em 0 .5em;font-size:17px;font-weight:bold;color:#222",
    "img": "max-width:100%;height:auto;display:block;margin:.5em auto",
    "blockquote": "margin:1em 0;padding:.5em 1em;border-left:4px solid #b5121b;background:#f7f7f7",
    "table": "border-collapse:collapse;width:100%",
    "td": "border:1px solid #ddd;padding:4px",
    "th": "border:1px solid #ddd;padding:4px;background:#f2f2f2",
}
WECHAT_DIGEST_LIMIT = 120
WECHAT_TITLE_LIMIT = 64
WEIBO_TEXT_LIMIT = 140
WEIBO_IMAGE_LIMIT = 9


def sanitise_html(html: str) -> str:
    """Editor HTML made safe: no scripts, no event handlers, no javascript: URLs."""
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )


def wechat_body(html: str) -> str:
    """The article body as WeChat wants it: cleaned and styled inline."""
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https"},
        link_rel=None,
        set_tag_attribute_values={tag: {"style": style} for tag, style in WECHAT_STYLES.items()},
    )


def absolutise(html: str, site_url: str) -> str:
    """Make /media/… and /… links absolute, so they work inside WeChat and e-mail."""
    return re.sub(r'(src|href)="/(?!/)', lambda m: f'{m.group(1)}="{site_url}/', html)


def digest_of(publication) -> str:
    """The WeChat digest: the editor's, or the start of the body, at most 120 characters."""
    text = (publication.digest or "").strip() or re.sub(r"\s+", " ", html_to_text(publication.body))
    return text[:WECHAT_DIGEST_LIMIT]


def weibo_text(publication, link: str) -> str:
    """Weibo text: 【title】 + short text (or digest), cut so the text with the link fits 140."""
    lead = (publication.short_text or "").strip() or digest_of(publication)
    head = lead if lead.startswith("【") else f"【{publication.title}】{lead}"
    room = WEIBO_TEXT_LIMIT - len(link) - 1
    if len(head) > room:
        head = head[: max(0, room - 1)] + "…"
    return f"{head} {link}"

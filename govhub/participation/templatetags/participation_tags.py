"""Small template helpers of participation's pages."""

from __future__ import annotations

import re

from django import template

register = template.Library()


@register.filter
def lookup(mapping, key):
    """``form|lookup:q.pk`` → the values typed for question ``q`` (keys are ``q<id>``)."""
    if not mapping:
        return ""
    return mapping.get(f"q{key}", "")


@register.filter
def scale_values(question) -> range:
    return range(question.scale_min, question.scale_max + 1)


_NUMBERED = re.compile(
    r"^\s*(第[一二三四五六七八九十百零〇\d]+[条章节款项]|[一二三四五六七八九十]+、|\d+[.、．])"
)


@register.filter
def self_numbered(text: str) -> bool:
    """A paragraph that already begins with its own number (第一条, 一、, 1.) needs no other."""
    return bool(_NUMBERED.match(text or ""))


@register.simple_tag
def cell(form, question_id, kind: str, option_id) -> str:
    """What was typed for one option of a ranking (``r``) or one row of a matrix (``m``)."""
    values = (form or {}).get(f"q{question_id}_{kind}{option_id}") or [""]
    return str(values[0])


@register.filter
def upto(n) -> range:
    """``1..n`` (ranks of a ranking, columns of a matrix)."""
    return range(1, int(n) + 1)

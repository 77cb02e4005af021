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

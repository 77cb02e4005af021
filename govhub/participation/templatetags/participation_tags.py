"""Small template helpers of participation's pages."""

from __future__ import annotations

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

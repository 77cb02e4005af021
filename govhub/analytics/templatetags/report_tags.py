"""Filters of the monthly report: a dict's value by key, a 0–1 share as a percentage."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict, key: str):
    return mapping.get(key) if mapping else None


@register.filter
def pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"

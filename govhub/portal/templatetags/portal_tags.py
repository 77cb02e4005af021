"""Template helpers: navigation, breadcrumbs, canonical URLs, mode links."""

from __future__ import annotations

from django import template
from django.utils.http import urlencode

from govhub.portal import address
from govhub.portal.queries import site_chrome

register = template.Library()


@register.simple_tag(takes_context=True)
def portal_nav(context) -> dict:
    """The header's columns and the footer's settings (``queries.site_chrome``, cached)."""
    return site_chrome(context.get("request"))


@register.simple_tag
def absolute(path: str) -> str:
    """Canonical absolute URL of a site path (GOVHUB_SITE_URL + path)."""
    return address.absolute(path)


@register.simple_tag(takes_context=True)
def switch_url(context, base: str) -> str:
    request = context.get("request")
    here = request.path if request else "/"
    return f"{base}?{urlencode({'next': here})}"


@register.filter
def breadcrumb_pages(page):
    """Ancestors below the tree root (the home page first)."""
    return page.get_ancestors().filter(depth__gt=1)

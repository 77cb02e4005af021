"""Content-Security-Policy: which scripts, styles, images and frames a page may load.

Every page gets the site's policy (settings.CONTENT_SECURITY_POLICY): scripts only from the
site's own static files, never inline, so text someone managed to slip into a page cannot run.
Wagtail's page and snippet editors still write a few inline ``<script>`` blocks of their own (date
pickers, inline panels, search promotions) and style attributes (Draftail, the choosers, the
collapsible panels), so under ``/admin/`` — except the login, logout, password-reset and two-factor
pages, the ones a stranger reaches — scripts and styles may also be inline. Styles elsewhere come
only from static files: a page's own markup carries no ``style=`` and no ``<style>``.
"""

from __future__ import annotations

from csp.constants import SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

from govhub.core.tiles import tile_sources

# what Wagtail's own editors need on top of the site's policy (tests/acceptance/test_csp.py
# opens them in Chromium and counts the violations)
WAGTAIL_ADMIN = {"script-src": [SELF, UNSAFE_INLINE], "style-src": [SELF, UNSAFE_INLINE]}
WAGTAIL_PREFIX = "/admin/"
STRICT_ADMIN_PREFIXES = (
    "/admin/login/",
    "/admin/logout/",
    "/admin/password_reset/",
    "/admin/2fa/",
)


def needs_wagtail_policy(path: str) -> bool:
    """True for Wagtail's back office, where its editors' inline scripts must run."""
    return path.startswith(WAGTAIL_PREFIX) and not path.startswith(STRICT_ADMIN_PREFIXES)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with Wagtail's editors given what they need."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and parts.replace is None and needs_wagtail_policy(request.path_info):
            parts.replace = WAGTAIL_ADMIN
        # the map tiles' host as configured now (the settings' policy holds the one at start)
        images = settings.CONTENT_SECURITY_POLICY.get("DIRECTIVES", {}).get("img-src", [])
        extra = [t for t in tile_sources(settings.MAP_TILE_URL) if t not in images]
        if extra and not report_only:
            parts.update = {**(parts.update or {}), "img-src": extra}
        return parts

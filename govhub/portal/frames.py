"""A live portal page rendered as a frame (base.html's header, navigation, footer) kept in the
process, around a body rendered for each request.

Why: at a peak every letter's confirmation page rendered base.html's ~100 template nodes again
(~10 % of the letter's CPU in the web worker) to produce the same header and footer each time.
The frame depends only on what base.html reads from the request — the 长者模式 and 繁體
cookies, the path (the mode switches link back to it), the URL's app (the chat entry), the host —
and on the host's header and footer (``queries.site_chrome``). It is kept per those request
values and only as long as ``site_chrome`` still returns the very object it was rendered with:
that object is replaced whenever the navigation or the portal's settings change (and at least
every ``hotcache.LOCAL_SECONDS``), so a frame never outlives the header it shows.

A framed page's template places ``{{ body }}`` in its ``content`` block and reads nothing else
of the context (what is the same for every request, such as a sub-navigation, may stay in the
frame); the body is its own template, rendered with the request's context each time (tokens,
codes, form errors).
"""

from __future__ import annotations

import threading

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from govhub.portal.queries import site_chrome

# where the body goes: private-use characters, which no template or navigation title holds
_MARK = "\ue000govhub-frame-body\ue001"
_MAX_FRAMES = 256

_frames: dict[tuple, tuple[object, str, str]] = {}
_lock = threading.Lock()


def _frame_key(request, template_name: str) -> tuple:
    """Everything of the request base.html reads (see its ``request.`` uses)."""
    match = request.resolver_match
    return (
        template_name,
        request.get_host(),
        request.path,
        request.COOKIES.get("gh_elder") == "1",
        request.COOKIES.get("gh_script") == "hant",
        match.app_name if match else None,
    )


def render_framed(request, template_name: str, body_template: str, context: dict) -> SafeString:
    """``template_name`` (a page extending base.html with ``{{ body }}`` in its content block)
    with ``body_template`` rendered from ``context`` as its body: the same bytes as rendering
    the page with the body inside, the frame taken from the process when still current."""
    body = render_to_string(body_template, context, request)
    nav = site_chrome(request)
    key = _frame_key(request, template_name)
    found = _frames.get(key)
    if found is None or found[0] is not nav:
        page = render_to_string(template_name, {"body": mark_safe(_MARK)}, request)
        before, mark, after = page.partition(_MARK)
        if not mark:  # the template does not frame its body: nothing to keep
            return mark_safe(render_to_string(template_name, {**context, "body": body}, request))
        found = (nav, before, after)
        with _lock:
            if len(_frames) >= _MAX_FRAMES:
                _frames.clear()
            _frames[key] = found
    return mark_safe(found[1] + body + found[2])


def clear() -> None:
    """Forget every frame (tests)."""
    with _lock:
        _frames.clear()

"""A back-office form sent after the person's login ran out keeps what they typed.

Wagtail (and Django's login_required) answer such a POST with a redirect to the login page, and
the browser throws the typed form away. Here the POST is answered instead with a Chinese page
that says what happened and holds every field that was sent, ready to send again: the person
logs in in a new window (the login page then says to come back), returns, and presses 重新提交.
Files cannot be carried over (a browser never lets a page fill a file input): the page says so.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
LONG_TEXT = 30  # characters from which a field's text is also shown, to copy by hand


class ExpiredSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._expired_form_post(request):
            return self.expired(request)
        return self.get_response(request)

    @staticmethod
    def _expired_form_post(request) -> bool:
        if request.method != "POST" or request.user.is_authenticated:
            return False
        admin = reverse("wagtailadmin_home")
        if not request.path.startswith(admin):
            return False
        if request.path.startswith(
            (reverse("wagtailadmin_login"), admin + "password_reset/", admin + "logout/")
        ):
            return False
        # scripts (autosave, previews, choosers) get Wagtail's own answer, which they handle
        if request.headers.get("x-requested-with") == "XMLHttpRequest":
            return False
        return request.content_type in FORM_TYPES

    @staticmethod
    def expired(request):
        fields = [
            (name, value)
            for name in request.POST
            if name != "csrfmiddlewaretoken"
            for value in request.POST.getlist(name)
        ]
        texts = [
            value
            for _, value in fields
            if len(value.strip()) >= LONG_TEXT and not re.fullmatch(r"[\w\-:=+/]+", value)
        ]
        return render(
            request,
            "backoffice/session_expired.html",
            {
                "action": request.get_full_path(),
                "fields": fields,
                "texts": texts,
                "files": [f.name for f in request.FILES.values()],
                "login_url": reverse("wagtailadmin_login")
                + "?next="
                + reverse("backoffice_logged_in_again"),
                "csrf_cookie": settings.CSRF_COOKIE_NAME,
            },
            status=403,
        )

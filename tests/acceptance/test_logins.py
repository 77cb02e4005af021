"""Every login `make demo` prints opens the back office in Chinese, as that person."""

import pytest

from govhub.core.demo import DEMO_LOGINS


@pytest.mark.parametrize("username", DEMO_LOGINS)
def test_each_printed_login_reaches_its_own_back_office(site, username):
    page = site.login(username)
    page.goto(site.url + "/admin/")
    site.shot(page, username)
    with site.db():
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.get(username=username)
        full_name = user.first_name
    body = page.inner_text("body")
    assert full_name and full_name in body
    assert page.evaluate("document.documentElement.lang").lower().startswith("zh")

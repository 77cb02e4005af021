"""Nobody publishes around the review: the 人社局 reviewer and the 融媒体中心 editor try to edit,
publish and unpublish a 县政府办公室 article directly in Wagtail's page editor and are refused in
Chinese; the article stays as it was, live for citizens. The administrator's 用户组 page lists the
roles' Chinese-named groups, not Wagtail's Editors and Moderators."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def _office_article(site) -> tuple[int, str, str, int]:
    from govhub.portal.models import ArticlePage

    with site.db():
        article = (
            ArticlePage.objects.live()
            .filter(department__code="gov-office")
            .order_by("-date")
            .first()
        )
        return article.pk, article.title, article.url, article.latest_revision_id


def _post(page, site, path: str, form: dict) -> tuple[int, str]:
    """A form sent from the person's own browser (their session, their CSRF token)."""
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(
        site.url + path,
        form={"csrfmiddlewaretoken": token, **form},
        headers={"Referer": site.url + "/admin/", "X-CSRFToken": token},
    )
    return response.status, response.text()


def test_a_bureau_reviewer_and_an_editor_cannot_edit_publish_or_unpublish_another_departments_page(
    site,
):
    pk, title, url, revision = _office_article(site)
    for role in ("rsj_reviewer", "editor"):
        page = site.login(role)
        page.goto(site.url + "/admin/")
        # the menu offers no page tree to them
        expect(page.locator("[data-wagtail-sidebar] .sidebar-main-menu")).to_be_visible()
        assert page.locator('[data-wagtail-sidebar] a[href="/admin/pages/"]').count() == 0

        for action in ("edit", "unpublish", "delete", "move", "copy"):
            page.goto(f"{site.url}/admin/pages/{pk}/{action}/")
            assert not re.search(rf"/admin/pages/{pk}/", page.url), (role, action, page.url)
            expect(page.locator("body")).to_contain_text("没有权限")
            expect(page.locator("body")).not_to_contain_text(title)
        site.shot(page, f"{role}-refused-edit")

        # and sending the forms directly changes nothing either
        status, text = _post(page, site, f"/admin/pages/{pk}/unpublish/", {})
        assert status in {200, 403}, status
        assert "没有权限" in text
        status, text = _post(
            page,
            site,
            f"/admin/pages/{pk}/edit/",
            {"title": "已被改动", "slug": "changed", "action-publish": "action-publish"},
        )
        assert "没有权限" in text

    from govhub.portal.models import ArticlePage

    with site.db():
        article = ArticlePage.objects.get(pk=pk)
        assert article.live and article.title == title
        assert article.latest_revision_id == revision

    citizen = site.citizen()
    citizen.goto(site.url + url)
    expect(citizen.locator("h1")).to_contain_text(title)


def test_the_administrator_sees_the_roles_groups_in_chinese(site):
    page = site.login("admin")
    page.goto(site.url + "/admin/groups/")
    listing = page.locator("main")
    for name in ("后台用户", "编辑岗", "审核岗", "签发岗", "承办岗"):
        expect(listing).to_contain_text(name)
    expect(listing).not_to_contain_text("Editors")
    expect(listing).not_to_contain_text("Moderators")
    site.shot(page, "groups")

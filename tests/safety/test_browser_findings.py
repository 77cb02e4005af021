"""An editor sees the findings of a piece in place, with positions and suggestions; a reviewer
lets one through with a reason."""

import pytest
from playwright.sync_api import expect

from tests.conftest import screenshot
from tests.factories import restore_wagtail_defaults

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, live_server, username):
    from govhub.core.demo import DEMO_PASSWORD

    page.goto(live_server.url + "/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")


def test_editor_sees_findings_in_place_and_reviewer_overrides_one(page, live_server, chromium):
    from govhub.core.demo import build_core
    from govhub.core.models import Department
    from govhub.publishing import actions

    restore_wagtail_defaults()
    county = build_core()
    pub, _ = actions.create_publication(
        county.user("editor"),
        department=Department.objects.get(code="rmt"),
        title="关于做好冬季供暖工作的通知",
        body="<p>各级人民攻府要高度重视冬季供暖工作。</p><p>如有问题请联系值班电话138 0013 8000。</p>",
    )
    _login(page, live_server, "editor")
    page.goto(f"{live_server.url}/admin/publishing/{pub.pk}/")
    panel = page.locator("#findings-panel")
    expect(panel).to_contain_text("正文")
    marks = page.locator("#findings-panel mark")
    expect(marks.first).to_be_visible()
    texts = [m.inner_text() for m in marks.all()]
    assert any(t.startswith("人民攻府") for t in texts)
    assert any(t.startswith("138****8000") for t in texts)
    rows = page.locator("#findings tbody tr")
    body = page.inner_text("#findings")
    assert "正文第 3–6 字" in body and "人民政府" in body and "手机号码" in body
    assert "放行" not in [b.inner_text() for b in page.locator("#findings button").all()]
    assert "0013" not in page.inner_text("#findings-panel")  # personal data shown masked
    screenshot(page, "safety-findings-editor")

    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    reviewer = context.new_page()
    reviewer.set_default_timeout(15000)
    _login(reviewer, live_server, "reviewer")
    reviewer.goto(f"{live_server.url}/admin/publishing/{pub.pk}/")
    row = reviewer.locator("#findings tbody tr", has_text="手机号码")
    row.locator("input[name=reason]").fill("县供暖办公开值班电话，需向群众公布")
    row.locator("button", has_text="放行").click()
    expect(reviewer.locator("#findings tbody tr", has_text="手机号码")).to_contain_text("已放行")
    expect(reviewer.locator("#decisions")).to_contain_text("县供暖办公开值班电话")
    screenshot(reviewer, "safety-findings-reviewer-override")
    context.close()
    assert rows.count() >= 2

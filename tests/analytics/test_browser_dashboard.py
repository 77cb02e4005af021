"""The supervision dashboard in a real browser: ECharts draws its canvases."""

import pytest

from tests.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_supervisor_sees_echarts_on_the_dashboard(page, live_server):
    from govhub.analytics.demo import build as build_analytics
    from govhub.core.demo import DEMO_PASSWORD, build_core
    from govhub.matrix.demo import build as build_matrix

    county = build_core()
    build_matrix(county)
    build_analytics(county)
    page.goto(live_server.url + "/admin/login/")
    page.fill("input[name=username]", "supervisor")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")
    page.goto(live_server.url + "/admin/analytics/")
    page.wait_for_selector('.gh-chart[data-chart="posts"][data-rendered="echarts"] canvas')
    page.wait_for_timeout(800)  # let the series animation finish
    drawn = page.evaluate(
        """() => Array.from(document.querySelectorAll('.gh-chart[data-rendered="echarts"]'))
            .map(el => {
              const c = el.querySelector('canvas');
              const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
              let ink = 0;
              for (let i = 3; i < px.length; i += 4) if (px[i] > 0) ink++;
              return [el.dataset.chart, c.width, c.height, ink,
                      el.querySelector('.gh-chart-fallback').hidden];
            })"""
    )
    assert [d[0] for d in drawn] == ["posts", "reads", "rules", "platforms"]
    for _name, width, height, ink, fallback_hidden in drawn:
        assert width > 300 and height > 150 and ink > 2000 and fallback_hidden
    assert "监管看板" in page.inner_text("body")
    screenshot(page, "analytics-dashboard-echarts")

"""The supervision dashboard: ECharts options as JSON from the aggregation, SVG fallback."""

from __future__ import annotations

import json
import re

from django.contrib.staticfiles import finders
from django.urls import reverse

from govhub.core.models import Role
from tests.factories import make_department, make_user
from tests.matrix.helpers import make_account, make_post


def test_dashboard_feeds_echarts_with_the_aggregated_figures(client, db):
    root = make_department(name="示范县", code="sfx")
    root = type(root).objects.get(pk=root.pk)
    sup = make_user("sup", department=root, role=Role.SUPERVISOR)
    acc = make_account(root, name="示范县发布", remote_id="gh1")
    make_post(acc, 0, "今天发布的第一条", reads=120)
    make_post(acc, 0, "今天发布的第二条", reads=30)
    make_post(acc, 3, "三天前发布", reads=7)
    client.force_login(sup)
    html = client.get(reverse("analytics_dashboard")).content.decode()
    data = re.search(r'<script id="gh-echarts" type="application/json">(.*?)</script>', html, re.S)
    options = json.loads(data.group(1))
    posts = options["posts"]["series"][0]
    assert posts["name"] == "发文数" and posts["type"] == "line"
    assert posts["data"][-1] == 2 and posts["data"][-4] == 1 and sum(posts["data"]) == 3
    reads = options["reads"]["series"][0]["data"]
    assert reads[-1] == 150 and reads[-4] == 7
    assert options["platforms"]["yAxis"]["data"] and options["platforms"]["series"][0]["data"] == [
        1
    ]
    # ECharts and our loader are served by staticfiles; the SVG stays as the fallback
    assert "/static/echarts/echarts.min.js" in html and "/static/analytics/charts.js" in html
    assert html.count('class="gh-chart-fallback"><svg') == 4
    assert finders.find("echarts/echarts.min.js").endswith(
        "node_modules/echarts/dist/echarts.min.js"
    )

"""The monthly 好差评 ranking per department (share of 差评 put right in time first), in the
supervision dashboard and the monthly report, with the service figures beside it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from govhub.analytics import reports
from govhub.ratings import actions
from govhub.services import actions as services
from govhub.services.models import QueryRun
from tests.analytics.test_analytics import org  # noqa: F401 - fixture
from tests.factories import make_user
from tests.services.helpers import make_guide

pytestmark = pytest.mark.django_db


def _rate(guide, level, comment=""):
    return actions.rate(actions.rating_token("guide", guide.pk), level, comment)


def test_the_report_and_dashboard_rank_departments_by_callbacks_put_right_in_time(org):  # noqa: F811
    town, other = org["towns"]
    bureau = org["bureau"]
    g_town, g_other, g_bureau = (make_guide(department=d) for d in (town, other, bureau))
    # 城关镇: one 差评 put right in time, one good rating
    bad = _rate(g_town, 2, "窗口排队太久")
    actions.close_callback(make_user(superuser=True), bad.callback, "已回访，增开了一个窗口")
    _rate(g_town, 5)
    # 东关镇: one 差评 still open and past its deadline
    late = _rate(g_other, 1, "电话没人接")
    type(late.callback).objects.filter(pk=late.callback.pk).update(
        due_date=timezone.localdate() - dt.timedelta(days=1)
    )
    # 教育局: only good ratings (counts as all put right), but fewer good than 城关镇's share
    _rate(g_bureau, 3)
    html = reports.render_html(org["root"], timezone.localdate().replace(day=1))
    table = html.split('id="rating-ranking"')[1].split("</table>")[0]
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]+)</td>", table)
    assert [name for _, name in rows] == ["教育局", "城关镇", "东关镇"]
    assert "无差评" in table and "50.0%" in table  # 城关镇's good rate: 1 of 2
    assert "东关镇有差评未在期限内回访整改" in html

    c = Client()
    c.force_login(org["sup"])
    page = c.get("/admin/analytics/").content.decode()
    assert "本月政务服务好差评" in page
    dash = page.split('id="rating-ranking"')[1].split("</table>")[0]
    assert [n for _, n in re.findall(r"<tr><td>(\d+)</td><td>([^<]+)</td>", dash)] == [
        "教育局",
        "城关镇",
        "东关镇",
    ]


def test_the_report_counts_query_failures_p95_and_no_shows(org):  # noqa: F811
    from govhub.services.models import QueryConnector

    bureau = org["bureau"]
    conn = QueryConnector.objects.create(
        name="学籍查询", slug="xueji", department=bureau, endpoint="http://127.0.0.1:9/x"
    )
    for ms, outcome in [(100, "ok")] * 18 + [(900, "ok"), (3000, "timeout")]:
        QueryRun.objects.create(connector=conn, outcome=outcome, duration_ms=ms, channel="web")
    guide = make_guide(department=bureau, name="新生入学登记")
    admin = make_user(superuser=True)
    day = timezone.localdate()
    tomorrow = day + dt.timedelta(days=1)
    slot = services.publish_slots(admin, guide, "教育局一楼", tomorrow, "16:00-17:00", 5)[0]
    a = services.book(slot.pk, "张甲", "13800000001")
    b = services.book(slot.pk, "李乙", "13800000002")
    type(slot).objects.filter(pk=slot.pk).update(date=day)  # the visit day has come
    services.mark_attendance(admin, a, True)
    services.mark_attendance(admin, b, False)
    html = reports.render_html(org["root"], day.replace(day=1))
    section = html.split("政务服务与好差评")[1].split("工作建议")[0]
    assert "<td>学籍查询</td><td>20</td><td>1</td><td>5.0%</td><td>900 毫秒</td>" in section
    assert "爽约率 50.0%" in section
    assert "<td>新生入学登记</td><td>2</td><td>0</td><td>1</td><td>1</td><td>50.0%</td>" in section

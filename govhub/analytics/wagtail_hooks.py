"""Back-office menu of analytics."""

from __future__ import annotations

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from govhub.analytics import admin_views as v
from govhub.analytics import selfcheck_views
from govhub.core.permissions import can


class _Item(MenuItem):
    def is_shown(self, request):
        return can(request.user, "view_supervision")


@hooks.register("register_admin_urls")
def register_analytics_urls():
    return [
        path("analytics/", v.dashboard, name="analytics_dashboard"),
        path("analytics/topics/", v.topics_view, name="analytics_topics"),
        path("analytics/assessment/", v.assessment_view, name="analytics_assessment"),
        path("analytics/report/", v.report_view, name="analytics_report"),
        path("analytics/selfcheck/", selfcheck_views.selfcheck_view, name="analytics_selfcheck"),
    ]


@hooks.register("register_admin_menu_item")
def register_analytics_menu():
    return SubmenuMenuItem(
        "统计分析",
        Menu(
            items=[
                _Item("监管看板", reverse("analytics_dashboard"), icon_name="view", order=1),
                _Item("热点话题", reverse("analytics_topics"), icon_name="pick", order=2),
                _Item("部门考核", reverse("analytics_assessment"), icon_name="table", order=3),
                _Item("月度报告", reverse("analytics_report"), icon_name="doc-full", order=4),
                _Item("网站自查", reverse("analytics_selfcheck"), icon_name="tick", order=5),
            ]
        ),
        icon_name="order",
        order=420,
    )

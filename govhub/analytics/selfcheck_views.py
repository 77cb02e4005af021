"""The self-check report page (网站自查报告)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from govhub.analytics.selfcheck import BONUS, DEDUCT, VETO, self_check
from govhub.core.permissions import can


def selfcheck_view(request):
    if not can(request.user, "view_supervision"):
        raise PermissionDenied("无权查看自查报告")
    if request.method == "POST":
        self_check(use_cache=False)
        return redirect("analytics_selfcheck")
    report = self_check()
    return render(
        request,
        "analytics/selfcheck.html",
        {
            "report": report,
            "vetoes": report.of(VETO),
            "deductions": report.of(DEDUCT),
            "bonuses": report.of(BONUS),
            "page_title": "网站自查报告",
        },
    )

"""The supervisor (刘敏, 县政府督查室) opens last month's and this month's report from the menu
and finds what a county leader needs: the idle accounts named with their days and what to do,
assessment scores, suggestions, platforms in Chinese, the portal's page views per column."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import expect


def _months_back(today: dt.date, n: int) -> dt.date:
    y, m = today.year, today.month - n
    while m < 1:
        y, m = y - 1, m + 12
    return dt.date(y, m, 1)


def test_supervisor_opens_the_monthly_report_naming_the_idle_accounts(site):
    with site.db():
        from django.utils import timezone

        from govhub.matrix.inspection import idle_accounts
        from govhub.matrix.models import Account

        today = timezone.localdate()
        idle = idle_accounts(Account.objects.all(), today)
        expected = [(r.account.name, r.days) for r in idle]
        from govhub.matrix.models import Finding

        last_run = Finding.objects.order_by("-run_date").values_list("run_date", flat=True)[0]
        silent = set(
            Finding.objects.filter(run_date=last_run, rule="silent").values_list(
                "account__name", flat=True
            )
        )
    # the same accounts the inspection page lists as 长期未更新
    assert silent <= {name for name, _ in expected}, silent
    assert len(expected) >= 5, "the demo county has accounts silent for weeks"

    page = site.login("supervisor")
    page.goto(site.url + "/admin/")
    page.get_by_role("button", name="统计分析").click()
    page.get_by_role("link", name="月度报告").click()
    expect(page.get_by_role("heading", name="月度报告")).to_be_visible()
    months = page.locator("select[name=month] option").all_inner_texts()
    last = _months_back(today, 1)
    # every month, the one just past included (it was missing: 31-day steps skipped it)
    assert months[:3] == [
        f"{today.year}年{today.month}月",
        f"{last.year}年{last.month}月",
        f"{_months_back(today, 2).year}年{_months_back(today, 2).month}月",
    ]
    site.shot(page, "report-menu")

    page.get_by_role("button", name="查看报告（HTML）").click()  # opens in place, to print
    page.wait_for_load_state()
    body = page.inner_text("body")
    site.shot(page, "report-this-month")
    assert "本月未发现问题" not in body
    assert "长期未更新账号" in body
    for name, days in expected[:5]:
        assert re.search(rf"{re.escape(name)}\s.*{days} 天", body), (name, days)
    assert "下发整改通知" in body  # a concrete suggestion beside an idle account
    assert "考核得分" in body and "总分" in body
    assert re.search(r"\n1\t\S+\t.*\d+\.\d", body), "a ranked department with its score"
    assert "工作建议" in body
    assert "门户网站访问量" in body and "首页" in body
    assert re.search(r"本月门户网站页面访问 \d+ 次", body)
    for code in ("wechat", "weibo", "douyin", "WCI", "KEY"):
        assert code not in body, code
    assert re.search(r"按平台：微信 \d+ 个", body)

    # last month: its own figures, the idle accounts as they stood at its end
    page.go_back()
    page.select_option("select[name=month]", f"{last:%Y-%m}")
    page.get_by_role("button", name="查看报告（HTML）").click()
    page.wait_for_load_state()
    body = page.inner_text("body")
    site.shot(page, "report-last-month")
    assert f"{last.year}年{last.month}月" in body
    assert "长期未更新账号" in body and "天" in body
    assert re.search(r"本月门户网站页面访问 \d+ 次", body)

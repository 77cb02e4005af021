"""The monthly report (月度报告) of a region or a department: accounts, output, reach, inspection
findings, duplicates, rankings and hot topics, with charts, as HTML and as PDF (WeasyPrint,
Noto CJK embedded from Debian's fonts-noto-cjk)."""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.template.loader import render_to_string
from django.utils import timezone

from govhub.analytics import charts, hotspots
from govhub.analytics.models import INDICATORS
from govhub.core.models import Department
from govhub.matrix import duplicates, influence
from govhub.matrix.inspection import RULES
from govhub.matrix.models import Account, Finding, Post, Rectification, Severity

FONT_DIRS = ["/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/noto"]


def font_path(bold: bool = False) -> str | None:
    name = "NotoSansCJK-Bold.ttc" if bold else "NotoSansCJK-Regular.ttc"
    for d in FONT_DIRS:
        p = os.path.join(d, name)
        if os.path.exists(p):
            return p
    return None


PLATFORM_NAMES = {
    "wechat": "微信",
    "weibo": "微博",
    "douyin": "抖音",
    "wechat_channels": "视频号",
    "portal": "门户网站",
    "app": "客户端",
}

# what the supervisor asks the responsible department to do, per inspection rule
RULE_ADVICE = {
    "silent": "恢复更新，每周至少发布1条；无力运维的按程序关停或整合",
    "no_interaction": "开通留言或私信功能，指定专人每日查看并答复",
    "unanswered": "3个工作日内答复积压留言，答复情况报督查室",
    "portal_home": "首页要闻栏目每周至少更新2次",
    "news_columns": "明确栏目责任人，动态类栏目两周内至少更新1次",
    "policy_columns": "补发近期通知公告和政策文件，半年内至少更新1次",
    "text": "立即核改或撤下相关内容，落实三审三校",
    "serious_wording": "立即更正表述，按三审三校追查审核环节",
    "personal_data": "立即删除或遮蔽个人信息，检查同类内容",
}


def topic_advice(topic) -> str:
    """A concrete suggestion for a hot topic: where to look, who answers, by when."""
    towns = "、".join(topic.towns[:3])
    where = f"到{towns}实地核查，" if towns else ""
    if topic.stays_hot:
        return f"持续升温：建议{where}开设专题集中回应，每周公开办理进展"
    if topic.volume >= 10:
        return f"反映集中：建议{where}责成主管部门5个工作日内统一答复并公开结果"
    return f"建议{where}由主管部门逐件答复，纳入下月跟踪"


def monthly_context(dept: Department, month: dt.date, today: dt.date | None = None) -> dict:
    """Everything the monthly report shows for ``dept`` and its subtree."""
    from govhub.analytics import assessment
    from govhub.channels.pageviews import views_by_page
    from govhub.matrix.inspection import idle_accounts

    today = today or timezone.localdate()
    month = month.replace(day=1)
    start, end, days = influence.month_bounds(month)
    # the month's last day, or today for the month under way
    as_of = min(end.date() - dt.timedelta(days=1), today)
    accounts = Account.objects.filter(department__path__startswith=dept.path)
    open_accounts = accounts.filter(closed_on__isnull=True)
    posts = Post.objects.filter(account__in=accounts, published_at__gte=start, published_at__lt=end)
    totals = posts.aggregate(
        n=Count("id"), reads=Sum("reads"), likes=Sum("likes"), shares=Sum("shares")
    )
    per_day = dict(
        posts.annotate(day=TruncDate("published_at"))
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    day_labels, day_values = [], []
    for i in range((as_of - month).days + 1):
        d = month + dt.timedelta(days=i)
        day_labels.append(f"{d.day}日")
        day_values.append(per_day.get(d, 0))
    in_scope = Q(account__in=accounts) | Q(
        account__isnull=True, department__path__startswith=dept.path
    )
    last_run = (
        Finding.objects.filter(in_scope, run_date__gte=month, run_date__lt=end.date())
        .order_by("-run_date")
        .values_list("run_date", flat=True)
        .first()
    )
    findings = (
        list(
            Finding.objects.filter(in_scope, run_date=last_run)
            .exclude(rule="silent")  # the idle accounts have their own section
            .select_related("account", "department")
        )
        if last_run
        else []
    )
    for f in findings:
        f.advice = RULE_ADVICE.get(f.rule, "核实后整改，结果报督查室")
        f.rule_name = RULES.get(f.rule, f.rule)
    groups = group_findings(findings)
    idle = idle_accounts(open_accounts, as_of)
    by_rule = Counter(f.rule_name for f in findings)
    if idle:
        by_rule[RULES["silent"]] = len(idle)
    shares = duplicates.duplicate_shares(accounts, start)
    total_posts = sum(r["total"] for r in shares)
    dup_posts = sum(r["dup"] for r in shares)
    wechat = influence.ranking(month, open_accounts, platform="wechat")[:10]
    weibo = influence.ranking(month, open_accounts, platform="weibo")[:10]
    topics = hotspots.find_topics(start, end, dept)[:8]
    for t in topics:
        t.advice = topic_advice(t)
    rects = Rectification.objects.filter(
        department__path__startswith=dept.path, issued_at__gte=start, issued_at__lt=end
    )
    scheme = assessment.default_scheme(dept)
    scores = assessment.assess(scheme, month, as_of)
    for s in scores:
        weak = [(v, k) for k, v in s.values.items() if v is not None and k in scheme.weights]
        s.weakest = INDICATORS.get(min(weak)[1], "") if weak else ""
    views = views_by_page(start.date(), end.date())
    columns = portal_column_views(views)
    vetoes = sum(1 for f in findings if f.severity == Severity.VETO) + len(idle)
    services = services_section(
        Department.objects.filter(path__startswith=dept.path), start, end, as_of
    )
    advice = overall_advice(idle, findings, scores, topics, dup_posts, total_posts)
    late = [r.department for r in services["rating_rows"] if r.overdue]
    if late:
        advice.insert(
            0,
            f"{'、'.join(late[:5])}有差评未在期限内回访整改，请督促落实并在下月好差评排名中体现。",
        )
    faults = sum(1 for f in findings if f.severity == Severity.FAULT)
    from govhub.participation import stats as participation_stats

    return {
        "participation": participation_stats.figures(start, end, dept),
        "dept": dept,
        "month": month,
        "as_of": as_of,
        "accounts_total": open_accounts.count(),
        "accounts_by_platform": [
            {"platform": PLATFORM_NAMES.get(r["platform"], r["platform"]), "n": r["n"]}
            for r in open_accounts.values("platform").annotate(n=Count("id")).order_by("-n")
        ],
        "posts": totals["n"] or 0,
        "reads": totals["reads"] or 0,
        "likes": totals["likes"] or 0,
        "shares": totals["shares"] or 0,
        "idle": idle,
        "silent": len(idle),
        "vetoes": vetoes,
        "faults": faults,
        "findings": groups[:40],
        "findings_more": max(0, len(groups) - 40),
        "run_date": last_run,
        "dup_share": round(100 * dup_posts / total_posts, 1) if total_posts else 0.0,
        "dup_posts": dup_posts,
        "wechat": wechat,
        "weibo": weibo,
        "topics": topics,
        "scheme": scheme,
        "scores": scores,
        "score_keys": [(k, INDICATORS[k]) for k in INDICATORS if k in scheme.weights],
        "portal_columns": columns,
        "portal_views": sum(c["views"] for c in columns),
        "rectifications": rects.count(),
        "rect_closed": rects.filter(status="closed").count(),
        "advice": advice,
        "services": services,
        "chart_posts": charts.line_chart(day_labels, {"发文数": day_values}, title="每日发文数"),
        "chart_rules": charts.bar_chart(
            list(by_rule), list(by_rule.values()), title="检查问题分布", unit=" 个"
        ),
        "chart_wci": charts.bar_chart(
            [r["account"].name for r in wechat],
            [r["index"] for r in wechat],
            title="微信公众号传播力指数前十",
        ),
        "chart_views": charts.bar_chart(
            [c["title"] for c in columns[:12]],
            [c["views"] for c in columns[:12]],
            title="门户网站各栏目访问量",
            unit=" 次",
        ),
        "chart_topics": charts.bar_chart(
            [t.label for t in topics], [t.heat for t in topics], title="热点话题热度"
        ),
    }


def services_section(departments, start: dt.datetime, end: dt.datetime, as_of: dt.date) -> dict:
    """政务服务 figures of a month for the departments given: 好差评 ranked per department (the
    share of 差评 put right in time first), each 微查询's uses, failures and p95, and bookings
    with their no-show rate per matter. Shared by the monthly report and the dashboard."""
    from govhub.ratings.figures import ratings_by_department
    from govhub.services.figures import appointment_figures, connector_figures

    rows = ratings_by_department(start, end, departments=departments, today=as_of)
    bad = sum(r.bad for r in rows)
    fixed = sum(r.fixed_in_time for r in rows)
    total = sum(r.total for r in rows)
    bookings = appointment_figures(start.date(), end.date(), departments=departments)
    decided = sum(b["attended"] + b["no_show"] for b in bookings)
    no_shows = sum(b["no_show"] for b in bookings)
    return {
        "rating_rows": rows,
        "ratings_total": total,
        "ratings_good_rate": round(100 * (total - bad) / total, 1) if total else None,
        "ratings_bad": bad,
        "ratings_fixed_rate": round(100 * fixed / bad, 1) if bad else None,
        "ratings_overdue": sum(r.overdue for r in rows),
        "connectors": connector_figures(start, end, departments=departments),
        "bookings": bookings,
        "bookings_total": sum(b["total"] for b in bookings),
        "no_show_rate": round(100 * no_shows / decided, 1) if decided else None,
    }


def group_findings(findings: list) -> list[dict]:
    """One row per account and check (34 wording errors of one account are one line with
    their count and an example), the vetoes first, then the most frequent."""
    rows: dict[tuple, dict] = {}
    for f in findings:
        key = (f.subject, f.rule)
        row = rows.get(key)
        if row is None:
            rows[key] = {
                "subject": f.subject,
                "rule_name": f.rule_name,
                "severity": f.severity,
                "severity_name": f.get_severity_display(),
                "message": f.message,
                "advice": f.advice,
                "count": 1,
            }
        else:
            row["count"] += 1
    return sorted(
        rows.values(), key=lambda r: (r["severity"] != Severity.VETO, -r["count"], r["subject"])
    )


def portal_column_views(views: dict[int, int]) -> list[dict]:
    """Page views of the portal's pages summed per column (the home page's child pages),
    the most visited first; the home page itself counts as 首页."""
    from wagtail.models import Page, Site

    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None or not views:
        return []
    home = site.root_page
    columns = {p.path: p for p in home.get_children().only("id", "title", "path")}
    step = Page.steplen
    totals: dict[str, int] = Counter()
    pages = Page.objects.filter(pk__in=views).only("id", "path")
    for page in pages:
        if page.path == home.path:
            totals["首页"] += views[page.pk]
            continue
        col = columns.get(page.path[: len(home.path) + step])
        if col is not None:
            totals[col.title] += views[page.pk]
    return [{"title": t, "views": n} for t, n in totals.most_common()]


def overall_advice(idle, findings, scores, topics, dup_posts: int, total_posts: int) -> list[str]:
    """The report's closing 工作建议: what the county should do next month, named."""
    out = []
    if idle:
        names = "、".join(r.account.name for r in idle[:5])
        more = f"等 {len(idle)} 个账号" if len(idle) > 5 else ""
        out.append(
            f"对{names}{more}下发整改通知，限期恢复更新；连续 60 天以上未更新且无力运维的，"
            "按程序关停或整合到县融媒体中心账号。"
        )
    unanswered = [f for f in findings if f.rule == "unanswered"]
    if unanswered:
        out.append(
            f"{len(unanswered)} 个账号有留言超期未答复，请责任部门 3 个工作日内答复并报督查室。"
        )
    texts = [f for f in findings if f.rule in ("text", "serious_wording", "personal_data")]
    if texts:
        out.append(f"{len(texts)} 处内容差错或泄露个人信息，请立即核改，并落实三审三校。")
    if total_posts and dup_posts / total_posts > 0.3:
        out.append("转载重复内容占比偏高，建议各账号结合本部门职能多发原创服务信息。")
    if scores:
        low = [s for s in scores if s.total < 60]
        if low:
            out.append(
                "考核得分低于 60 分的"
                + "、".join(s.department.name for s in low[:5])
                + "，请对照薄弱指标（"
                + "、".join(dict.fromkeys(s.weakest for s in low[:5] if s.weakest))
                + "）制定整改措施。"
            )
    hot = [t for t in topics if t.stays_hot]
    if hot:
        out.append(
            "群众持续关注" + "、".join(t.label for t in hot[:3]) + "，建议开设专题集中回应。"
        )
    if not out:
        out.append("本月各账号运行正常，继续保持更新频率和留言答复时效。")
    return out


def render_html(dept: Department, month: dt.date, *, for_pdf: bool = False) -> str:
    """The report as a page; its look is a static file (analytics/monthly-report.css), since the
    site's Content-Security-Policy allows no inline style."""
    ctx = monthly_context(dept, month)
    ctx["for_pdf"] = for_pdf
    return render_to_string("analytics/monthly_report.html", ctx)


def render_pdf(dept: Department, month: dt.date) -> bytes:
    """The report as PDF with the Noto CJK fonts embedded (the stylesheet read from the static
    files, the fonts from the system's, both handed to WeasyPrint directly)."""
    from django.contrib.staticfiles import finders
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    faces = "".join(
        f'@font-face {{ font-family: "GovhubCJK"; src: url("file://{path}"); font-weight: {w}; }}\n'
        for path, w in ((font_path(), "normal"), (font_path(bold=True), "bold"))
        if path
    )
    sheets = [CSS(filename=finders.find("analytics/monthly-report.css"), font_config=fonts)]
    if faces:
        sheets.insert(0, CSS(string=faces, font_config=fonts))
    html = render_html(dept, month, for_pdf=True)
    return HTML(string=html, base_url="/").write_pdf(stylesheets=sheets, font_config=fonts)

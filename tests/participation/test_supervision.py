"""For supervision: everyone who commented is told of the adoption report through the channel
they used (one outbox message each, sent after commit), and participation's figures —
participants, comments, adoption rate, days to the report, unanswered posts per department —
show in the analytics dashboard and the monthly report."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from govhub.channels import sms
from govhub.channels.models import OutboundMessage
from govhub.participation import actions, stats
from govhub.participation.models import Adoption

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sms_outbox():
    sms.gateway.cache_clear()
    sms.LoggingSmsGateway.outbox = []
    yield
    sms.gateway.cache_clear()


def _closed_consultation(county):
    c = actions.create_consultation(
        county.user("editor"),
        {
            "title": "城区停车管理办法（征求意见稿）",
            "body": "第一条 总则。\n第二条 首30分钟免费。",
            "department": county.dept("cgj"),
        },
    )
    return actions.publish_consultation(
        county.user("editor"), c, opens_at=timezone.now() - dt.timedelta(days=29)
    )


def test_report_tells_each_commenter_through_their_channel(
    county, client, django_capture_on_commit_callbacks, fast_outbox
):
    c = _closed_consultation(county)
    by_phone = actions.submit_comment(c, text="建议首1小时免费。", phone="13900005555")
    by_wechat = actions.submit_comment(c, text="希望公布收费标准。", openid="o-citizen-77")
    anonymous = actions.submit_comment(c, text="支持这个办法，尽快施行。")
    refused = actions.submit_comment(c, text="这条与主题无关的内容", phone="13900006666")
    reviewer = county.user("reviewer")
    for m in (by_phone, by_wechat, anonymous):
        actions.moderate_comment(reviewer, m, approve=True)
    actions.moderate_comment(reviewer, refused, approve=False, reason="与草案无关")
    handler = county.user("cgj_handler")
    actions.mark_adoption(handler, [by_phone], adoption=Adoption.PARTLY, reason="改为45分钟")
    actions.mark_adoption(
        handler, [by_wechat, anonymous], adoption=Adoption.ADOPTED, reason="已增加"
    )
    c.closes_at = timezone.now() - dt.timedelta(minutes=1)
    c.save()
    assert by_wechat.channel == "wechat"
    with django_capture_on_commit_callbacks(execute=True):
        actions.publish_report(handler, c, text="共收到意见 4 条。")
    reports = OutboundMessage.objects.filter(
        kind="participation_notice", key__startswith="consultation-report:"
    )
    notices = {m.platform: m for m in reports}
    assert set(notices) == {"sms", "wechat"}
    assert reports.count() == 3
    # the refused commenter was told the reason first (after the decision), then of the report
    refusal = OutboundMessage.objects.get(key__startswith="moderation:comment:")
    assert refusal.recipient == "13900006666" and "与草案无关" in refusal.payload["short"]
    sms_texts = dict(sms.LoggingSmsGateway.outbox)
    assert "采纳情况为“部分采纳”" in sms_texts["13900005555"]
    assert f"/participation/consultations/{c.pk}/#report" in sms_texts["13900005555"]
    assert "感谢您的参与" in sms_texts["13900006666"]  # refused, still told the report is out
    assert notices["wechat"].recipient == "o-citizen-77"
    assert "采纳情况为“采纳”" in notices["wechat"].payload["text"]
    # idempotent: the same notices are not queued twice
    actions.queue_report_notices(c)
    assert reports.count() == 3


def test_figures_cover_participants_adoption_report_time_and_unanswered_posts(county):
    c = _closed_consultation(county)
    for text in ("建议首1小时免费。", "希望公布收费标准。"):
        m = actions.submit_comment(c, text=text)
        actions.moderate_comment(county.user("reviewer"), m, approve=True)
    comments = list(c.comments.all())
    handler = county.user("cgj_handler")
    actions.mark_adoption(handler, comments[:1], adoption=Adoption.ADOPTED, reason="采纳")
    actions.mark_adoption(handler, comments[1:], adoption=Adoption.NOT_ADOPTED, reason="不采纳")
    c.closes_at = timezone.now() - dt.timedelta(days=4)
    c.save()
    actions.publish_report(handler, c, text="说明")
    from govhub.participation.models import BoardColumn

    column = BoardColumn.objects.create(name="交通出行", department=county.dept("jtj"))
    post = actions.submit_post(
        column,
        title="早班公交",
        text="建议增开六点半的早班车。",
        now=timezone.now() - dt.timedelta(days=100),
    )
    actions.moderate_post(county.user("reviewer"), post, approve=True)
    f = stats.figures(start=timezone.now() - dt.timedelta(days=200))
    assert f["comments"] == 2 and f["adoption_rate"] == 50 and f["reports"] == 1
    assert f["days_to_report"] == 4.0
    assert f["participations"] == 3  # two comments and a post
    assert f["unanswered_posts"] == 1 and f["posts_vetoed"] == 1
    row = f["unanswered_by_department"][0]
    assert row["department"] == county.dept("jtj").name and row["veto"] is True
    # scoped to a department: the 城管局's figures do not include the 交通局's post
    own = stats.figures(start=timezone.now() - dt.timedelta(days=200), dept=county.dept("cgj"))
    assert own["comments"] == 2 and own["unanswered_posts"] == 0


def test_dashboard_and_monthly_report_show_participation(county, client):
    c = _closed_consultation(county)
    m = actions.submit_comment(c, text="建议首1小时免费。")
    actions.moderate_comment(county.user("reviewer"), m, approve=True)
    actions.mark_adoption(county.user("cgj_handler"), [m], adoption=Adoption.ADOPTED, reason="采纳")
    from govhub.participation.models import BoardColumn

    column = BoardColumn.objects.create(name="教育", department=county.dept("jyj"))
    post = actions.submit_post(column, title="课后服务", text="希望延长课后服务时间。")
    actions.moderate_post(county.user("reviewer"), post, approve=True)
    client.force_login(county.user("supervisor"))
    html = client.get("/admin/analytics/").content.decode()
    assert "互动交流（近 30 天）" in html and "意见采纳率<b>100%</b>" in html
    assert 'id="unanswered-by-department"' in html and county.dept("jyj").name in html
    from govhub.analytics import reports

    report = reports.render_html(county.dept("gov-office").get_root(), timezone.localdate())
    assert "八、互动交流" in report and "九、政务服务与好差评" in report
    part = report.split("八、互动交流")[1].split("九、政务服务与好差评")[0]
    assert "<td>100%</td>" in part and county.dept("jyj").name in part

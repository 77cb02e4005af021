"""Hot topics, department assessment and the monthly report."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone

from govhub.analytics import assessment, hotspots, reports
from govhub.core.models import Role
from tests.factories import make_department, make_user
from tests.matrix.helpers import make_account, make_message, make_post


@pytest.fixture
def org(db):
    root = make_department(name="示范县", code="sfx")
    a = make_department(root, name="城关镇", code="cg", level="town", kind="town")
    b = make_department(root, name="东关镇", code="dg", level="town", kind="town")
    c = make_department(root, name="教育局", code="jy")
    root, a, b, c = (type(root).objects.get(pk=d.pk) for d in (root, a, b, c))
    return {
        "root": root,
        "towns": [a, b],
        "bureau": c,
        "sup": make_user("sup", department=root, role=Role.SUPERVISOR),
    }


ENDINGS = ["", "！", "，谢谢", "，盼复", "。", "？"]


def pdf_text_objects(pdf: bytes) -> bytes:
    """The PDF with its compressed streams inflated (fonts' names live in object streams)."""
    import re
    import zlib

    out = [pdf]
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            out.append(zlib.decompress(m.group(1)))
        except zlib.error:
            continue
    return b"".join(out)


def period(days=30):
    end = timezone.now()
    return end - dt.timedelta(days=days), end


def test_hot_topics_cluster_label_heat_and_stay_hot(org):
    acc = make_account(org["root"])
    a, b = org["towns"]
    for i in range(6):
        make_message(
            acc,
            2 + i,
            text="社区路灯不亮，晚上出行不安全，请尽快维修路灯" + ENDINGS[i],
            town=a if i % 2 else b,
            likes=10,
        )
    for i in range(4):
        make_message(
            acc, 3 + i, text="学校门口交通拥堵，上学放学时段需要交警疏导" + ENDINGS[i], town=a
        )
    make_message(acc, 40, text="社区路灯坏了请维修路灯")  # the previous period
    start, end = period()
    topics = hotspots.find_topics(start, end, org["root"])
    assert len(topics) == 2
    lamp = topics[0]
    assert all("路灯" in i.text for i in lamp.items) and lamp.label == "·".join(lamp.terms[:3])
    assert all(t in "社区路灯不亮晚上出行不安全请尽快维修路灯" for t in lamp.terms)
    assert lamp.volume == 6 and lamp.previous == 1
    assert lamp.towns == ["东关镇", "城关镇"] and lamp.support == 60
    assert lamp.heat > topics[1].heat and not lamp.stays_hot
    # the previous period's snapshot was hot with the same terms → suggest a 专题
    hotspots.save_snapshots(org["root"], start - dt.timedelta(days=30), start, topics)
    again = hotspots.find_topics(start, end, org["root"])
    assert again[0].stays_hot


def test_assessment_scores_ranking_and_export(org):
    sup, town_a, town_b = org["sup"], *org["towns"]
    busy = make_account(town_a)
    idle = make_account(town_b)
    for d in range(20):
        make_post(busy, d)
    make_post(idle, 25)
    make_message(busy, 5, answered_after=1)
    make_message(idle, 5)  # never answered
    scheme = assessment.save_scheme(
        sup, org["root"], "测试方案", {"on_time_reply_rate": 50, "update_frequency": 50}
    )
    today = timezone.localdate()
    scores = assessment.assess(scheme, today - dt.timedelta(days=30), today)
    names = [(s.department.name, s.rank) for s in scores]
    assert names == [("城关镇", 1), ("东关镇", 2)]
    assert (
        scores[0].values["on_time_reply_rate"] == 1.0
        and scores[1].values["on_time_reply_rate"] == 0.0
    )
    data = assessment.export_xlsx(scheme, scores, today - dt.timedelta(days=30), today)
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(data)).active
    assert ws.cell(3, 2).value == "城关镇" and ws.cell(3, 1).value == 1
    with pytest.raises(assessment.AssessmentError):
        assessment.save_scheme(sup, org["root"], "空", {"satisfaction": 0})
    with pytest.raises(assessment.AssessmentError):
        assessment.save_scheme(sup, org["root"], "错", {"nonsense": 3})


def test_monthly_report_html_and_pdf_with_embedded_chinese_font(org):
    acc = make_account(org["towns"][0], name="城关镇发布")
    make_post(acc, 0, text="城关镇开展消防检查", reads=120)
    month = timezone.localdate().replace(day=1)
    html = reports.render_html(org["root"], month)
    assert "示范县 政务新媒体月度报告" in html and "<svg" in html and "发文数" in html
    pdf = reports.render_pdf(org["root"], month)
    assert pdf.startswith(b"%PDF")
    inflated = pdf_text_objects(pdf)
    assert b"GovhubCJK" in inflated and b"/FontFile" in inflated  # Noto CJK, embedded

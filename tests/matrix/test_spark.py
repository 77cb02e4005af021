"""The Spark jobs (local mode, small sample) give the same results as the in-process run."""

from __future__ import annotations

import pytest
from django.utils import timezone

from govhub.matrix import duplicates, influence, inspection, spark
from govhub.matrix.models import DuplicateLink, Finding, InfluenceScore, InspectionSettings
from tests.factories import make_department
from tests.matrix.helpers import make_account, make_message, make_post

NEWS = "示范县召开全县优化营商环境工作推进会，会议要求各部门进一步压缩审批时限，推行一网通办，切实为企业和群众办实事解难题。"


@pytest.fixture(scope="module")
def sc():
    s = spark.session("govhub-test", cores=1)
    yield s
    s.stop()


def test_spark_equals_in_process(db, sc):
    root = make_department(name="示范县", code="sfx")
    accs = [
        make_account(root, platform="weibo" if i % 3 == 0 else "wechat", has_interaction=i != 4)
        for i in range(8)
    ]
    for i, acc in enumerate(accs):
        if i == 5:
            make_post(acc, 40, text="很久以前发过一篇")  # silent
            continue
        for d in range(1, 12, 2):
            make_post(
                acc,
                d,
                text=f"{acc.name}第{d}天的工作动态，开展便民服务{i * d}人次。",
                reads=100 * (i + 1) + d,
                likes=i,
                shares=d,
                is_headline=d % 3 == 0,
            )
        make_post(acc, 20 - i, text=NEWS + ("（转自示范县发布）" if i % 2 else ""))
    make_message(accs[1], 100)
    make_message(accs[2], 10, answered_after=1)
    today = timezone.localdate()
    inspection.run_inspection(today)
    duplicates.run_duplicates(today)
    month = today.replace(day=1)
    influence.compute_month(month)

    accounts, posts, messages, fast = spark.export_rows()
    cfg = InspectionSettings.current()
    got = spark.inspection_findings(
        sc, accounts, posts, messages, today, cfg.silent_days, cfg.unanswered_days
    )
    want = sorted(
        (f.account_id, f.rule, f.severity, f.message) for f in Finding.objects.exclude(rule="text")
    )
    assert got == want and len(want) >= 3

    start, end, days = influence.month_bounds(month)
    got_idx = spark.month_indices(sc, accounts, posts, fast, start.date(), end.date(), days)
    want_idx = {
        s.account_id: (s.index, s.components) for s in InfluenceScore.objects.filter(month=month)
    }
    assert got_idx == want_idx and len(want_idx) == 7

    got_dup = spark.duplicate_links(sc, posts)
    want_dup = sorted((d.post_id, d.original_id, d.similarity) for d in DuplicateLink.objects.all())
    assert got_dup == want_dup and len(want_dup) >= 6

"""Duplicates across accounts, counterfeit names and influence indices."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from django.utils import timezone

from govhub.core.models import Role
from govhub.matrix import counterfeit, dedup, duplicates, influence
from govhub.matrix.models import DuplicateLink, SeenAccount
from tests.factories import make_department, make_user
from tests.matrix.helpers import make_account, make_post

NEWS = "示范县召开全县优化营商环境工作推进会，会议要求各部门进一步压缩审批时限，推行一网通办，切实为企业和群众办实事解难题。"


def exact(a: str, b: str) -> float:
    sa = {dedup.clean(a)[i : i + 3] for i in range(len(dedup.clean(a)) - 2)}
    sb = {dedup.clean(b)[i : i + 3] for i in range(len(dedup.clean(b)) - 2)}
    return len(sa & sb) / len(sa | sb)


def test_near_duplicates_are_found_and_verified_exactly():
    rng = np.random.default_rng(3)
    base = ["".join(chr(0x4E00 + int(c)) for c in rng.integers(0, 3000, 120)) for _ in range(300)]
    edited = [t[:50] + "改" + t[51:] for t in base[:40]]  # one character changed
    texts = base + edited
    res = dedup.near_duplicates(texts, threshold=0.7)
    found = {tuple(p) for p in res.pairs.tolist()}
    assert found == {(i, 300 + i) for i in range(40)}
    for (i, j), s in zip(res.pairs.tolist(), res.similarity.tolist(), strict=True):
        assert s == pytest.approx(exact(texts[i], texts[j]))
    assert res.cluster[0] == res.cluster[300] and res.cluster[0] != res.cluster[1]


def test_signatures_estimate_jaccard():
    a = NEWS * 2
    b = NEWS + "（来源：示范县融媒体中心）" + NEWS[:30]
    sig = dedup.signatures([a, b], num_perm=256)
    est = float(np.mean(sig[0] == sig[1]))
    assert abs(est - exact(a, b)) < 0.12


def test_originals_are_the_earliest_post_of_another_account():
    cluster = np.array([0, 0, 0, 1])
    owner = np.array([1, 2, 1, 3])
    time = np.array([10.0, 5.0, 20.0, 1.0])
    # post 1 (owner 2, t=5) is first; post 0 and 2 (owner 1) copy it; post 3 is alone
    assert dedup.originals(cluster, owner, time).tolist() == [1, -1, 1, -1]


@pytest.fixture
def org(db):
    root = make_department(name="示范县", code="sfx")
    sup = make_user("sup", department=root, role=Role.SUPERVISOR)
    return root, sup


def test_duplicate_share_per_account(org):
    root, _ = org
    first, copier, other = (make_account(root) for _ in range(3))
    make_post(first, 5, text=NEWS)
    make_post(copier, 4, text=NEWS + "（转自示范县发布）")
    make_post(copier, 3, text="城关镇开展冬季消防安全检查，排查隐患十二处并当场整改。")
    make_post(other, 2, text="杏花乡举办农技培训班，邀请专家讲解果树冬季管护技术要点。")
    stats = duplicates.run_duplicates()
    assert stats == {"posts": 4, "duplicates": 1}
    link = DuplicateLink.objects.get()
    assert link.post.account == copier and link.original.account == first and link.similarity >= 0.7
    since = timezone.now() - dt.timedelta(days=30)
    shares = {
        r["account_id"]: r["share"]
        for r in duplicates.duplicate_shares(root.media_accounts.all(), since)
    }
    assert shares == {first.pk: 0.0, copier.pk: 0.5, other.pk: 0.0}
    assert duplicates.run_duplicates() == stats  # idempotent
    assert DuplicateLink.objects.count() == 1


def test_counterfeit_names_are_ranked_and_alerted(org):
    root, sup = org
    make_account(root, name="示范县公安局", remote_id="gh_gaj")
    make_account(root, name="示范县教育局", remote_id="gh_jyj")
    data = "平台,名称,平台账号ID\n微信公众号,示范县公安,fake1\n微信公众号,隔壁县美食,x2\n微信公众号,示范县公安局,gh_gaj\n".encode()
    result = counterfeit.import_seen(sup, data, "seen.csv")
    assert result["imported"] == 3 and result["alerts"] == 1
    fake = SeenAccount.objects.get(remote_id="fake1")
    assert (
        fake.status == "alert" and fake.best_match.name == "示范县公安局" and fake.similarity >= 0.6
    )
    assert SeenAccount.objects.get(remote_id="gh_gaj").status == "clear"  # the registered one
    assert SeenAccount.objects.get(remote_id="x2").status == "clear"


def test_abbreviated_names_rank_above_unrelated_and_other_regions():
    registered = ["示范县公安局", "示范县教育局", "示范县人民政府", "示范县卫生健康委员会"]
    seen = ["隔壁县公安局", "平安示范", "示范县教育", "隔壁县美食", "示范县公安", "健康示范"]
    best, score = counterfeit.similarity_matrix(seen, registered)
    got = {s: (registered[int(b)], float(v)) for s, b, v in zip(seen, best, score, strict=True)}
    # abbreviations: the institutional suffix dropped, or the brand name of the institution
    assert got["示范县公安"][0] == "示范县公安局" and got["示范县公安"][1] >= 0.85
    assert got["示范县教育"][0] == "示范县教育局" and got["示范县教育"][1] >= 0.85
    assert got["平安示范"][0] == "示范县公安局" and got["平安示范"][1] >= counterfeit.ALERT_AT
    assert got["健康示范"] == ("示范县卫生健康委员会", counterfeit.BRAND_CORE)
    ranked = sorted(seen, key=lambda s: -got[s][1])
    assert set(ranked[:2]) == {"示范县公安", "示范县教育"}
    assert ranked.index("平安示范") < ranked.index("隔壁县公安局") < ranked.index("隔壁县美食")
    # the police of another county is a different account, not an imitation
    assert got["隔壁县公安局"][1] < counterfeit.ALERT_AT
    assert got["隔壁县美食"][1] < 0.3


def test_name_parts_split_region_and_strip_suffixes():
    p = counterfeit.name_parts("示范省第一市示范县教育局")
    assert (p.region, p.stem, p.core) == ("示范省第一市示范县", "示范", "教育")
    assert counterfeit.name_parts("示范县政府发布").core == ""
    assert counterfeit.name_parts("示范县人民政府").core == ""
    assert counterfeit.name_parts("示范县公安局官方微博").core == "公安"
    assert counterfeit.structural_score("隔壁县公安", "示范县公安局") is None


def test_abbreviations_alert_on_import_and_other_county_does_not(org):
    root, sup = org
    make_account(root, name="示范县公安局", remote_id="gh_gaj")
    make_account(root, name="示范县教育局", remote_id="gh_jyj")
    data = (
        "平台,名称,平台账号ID\n微信公众号,示范县教育,f1\n微信公众号,平安示范,f2\n"
        "微信公众号,隔壁县公安局,other\n"
    ).encode()
    result = counterfeit.import_seen(sup, data, "seen.csv")
    assert result["imported"] == 3 and result["alerts"] == 2
    alerts = list(SeenAccount.objects.filter(status="alert").order_by("-similarity"))
    assert [(a.remote_id, a.best_match.name) for a in alerts] == [
        ("f1", "示范县教育局"),
        ("f2", "示范县公安局"),
    ]
    assert SeenAccount.objects.get(remote_id="other").status == "clear"


def test_wci_follows_the_published_formula():
    t = influence.MonthTotals(
        days=30,
        n=10,
        reads=3000,
        looks=30,
        likes=60,
        shares=90,
        comments=5,
        h_n=5,
        h_reads=2000,
        h_looks=20,
        h_likes=40,
        h_shares=50,
        max_reads=900,
        max_looks=9,
        max_likes=20,
        max_shares=30,
    )

    def part(r, z, lk, s):
        return (
            0.7 * math.log(r + 1)
            + 0.09 * math.log(10 * z + 1)
            + 0.06 * math.log(10 * lk + 1)
            + 0.15 * math.log(10 * s + 1)
        )

    o = (
        0.6 * part(100, 1, 2, 3)
        + 0.2 * part(300, 3, 6, 9)
        + 0.1 * part(400, 4, 8, 10)
        + 0.1 * part(900, 9, 20, 30)
    )
    value, parts = influence.wci(t)
    assert value == pytest.approx(round(o**2 * 12, 2))
    assert influence.wci(influence.MonthTotals(30, *[0] * 15))[0] == 0


def test_rankings_month_on_month(org):
    root, _ = org
    a, b = make_account(root, name="甲"), make_account(root, name="乙")
    this = timezone.localdate().replace(day=1)
    last = influence.previous_month(this)
    start_last, _, _ = influence.month_bounds(last)
    start_this, _, _ = influence.month_bounds(this)
    make_post(a, 0, reads=100, published_at=start_last + dt.timedelta(hours=10))
    make_post(b, 0, reads=5000, published_at=start_last + dt.timedelta(hours=10))
    make_post(a, 0, reads=9000, published_at=start_this + dt.timedelta(hours=10))
    make_post(b, 0, reads=10, published_at=start_this + dt.timedelta(hours=10))
    influence.compute_month(last)
    influence.compute_month(this)
    rows = influence.ranking(this, root.media_accounts.all())
    assert [(r["account"].name, r["rank"], r["prev_rank"], r["change"]) for r in rows] == [
        ("甲", 1, 2, 1),
        ("乙", 2, 1, -1),
    ]

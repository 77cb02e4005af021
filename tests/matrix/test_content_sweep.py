"""The nightly content sweep over every account's posts and the portal's pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from govhub.matrix import inspection
from govhub.matrix.models import Finding, NightlyRun
from govhub.matrix.nightly import run_nightly
from govhub.safety import store
from tests.matrix.helpers import make_account, make_post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh():
    store.forget()


def test_serious_wording_and_personal_data_become_vetoes_with_the_sentence(county):
    from govhub.core.models import Department

    acc = make_account(Department.get_root_nodes().first())
    post = make_post(acc, 2, text="我县召开会议。各级人民攻府要高度重视。联系人电话138 0013 8000。")
    clean = make_post(acc, 3, text="县政府召开常务会议，研究部署近期重点工作。")
    inspection.run_inspection()
    rows = {f.rule: f for f in Finding.objects.filter(account=acc)}
    assert set(rows) == {"serious_wording", "personal_data"}
    wording = rows["serious_wording"]
    assert wording.severity == "veto" and "人民政府" in wording.message
    assert "原句：各级人民攻府要高度重视。" in wording.message
    assert wording.ref.startswith(f"post:{post.pk}:")
    assert "0013" not in rows["personal_data"].message
    assert not Finding.objects.filter(ref__startswith=f"post:{clean.pk}:").exists()


def test_the_supervisor_opens_the_exact_sentence(county, client):
    from govhub.core.models import Department

    acc = make_account(Department.objects.get(code="gov-office"))
    make_post(acc, 1, text="第一句没有问题。国土资源部印发通知。")
    inspection.run_inspection()
    f = Finding.objects.get(account=acc, rule="serious_wording")
    client.force_login(county.user("supervisor"))
    page = client.get(f"/admin/matrix/finding/{f.pk}/source/")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-start="' in html and "自然资源部" in html
    listing = client.get("/admin/matrix/inspection/").content.decode()
    assert f"/admin/matrix/finding/{f.pk}/source/" in listing
    client.force_login(county.user("editor"))
    assert client.get(f"/admin/matrix/finding/{f.pk}/source/").status_code in (302, 403)


def test_later_runs_carry_findings_over_and_check_only_what_is_new(county):
    from govhub.core.models import Department

    acc = make_account(Department.get_root_nodes().first())
    make_post(acc, 10, text="各级人民攻府要高度重视。")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    run_nightly(yesterday)
    run = NightlyRun.objects.get()
    run.started_at = run.started_at - dt.timedelta(days=1)
    run.save(update_fields=["started_at"])
    make_post(acc, 0, text="请联系13800138000。")
    stats = inspection.run_inspection()
    assert stats["content_incremental"] and stats["content_posts_checked"] == 1
    today = Finding.objects.filter(run_date=timezone.localdate(), account=acc)
    assert {f.rule for f in today} == {"serious_wording", "personal_data"}


def test_portal_pages_are_swept_too(county, settings, tmp_path):
    settings.PUBLISHED_ROOT = tmp_path / "published"
    from tests.portal.site import article, build_site

    pages = build_site(news_count=2)
    bad = article(pages["news"], "关于某项工作的通知", "台湾总统发表讲话，引起关注。")
    inspection.run_inspection()
    found = Finding.objects.filter(
        account__isnull=True, rule="serious_wording", ref__startswith=f"page:{bad.pk}:"
    )
    assert found and all(f.subject == "门户网站" and "台湾地区领导人" in f.message for f in found)

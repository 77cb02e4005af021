"""The nightly inspection against the national indicators, and rectification notices."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from govhub.core.models import AuditRecord, Role
from govhub.matrix import inspection
from govhub.matrix.models import Finding, InspectionSettings, RectificationStatus
from tests.factories import make_department, make_user
from tests.matrix.helpers import make_account, make_message, make_post


@pytest.fixture
def org(db):
    root = make_department(name="示范县", code="sfx")
    bureau = make_department(root, name="人社局", code="rs")
    other = make_department(root, name="教育局", code="jy")
    root, bureau, other = (type(root).objects.get(pk=d.pk) for d in (root, bureau, other))
    return {
        "root": root,
        "bureau": bureau,
        "other": other,
        "sup": make_user("sup", department=root, role=Role.SUPERVISOR),
        "editor": make_user("ed", department=bureau, role=Role.EDITOR),
        "other_editor": make_user("ed2", department=other, role=Role.EDITOR),
    }


def rules_of(account):
    return {f.rule for f in Finding.objects.filter(account=account)}


def test_an_account_silent_for_more_than_two_weeks_is_vetoed(org):
    silent = make_account(org["bureau"])
    make_post(silent, 15)
    active = make_account(org["bureau"])
    make_post(active, 13)
    stats = inspection.run_inspection()
    assert rules_of(silent) == {"silent"} and rules_of(active) == set()
    f = Finding.objects.get(account=silent)
    assert f.severity == "veto" and "15 天未更新" in f.message
    assert stats["vetoes"] == 1
    # thresholds are configurable
    cfg = InspectionSettings.current()
    cfg.silent_days = 20
    cfg.save()
    inspection.run_inspection()
    assert rules_of(silent) == set()


def test_unanswered_messages_and_missing_interaction(org):
    acc = make_account(org["bureau"], has_interaction=False)
    make_post(acc, 1)
    make_message(acc, 95)  # unanswered for 95 days
    make_message(acc, 120, answered_after=2)  # answered
    inspection.run_inspection()
    assert rules_of(acc) == {"unanswered", "no_interaction"}
    assert "1 条留言超过 90 天未答复" in Finding.objects.get(account=acc, rule="unanswered").message


def test_leaked_phone_number_in_a_post_is_a_veto(org):
    acc = make_account(org["bureau"])
    make_post(acc, 2, text="如有疑问请联系王先生，电话13812345678。")
    inspection.run_inspection()
    f = Finding.objects.get(account=acc, rule="personal_data")
    assert f.severity == "veto" and "138****5678" in f.message and "13812345678" not in f.message


def test_running_twice_a_day_gives_the_same_rows(org):
    acc = make_account(org["bureau"])
    make_post(acc, 30)
    inspection.run_inspection()
    inspection.run_inspection()
    assert Finding.objects.filter(account=acc).count() == 1


def test_portal_adapter_reads_wagtail_pages(org):
    from wagtail.models import Page, Site

    root_page = Page.get_first_root_node()
    home = root_page.add_child(instance=Page(title="示范县人民政府", slug="sfx-home"))
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "root_page": home}
    )
    old = timezone.now() - dt.timedelta(days=30)
    news = []
    for i in range(5):
        col = home.add_child(instance=Page(title=f"工作动态{i}", slug=f"news{i}"))
        news.append(col)
    policy = home.add_child(instance=Page(title="政策文件", slug="policy"))
    Page.objects.filter(pk__in=[home.pk, policy.pk] + [c.pk for c in news]).update(
        last_published_at=old
    )
    Page.objects.filter(pk=policy.pk).update(
        last_published_at=timezone.now() - dt.timedelta(days=200)
    )
    cols = inspection.portal_columns()
    kinds = {c.title: c.kind for c in cols}
    assert (
        kinds["示范县人民政府"] == "home"
        and kinds["政策文件"] == "policy"
        and kinds["工作动态0"] == "news"
    )
    inspection.run_inspection()
    portal = {f.rule for f in Finding.objects.filter(account__isnull=True)}
    assert portal == {"portal_home", "news_columns", "policy_columns"}
    # one fresh news column: home updated, only 4 stale news columns remain → no column veto
    Page.objects.filter(pk=news[0].pk).update(last_published_at=timezone.now())
    inspection.run_inspection()
    portal = {f.rule for f in Finding.objects.filter(account__isnull=True)}
    assert portal == {"policy_columns"}


def test_rectification_lifecycle_with_permissions(org):
    acc = make_account(org["bureau"])
    deadline = timezone.localdate() + dt.timedelta(days=7)
    with pytest.raises(PermissionDenied):
        inspection.issue_rectification(org["editor"], acc, "问题", deadline)
    rect = inspection.issue_rectification(org["sup"], acc, "超过两周未更新", deadline)
    assert rect.status == RectificationStatus.ISSUED and rect.department == org["bureau"]
    with pytest.raises(PermissionDenied):  # another bureau's editor may not answer
        inspection.answer_rectification(org["other_editor"], rect, "已整改")
    with pytest.raises(inspection.RectificationError):  # cannot close before the answer
        inspection.close_rectification(org["sup"], rect)
    rect = inspection.answer_rectification(org["editor"], rect, "已恢复更新")
    rect = inspection.return_rectification(org["sup"], rect, "更新频次仍不足")
    assert rect.status == RectificationStatus.ISSUED
    rect = inspection.answer_rectification(org["editor"], rect, "已每周更新三次")
    rect = inspection.close_rectification(org["sup"], rect, "同意办结")
    assert rect.status == RectificationStatus.CLOSED and rect.closed_at
    actions = list(
        AuditRecord.objects.filter(object_id=str(rect.pk), object_type="matrix.rectification")
        .exclude(action="permission_denied")
        .values_list("action", flat=True)
    )
    assert actions == [
        "matrix_rectification_issued",
        "matrix_rectification_answered",
        "matrix_rectification_returned",
        "matrix_rectification_answered",
        "matrix_rectification_closed",
    ]


def test_deadline_in_the_past_is_refused(org):
    acc = make_account(org["bureau"])
    with pytest.raises(inspection.RectificationError, match="整改期限"):
        inspection.issue_rectification(
            org["sup"], acc, "x", timezone.localdate() - dt.timedelta(days=1)
        )


@pytest.mark.django_db(transaction=True)  # the worker closes connections between tasks
def test_run_now_is_queued_for_the_worker_once_and_its_findings_appear(
    org, client, django_capture_on_commit_callbacks
):
    """立即运行检查 answers at once (202 / a Chinese notice); the worker runs it; a second click
    while it waits starts nothing; an editor may not start it."""
    from django.core.cache import cache

    from govhub.matrix import jobs
    from tests.core.test_jobs import run_worker_until_idle

    cache.delete(jobs.RUN_QUEUED_KEY)
    silent = make_account(org["bureau"])
    make_post(silent, 15)
    client.force_login(org["editor"])
    assert client.post("/api/matrix/inspection/run").status_code == 403
    client.force_login(org["sup"])
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post("/api/matrix/inspection/run")
        again = client.post("/admin/matrix/inspection/run/", follow=True)
    assert first.status_code == 202 and first.json() == {"status": "queued"}
    assert "上一次检查还在进行中" in again.content.decode()
    assert not Finding.objects.exists()  # nothing ran inside the request
    # the job's whole nightly run also starts Spark; the queueing is what is tested here
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(
            "govhub.matrix.nightly.run_nightly",
            lambda: {"inspection": inspection.run_inspection()},
        )
        run_worker_until_idle()
    assert rules_of(silent) == {"silent"}
    assert cache.get(jobs.RUN_QUEUED_KEY) is None
    assert AuditRecord.objects.filter(action="matrix_inspection_queued").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        later = client.post("/admin/matrix/inspection/run/", follow=True)
    assert "检查已在后台开始" in later.content.decode()
    cache.delete(jobs.RUN_QUEUED_KEY)

"""Three-step review, checks that block or warn, overrides, scheduling — through the services,
the back-office pages and the API, as the editor, reviewer and signer of 示范县 use them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from govhub.channels.outbox import run_outbox
from govhub.core.models import AuditRecord
from govhub.publishing import actions
from govhub.publishing.models import (
    Delivery,
    DeliveryState,
    Publication,
    PubStatus,
    ReviewPolicy,
    ReviewStepSpec,
    WordingTerm,
)
from tests.publishing.factories import make_image, wechat_account, weibo_account

pytestmark = pytest.mark.django_db

VALID_ID = "11010519491231002X"


def dept(code: str):
    """Fresh from the database: the core fixture's Department objects can carry stale tree paths."""
    from govhub.core.models import Department

    return Department.objects.get(code=code)


@pytest.fixture
def three_steps(county):
    policy = ReviewPolicy.objects.create(name="三审", is_default=True)
    ReviewStepSpec.objects.create(policy=policy, order=1, name="初审", action="review_content")
    ReviewStepSpec.objects.create(
        policy=policy, order=2, name="复审", action="review_content", department=dept("gov-office")
    )
    ReviewStepSpec.objects.create(
        policy=policy,
        order=3,
        name="终审签发",
        action="sign_content",
        department=dept("gov-office"),
    )
    return policy


def _write(county, targets, **kw):
    pub, notes = actions.create_publication(
        county.user("editor"),
        department=dept("rmt"),
        title=kw.pop("title", "示范县开展冬季供暖安全检查"),
        digest="县住建局联合城关镇开展供暖安全检查。",
        body=kw.pop("body", "<p>11月20日，县住建局开展供暖安全检查。</p>"),
        cover=make_image(),
        targets=targets,
        **kw,
    )
    return pub, notes


def test_piece_goes_through_three_steps_and_out_to_wechat_and_weibo(
    county, three_steps, wechat_api, weibo_api, django_capture_on_commit_callbacks
):
    rmt = dept("rmt")
    wx, wb = wechat_account(rmt, wechat_api), weibo_account(rmt, weibo_api)
    pub, _ = _write(county, [wx, wb])
    actions.submit_for_review(county.user("editor"), pub)
    actions.approve(county.user("reviewer"), pub, "同意")
    pub.refresh_from_db()
    assert (pub.status, actions.current_step(pub).name) == (PubStatus.IN_REVIEW, "复审")
    actions.approve(county.user("reviewer2"), pub, "同意")
    with django_capture_on_commit_callbacks(execute=True):
        actions.approve(county.user("signer"), pub, "签发")
    pub.refresh_from_db()
    assert pub.status == PubStatus.PUBLISHED
    assert set(pub.deliveries.values_list("state", flat=True)) == {DeliveryState.SENT}
    assert wechat_api.published_count() == 1 and weibo_api.posted_count() == 1
    assert [d.decision for d in pub.decisions.all()] == ["submit", "approve", "approve", "approve"]
    audited = set(
        AuditRecord.objects.filter(object_id=str(pub.pk)).values_list("action", flat=True)
    )
    assert {"publication_submitted", "publication_approved", "publication_published"} <= audited


def test_wrong_people_cannot_decide_and_nothing_changes(county, three_steps, wechat_api):
    from django.core.exceptions import PermissionDenied

    pub, _ = _write(county, [wechat_account(dept("rmt"), wechat_api)])
    actions.submit_for_review(county.user("editor"), pub)
    for name in ("editor", "signer", "handler"):
        with pytest.raises(PermissionDenied):
            actions.approve(county.user(name), pub)
    pub.refresh_from_db()
    assert pub.current_step == 1 and pub.decisions.count() == 1


def test_send_back_needs_a_comment_and_returns_the_piece_for_editing(
    county, three_steps, wechat_api
):
    pub, _ = _write(county, [wechat_account(dept("rmt"), wechat_api)])
    actions.submit_for_review(county.user("editor"), pub)
    with pytest.raises(actions.PublishingError):
        actions.send_back(county.user("reviewer"), pub, "")
    actions.send_back(county.user("reviewer"), pub, "第二段数据请核实")
    pub.refresh_from_db()
    assert pub.status == PubStatus.SENT_BACK
    actions.update_publication(
        county.user("editor"), pub, title="示范县开展冬季供暖安全检查（更新）"
    )
    actions.submit_for_review(county.user("editor"), pub)
    actions.reject(county.user("reviewer"), pub, "与上周稿件重复")
    pub.refresh_from_db()
    assert pub.status == PubStatus.REJECTED
    with pytest.raises(actions.PublishingError):
        actions.update_publication(county.user("editor"), pub, title="再改")


def test_personal_data_blocks_until_a_reviewer_overrides_with_a_reason(
    county, three_steps, wechat_api
):
    pub, _ = _write(
        county,
        [wechat_account(dept("rmt"), wechat_api)],
        body=f"<p>公示：申请人身份证号 {VALID_ID}，咨询电话 13812345678。</p>",
    )
    actions.submit_for_review(county.user("editor"), pub)  # personal data does not stop submission
    with pytest.raises(actions.PublishingError) as exc:
        actions.approve(county.user("reviewer"), pub)
    assert exc.value.code == "checks_blocking" and {d["code"] for d in exc.value.details} == {
        "id_number",
        "mobile",
    }
    assert VALID_ID not in str(exc.value.details)
    for detail in exc.value.details:
        with pytest.raises(actions.PublishingError):
            actions.override_finding(county.user("reviewer"), pub, detail["fingerprint"], "")
        actions.override_finding(
            county.user("reviewer"), pub, detail["fingerprint"], "公示文件依法须公开联系电话"
        )
    actions.approve(county.user("reviewer"), pub)
    pub.refresh_from_db()
    assert pub.current_step == 2


def test_forbidden_term_blocks_submission_and_wrong_expression_only_warns(county, wechat_api):
    WordingTerm.objects.create(term="最高级", kind="forbidden", severity="blocking")
    WordingTerm.objects.create(
        term="国家质检总局",
        kind="wrong_expression",
        correction="国家市场监督管理总局",
        severity="warning",
    )
    pub, _ = _write(
        county,
        [wechat_account(dept("rmt"), wechat_api)],
        body="<p>据国家质检总局通报，本县服务达到最高级水平。</p>",
    )
    with pytest.raises(actions.PublishingError) as exc:
        actions.submit_for_review(county.user("editor"), pub)
    assert [d["code"] for d in exc.value.details] == ["forbidden_term"]
    actions.update_publication(
        county.user("editor"), pub, body="<p>据国家质检总局通报，本县服务水平持续提升。</p>"
    )
    actions.submit_for_review(county.user("editor"), pub)
    findings, _ = actions.open_findings(pub)
    (warn,) = [f for f in findings if f.code == "wrong_expression"]
    assert warn.severity == "warning" and warn.suggestion == "国家市场监督管理总局"


def test_missing_cover_for_wechat_blocks_and_nothing_is_published(county, wechat_api):
    pub, _ = _write(county, [wechat_account(dept("rmt"), wechat_api)])
    Publication.objects.filter(pk=pub.pk).update(cover=None)
    pub.refresh_from_db()
    with pytest.raises(actions.PublishingError) as exc:
        actions.submit_for_review(county.user("editor"), pub)
    assert "封面" in exc.value.details[0]["message"]
    assert not Delivery.objects.exists() and wechat_api.log.calls == []


def test_scripts_and_event_handlers_are_removed_with_a_note(county, wechat_api):
    pub, notes = _write(
        county,
        [],
        body='<p onclick="steal()">通知<script>alert(1)</script><a href="javascript:x()">链接</a></p>',
    )
    assert "onclick" not in pub.body and "<script" not in pub.body and "javascript:" not in pub.body
    assert notes and "已被移除" in notes[0]


def test_scheduled_piece_is_published_by_the_periodic_job(
    county, wechat_api, django_capture_on_commit_callbacks
):
    pub, _ = _write(
        county,
        [wechat_account(dept("rmt"), wechat_api)],
        scheduled_at=timezone.now() + dt.timedelta(hours=2),
    )
    actions.submit_for_review(county.user("editor"), pub)
    actions.approve(county.user("reviewer"), pub)
    actions.approve(county.user("admin"), pub)  # default policy: 初审 + 终审签发
    pub.refresh_from_db()
    assert pub.status == PubStatus.SCHEDULED and not pub.deliveries.exists()
    assert actions.publish_due_scheduled() == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.publish_due_scheduled(timezone.now() + dt.timedelta(hours=3)) == 1
    pub.refresh_from_db()
    assert pub.status == PubStatus.PUBLISHED and pub.deliveries.get().state == DeliveryState.SENT


def test_unconfigured_account_is_shown_as_such_and_retry_sends_once_configured(county, wechat_api):
    rmt = dept("rmt")
    account = wechat_account(rmt, wechat_api)
    account.app_secret = ""
    account.save()
    pub, _ = _write(county, [account])
    pub.targets.set([account])
    Publication.objects.filter(pk=pub.pk).update(status=PubStatus.IN_REVIEW, current_step=2)
    pub.refresh_from_db()
    actions.approve(county.user("admin"), pub)
    d = pub.deliveries.get()
    assert d.state == DeliveryState.UNCONFIGURED
    run_outbox()
    assert wechat_api.log.calls == []
    account.app_secret = "fake-secret"
    account.save()
    actions.retry_delivery(county.user("editor"), d)
    run_outbox()
    d.refresh_from_db()
    assert d.state == DeliveryState.SENT


def test_withdraw_deletes_the_remote_posts(
    county, wechat_api, weibo_api, django_capture_on_commit_callbacks
):
    rmt = dept("rmt")
    pub, _ = _write(county, [wechat_account(rmt, wechat_api), weibo_account(rmt, weibo_api)])
    Publication.objects.filter(pk=pub.pk).update(status=PubStatus.IN_REVIEW, current_step=2)
    with django_capture_on_commit_callbacks(execute=True):
        actions.approve(county.user("admin"), pub)
    assert wechat_api.published_count() == 1 and weibo_api.posted_count() == 1
    with pytest.raises(actions.PublishingError):
        actions.withdraw_publication(county.user("editor"), pub, "")
    actions.withdraw_publication(county.user("editor"), pub, "数据有误，撤回更正")
    pub.refresh_from_db()
    assert pub.status == PubStatus.WITHDRAWN
    assert wechat_api.published_count() == 0 and weibo_api.posted_count() == 0
    assert set(pub.deliveries.values_list("state", flat=True)) == {DeliveryState.WITHDRAWN}


def test_three_steps_need_three_people_and_the_signer_sees_what_waits_for_him(
    county, three_steps, wechat_api, client
):
    """初审, 复审 and 终审签发 by three different people: a reviewer who also holds the 复审
    department cannot pass both; the signer of 县政府办公室 opens and signs a 融媒体中心 piece."""
    from django.core.exceptions import PermissionDenied

    from govhub.core import actions as core_actions
    from govhub.core.models import Role

    reviewer = county.user("reviewer")
    core_actions.assign_role(
        county.admin, user=reviewer, department=dept("gov-office"), role=Role.REVIEWER
    )
    reviewer = type(reviewer).objects.get(pk=reviewer.pk)  # fresh role cache
    pub, _ = _write(county, [wechat_account(dept("rmt"), wechat_api)])
    signer = county.user("signer")
    assert not actions.visible_publications(signer).filter(pk=pub.pk).exists()  # a draft
    actions.submit_for_review(county.user("editor"), pub)
    actions.approve(reviewer, pub, "同意")
    with pytest.raises(PermissionDenied, match="初审"):
        actions.approve(reviewer, pub, "再同意")
    pub.refresh_from_db()
    assert pub.current_step == 2 and pub.decisions.count() == 2
    assert pub.pk not in actions.waiting_for(reviewer)
    assert pub.pk in actions.waiting_for(county.user("reviewer2"))
    actions.approve(county.user("reviewer2"), pub, "同意")
    assert actions.waiting_for(signer) == [pub.pk]
    client.force_login(signer)
    page = client.get(f"/admin/publishing/{pub.pk}/").content.decode()
    assert "终审签发" in page and "没有权限" not in page
    client.post(f"/admin/publishing/{pub.pk}/do/approve/", {"comment": "签发"})
    pub.refresh_from_db()
    assert pub.status == PubStatus.PUBLISHED
    assert [d.actor.username for d in pub.decisions.all()] == [
        "editor",
        "reviewer",
        "reviewer2",
        "signer",
    ]


def test_the_administrator_cannot_write_and_pass_his_own_piece(county, three_steps, wechat_api):
    from django.core.exceptions import PermissionDenied

    admin = county.admin
    pub, _ = actions.create_publication(
        admin,
        department=dept("rmt"),
        title="管理员自己写的稿件",
        body="<p>正文</p>",
        cover=make_image(),
        targets=[wechat_account(dept("rmt"), wechat_api)],
    )
    actions.submit_for_review(admin, pub)
    with pytest.raises(PermissionDenied, match="自己撰写"):
        actions.approve(admin, pub)
    actions.approve(county.user("reviewer"), pub)
    with pytest.raises(PermissionDenied):
        actions.approve(admin, pub)  # wrote it: no step of it is his
    pub.refresh_from_db()
    assert (pub.status, pub.current_step) == (PubStatus.IN_REVIEW, 2)


def test_one_person_may_pass_two_steps_where_the_column_allows_it(county, three_steps, wechat_api):
    three_steps.distinct_reviewers = False
    three_steps.save()
    pub, _ = _write(county, [wechat_account(dept("rmt"), wechat_api)])
    actions.submit_for_review(county.user("editor"), pub)
    actions.approve(county.admin, pub)
    actions.approve(county.admin, pub)
    pub.refresh_from_db()
    assert actions.current_step(pub).name == "终审签发"


def test_publishing_settings_are_the_administrators(county, three_steps, client):
    for name in ("reviewer", "reviewer2", "signer", "editor"):
        client.force_login(county.user(name))
        for url in ("/admin/review_steps/", "/admin/review_policies/", "/admin/check_settings/"):
            res = client.get(url, follow=True)
            assert "审核步骤" not in res.content.decode() or res.status_code == 403, (name, url)
        home = client.get("/admin/").content.decode()
        assert "/admin/review_steps/" not in home and "/admin/check_settings/" not in home, name
    client.force_login(county.admin)
    assert "/admin/review_steps/" in client.get("/admin/").content.decode()
    page = client.get("/admin/review_policies/").content.decode()
    assert "各步由不同人员办理" in page and "True" not in page and "False" not in page


def test_each_person_sees_their_work_on_the_dashboard(county, three_steps, wechat_api, client):
    editor = county.user("editor")
    pub, _ = _write(county, [wechat_account(dept("rmt"), wechat_api)])
    client.force_login(editor)
    page = client.get("/admin/").content.decode()
    assert "写新稿件" in page and "我的草稿（1）" in page and pub.title in page
    actions.submit_for_review(editor, pub)
    client.force_login(county.user("reviewer"))
    page = client.get("/admin/").content.decode()
    assert "等我审核（1）" in page and pub.title in page and "写新稿件" not in page
    actions.send_back(county.user("reviewer"), pub, "请核实数据")
    client.force_login(editor)
    assert "退回修改（1）" in client.get("/admin/").content.decode()

"""Pre-moderation is one step for a consultation comment, a board post and an interview
question: a refusal needs a reason, a decision is taken once, the audit record has the same
shape, and the author who left a phone is told the reason after the decision commits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from govhub.channels.models import OutboundMessage
from govhub.core.errors import FieldErrors
from govhub.core.models import AuditRecord
from govhub.participation import actions
from govhub.participation.models import BoardColumn, Moderation

pytestmark = pytest.mark.django_db


def _comment(county, phone):
    c = actions.create_consultation(
        county.user("editor"),
        {
            "title": "城区停车管理办法（征求意见稿）",
            "body": "第一条 总则。\n第二条 首30分钟免费。",
            "department": county.dept("cgj"),
        },
    )
    c = actions.publish_consultation(
        county.user("editor"), c, opens_at=timezone.now() - dt.timedelta(days=1)
    )
    return actions.submit_comment(c, text="这是一条与草案无关的内容", phone=phone)


def _post(county, phone):
    column = BoardColumn.objects.create(name="社保就业", department=county.dept("rsj"))
    return actions.submit_post(
        column, title="灵活就业怎么参保？", text="这是一条与栏目无关的广告内容。", phone=phone
    )


def _question(county, phone):
    i = actions.create_interview(
        county.user("editor"),
        {
            "title": "城区停车难怎么破",
            "guest": "县城管局局长",
            "department": county.dept("cgj"),
            "starts_at": (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    i = actions.schedule_interview(county.user("editor"), i)
    return actions.ask_question(i, text="这是一个和访谈无关的广告内容", phone=phone)


CASES = [
    (_comment, actions.moderate_comment, "comment"),
    (_post, actions.moderate_post, "post"),
    (_question, actions.moderate_question, "interview_question"),
]


@pytest.mark.parametrize(("make", "moderate", "action"), CASES, ids=[c[2] for c in CASES])
def test_each_refuses_a_rejection_without_reason_and_audits_the_same_shape(
    county, django_capture_on_commit_callbacks, make, moderate, action
):
    reviewer = county.user("reviewer")
    item = make(county, "13900007777")
    for blank in ("", "   "):
        with pytest.raises(FieldErrors) as exc:
            moderate(reviewer, item, approve=False, reason=blank)
        assert set(exc.value.errors) == {"reason"} and "理由" in exc.value.errors["reason"]
    item.refresh_from_db()
    assert item.status == Moderation.PENDING and item.moderated_by is None
    assert not AuditRecord.objects.filter(action=f"{action}_reject").exists()
    assert not OutboundMessage.objects.filter(key__startswith="moderation:").exists()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        decided = moderate(reviewer, item, approve=False, reason="与主题无关，不予公开")
    assert callbacks  # the author is told after the decision commits (the outbox wakes then)
    assert decided.status == Moderation.REJECTED
    assert decided.reject_reason == "与主题无关，不予公开"
    assert decided.moderated_by == reviewer and decided.moderated_at is not None
    record = AuditRecord.objects.get(action=f"{action}_reject")
    assert record.actor_id == reviewer.pk and record.object_id == str(item.pk)
    assert record.summary["reason"] == "与主题无关，不予公开"
    assert record.summary["findings"] == len(item.findings)
    assert set(record.summary) - {"department"} == {"reason", "findings"}
    notice = OutboundMessage.objects.get(key=f"moderation:{action}:{item.pk}:sms")
    assert notice.recipient == "13900007777"
    assert "未通过审核" in notice.payload["short"] and "与主题无关" in notice.payload["short"]

    # decided once: a second decision is refused and nothing more is recorded
    with pytest.raises(actions.ModerationError):
        moderate(reviewer, item, approve=True)
    decisions = [f"{action}_approve", f"{action}_reject"]
    assert AuditRecord.objects.filter(action__in=decisions).count() == 1


@pytest.mark.parametrize(("make", "moderate", "action"), CASES, ids=[c[2] for c in CASES])
def test_approval_needs_no_reason_and_tells_nobody(county, make, moderate, action):
    item = make(county, "13900008888")
    decided = moderate(county.user("reviewer"), item, approve=True, reason="忽略")
    assert decided.status == Moderation.APPROVED and decided.reject_reason == ""
    record = AuditRecord.objects.get(action=f"{action}_approve")
    assert record.summary["reason"] == ""
    assert not OutboundMessage.objects.filter(key__startswith="moderation:").exists()


def test_an_adoption_reason_with_a_phone_is_refused_before_it_is_published(county):
    comment = _comment(county, "")
    actions.moderate_comment(county.user("reviewer"), comment, approve=True)
    handler = county.user("cgj_handler")
    with pytest.raises(FieldErrors) as exc:
        actions.mark_adoption(
            handler, [comment], adoption="adopted", reason="已采纳，已电话联系13900009999"
        )
    assert "个人信息" in exc.value.errors["reason"] and "13900009999" not in str(exc.value.errors)
    comment.refresh_from_db()
    assert comment.adoption == ""
    assert actions.mark_adoption(handler, [comment], adoption="adopted", reason="已采纳") == 1

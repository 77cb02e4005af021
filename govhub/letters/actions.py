"""The letter lifecycle: one function per state change.

Each function checks permission (``govhub.letters.access``), changes the letter in one
transaction, writes an explicit state row (LetterEvent) and the audit record, and queues its
side effects (deliveries, notifications) with ``transaction.on_commit``. The back office, the
staff API, Open311, commands and jobs all call these functions.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from govhub.core import audit, inserts, workdays
from govhub.core.errors import DomainError, FieldErrors
from govhub.core.models import Department
from govhub.letters.access import require_letter
from govhub.letters.deadlines import current_policy, handle_deadline
from govhub.letters.models import (
    Assignment,
    AssignmentRole,
    Extension,
    ExtensionStatus,
    Letter,
    LetterEvent,
    Reply,
    ReplyStatus,
    Status,
)
from govhub.letters.text import clean_text


class LetterStateError(DomainError):
    """The letter is not in a state that allows this change (Chinese message)."""

    code = "invalid_state"


def _actor(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def record_event(
    letter: Letter,
    actor,
    kind: str,
    label: str,
    from_status: str,
    to_status: str,
    *,
    note: str = "",
    public: bool = False,
    public_note: str = "",
    department: Department | None = None,
) -> LetterEvent:
    return inserts.create(
        LetterEvent,
        letter=letter,
        kind=kind,
        label=label,
        from_status=from_status,
        to_status=to_status,
        actor=_actor(actor),
        department=department,
        note=note,
        public=public,
        public_note=public_note,
        at=timezone.now(),
    )


def _lock(letter: Letter) -> Letter:
    return Letter.objects.select_for_update().get(pk=letter.pk)


def _expect(letter: Letter, *statuses: str, doing: str) -> None:
    if letter.status not in statuses:
        allowed = "、".join(Status(s).label for s in statuses)
        raise LetterStateError(
            f"信件当前状态为“{letter.get_status_display()}”，不能{doing}（仅限{allowed}）。"
        )


def _change(
    letter: Letter,
    actor,
    kind: str,
    label: str,
    to_status: str,
    *,
    audit_action: str,
    summary: dict | None = None,
    **event,
) -> Letter:
    before = letter.status
    letter.status = to_status
    letter.save()
    record_event(letter, actor, kind, label, before, to_status, **event)
    audit.record(
        actor=_actor(actor) or (actor if isinstance(actor, str) else "system"),
        action=audit_action,
        obj=letter,
        summary={"from": before, "to": to_status, **(summary or {})},
    )
    return letter


# --- dispatch (分办) ---------------------------------------------------------------------


def dispatch_letter(
    actor,
    letter: Letter,
    *,
    department: Department,
    co_departments: Sequence[Department] = (),
    note: str = "",
    auto: bool = False,
) -> Letter:
    """Send a letter to its lead department (主办) and optional co-handlers (协办).
    ``auto``: the router dispatched by itself (actor None)."""
    if not auto:
        require_letter(actor, "dispatch_letter", letter)
    if department is None:
        raise FieldErrors({"department": "请选择主办部门"})
    with transaction.atomic():
        letter = _lock(letter)
        _expect(letter, Status.RECEIVED, doing="分办")
        co = [d for d in co_departments if d is not None and d.pk != department.pk]
        letter.assignments.filter(active=True).update(active=False)
        Assignment.objects.create(letter=letter, department=department, role=AssignmentRole.LEAD)
        for d in co:
            Assignment.objects.create(letter=letter, department=d, role=AssignmentRole.CO)
        now = timezone.now()
        letter.department = department
        letter.dispatched_at = now
        letter.handle_due = handle_deadline(now, current_policy())
        names = department.name + (("，协办：" + "、".join(d.name for d in co)) if co else "")
        _change(
            letter,
            actor,
            "dispatched",
            "自动分办" if auto else "分办",
            Status.DISPATCHED,
            audit_action="letter_dispatched",
            summary={"department": department.code, "co": [d.code for d in co], "auto": auto},
            note=clean_text(note),
            public=True,
            public_note=f"已转交{names}办理。",
            department=department,
        )
        from govhub.letters import notify

        notify.queue_event(letter.events.filter(kind="dispatched").latest("id"))
    return letter


def merge_letter(actor, letter: Letter, *, into: Letter, note: str = "") -> Letter:
    """Merge a near-duplicate into an earlier letter of the same matter (合并办理)."""
    require_letter(actor, "dispatch_letter", letter)
    if into.pk == letter.pk:
        raise LetterStateError("不能与自身合并。")
    with transaction.atomic():
        letter = _lock(letter)
        _expect(letter, Status.RECEIVED, doing="合并")
        if into.status in (Status.MERGED, Status.INVALID):
            raise LetterStateError("目标信件已合并或无效，不能合并到它。")
        letter.merged_into = into
        _change(
            letter,
            actor,
            "merged",
            "合并",
            Status.MERGED,
            audit_action="letter_merged",
            summary={"into": into.pk},
            note=clean_text(note),
            public=True,
            public_note=f"与同一事项的来信（查询码 {into.tracking_code}）合并办理。",
        )
    return letter


def mark_invalid(actor, letter: Letter, *, reason: str) -> Letter:
    """Spam, abuse or empty letters (无效信件), with a reason."""
    require_letter(actor, "dispatch_letter", letter)
    reason = clean_text(reason)
    if not reason:
        raise LetterStateError("请填写认定无效的理由。")
    with transaction.atomic():
        letter = _lock(letter)
        _expect(letter, Status.RECEIVED, doing="认定无效")
        letter.invalid_reason = reason[:200]
        letter.closed_at = timezone.now()
        _change(
            letter,
            actor,
            "invalid",
            "认定无效",
            Status.INVALID,
            audit_action="letter_marked_invalid",
            note=reason,
            public=True,
            public_note="经审核，该来信不属于受理范围。",
        )
    return letter


# --- handling (承办) ---------------------------------------------------------------------


def accept_letter(actor, letter: Letter, *, note: str = "") -> Letter:
    """The lead department signs for the letter (签收)."""
    require_letter(actor, "handle_letter", letter)
    with transaction.atomic():
        letter = _lock(letter)
        _expect(letter, Status.DISPATCHED, doing="签收")
        _change(
            letter,
            actor,
            "accepted",
            "签收",
            Status.HANDLING,
            audit_action="letter_accepted",
            note=clean_text(note),
            public=True,
            public_note=f"{letter.department.name}已签收，正在办理。",
            department=letter.department,
        )
    return letter


def return_letter(actor, letter: Letter, *, reason: str) -> Letter:
    """Not ours (退回): back to the dispatcher with a reason."""
    require_letter(actor, "handle_letter", letter)
    reason = clean_text(reason)
    if not reason:
        raise LetterStateError("请填写退回理由。")
    with transaction.atomic():
        letter = _lock(letter)
        _expect(letter, Status.DISPATCHED, Status.HANDLING, doing="退回")
        dept = letter.department
        letter.assignments.filter(active=True).update(active=False)
        letter.department = None
        letter.handle_due = None
        letter.dispatch_due = workdays.add_working_days(timezone.localdate(), 0)
        _change(
            letter,
            actor,
            "returned",
            "退回",
            Status.RECEIVED,
            audit_action="letter_returned",
            summary={"department": dept.code if dept else None},
            note=reason,
            department=dept,
        )
    return letter


def request_extension(actor, letter: Letter, *, days: int, reason: str) -> Extension:
    """Ask the supervisor for more working days (申请延期)."""
    require_letter(actor, "handle_letter", letter)
    reason = clean_text(reason)
    if not reason:
        raise LetterStateError("请填写延期理由。")
    if not 1 <= int(days) <= 30:
        raise LetterStateError("延期天数须在 1 至 30 个工作日之间。")
    with transaction.atomic():
        letter = _lock(letter)
        _expect(letter, Status.DISPATCHED, Status.HANDLING, doing="申请延期")
        if letter.extensions.filter(status=ExtensionStatus.PENDING).exists():
            raise LetterStateError("已有待审批的延期申请。")
        ext = Extension.objects.create(
            letter=letter,
            department=letter.department,
            days=int(days),
            reason=reason,
            requested_by=_actor(actor),
        )
        record_event(
            letter,
            actor,
            "extension_requested",
            f"申请延期 {days} 个工作日",
            letter.status,
            letter.status,
            note=reason,
            department=letter.department,
        )
        audit.record(
            actor=actor,
            action="letter_extension_requested",
            obj=letter,
            summary={"days": int(days), "extension": ext.pk},
        )
    return ext


def decide_extension(actor, extension: Extension, *, approve: bool, note: str = "") -> Extension:
    """The supervisor approves or rejects an extension; approval moves the deadlines."""
    letter = extension.letter
    require_letter(actor, "approve_extension", letter)
    with transaction.atomic():
        letter = _lock(letter)
        ext = Extension.objects.select_for_update().get(pk=extension.pk)
        if ext.status != ExtensionStatus.PENDING:
            raise LetterStateError("该延期申请已处理。")
        ext.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
        ext.decided_by = _actor(actor)
        ext.save()
        if approve:
            letter.reply_due = workdays.add_working_days(letter.reply_due, ext.days)
            if letter.handle_due:
                letter.handle_due = workdays.add_working_days(letter.handle_due, ext.days)
            letter.save()
        label = "批准延期" if approve else "不批准延期"
        record_event(
            letter,
            actor,
            "extension_decided",
            label,
            letter.status,
            letter.status,
            note=clean_text(note),
            public=approve,
            public_note=f"办理期限延长 {ext.days} 个工作日。" if approve else "",
        )
        audit.record(
            actor=actor,
            action="letter_extension_decided",
            obj=letter,
            summary={"approved": approve, "days": ext.days},
        )
    return ext


# --- replies (答复) ----------------------------------------------------------------------


def draft_reply(actor, letter: Letter, *, body: str, submit: bool = False) -> Reply:
    """Write (or rewrite) the reply; ``submit`` sends it to the department's reviewer."""
    require_letter(actor, "handle_letter", letter)
    body = clean_text(body)
    if not body:
        raise LetterStateError("答复内容不能为空。")
    if len(body) > 10000:
        raise LetterStateError("答复内容不能超过 10000 字。")
    with transaction.atomic():
        letter = _lock(letter)
        _expect(letter, Status.HANDLING, doing="起草答复")
        reply = letter.replies.filter(status__in=[ReplyStatus.DRAFT, ReplyStatus.SENT_BACK]).first()
        if reply is None:
            reply = Reply(letter=letter, department=letter.department)
        reply.body, reply.author = body, _actor(actor)
        reply.status = ReplyStatus.REVIEWING if submit else ReplyStatus.DRAFT
        reply.save()
        if submit:
            _change(
                letter,
                actor,
                "reply_submitted",
                "答复送审",
                Status.REVIEWING,
                audit_action="letter_reply_submitted",
                summary={"reply": reply.pk},
                department=letter.department,
            )
        else:
            record_event(
                letter,
                actor,
                "reply_drafted",
                "起草答复",
                letter.status,
                letter.status,
                department=letter.department,
            )
            audit.record(
                actor=actor, action="letter_reply_drafted", obj=letter, summary={"reply": reply.pk}
            )
    return reply


def review_reply(actor, letter: Letter, *, approve: bool, note: str = "") -> Reply:
    """The reviewer approves the reply (it is then sent through the letter's channel) or sends
    it back for rework (退回修改)."""
    require_letter(actor, "review_reply", letter)
    note = clean_text(note)
    if not approve and not note:
        raise LetterStateError("退回修改时请写明意见。")
    with transaction.atomic():
        letter = _lock(letter)
        _expect(letter, Status.REVIEWING, doing="审核答复")
        reply = letter.replies.select_for_update().filter(status=ReplyStatus.REVIEWING).first()
        if reply is None:
            raise LetterStateError("没有待审核的答复。")
        reply.reviewer, reply.review_note = _actor(actor), note
        if approve:
            reply.status = ReplyStatus.APPROVED
            reply.save()
            letter.replied_at = timezone.now()
            _change(
                letter,
                actor,
                "replied",
                "答复审核通过并发出",
                Status.REPLIED,
                audit_action="letter_replied",
                summary={"reply": reply.pk},
                note=note,
                public=True,
                public_note=f"{letter.department.name}已答复，请查看并评价。",
                department=letter.department,
            )
            from govhub.letters import notify

            notify.queue_reply(reply)
        else:
            reply.status = ReplyStatus.SENT_BACK
            reply.save()
            _change(
                letter,
                actor,
                "reply_sent_back",
                "答复退回修改",
                Status.HANDLING,
                audit_action="letter_reply_sent_back",
                summary={"reply": reply.pk},
                note=note,
                department=letter.department,
            )
    return reply


# --- follow-up (回访) --------------------------------------------------------------------


def rate_letter(
    letter: Letter,
    *,
    level,
    comment: str = "",
    contact: str = "",
    actor=None,
    channel: str = "web",
):
    """The citizen rates the reply on 好差评's five levels (one rating per reply, 一事一评).
    非常满意/满意/基本满意 close the letter; a 差评 (不满意/非常不满意) reopens it for the
    supervisor (督办) to decide, and becomes a call-back task of the department that answered,
    due in working days. Callers have proved the citizen owns the letter (code + phone digits,
    or the WeChat/Weibo account it came from)."""
    from govhub.ratings import actions as ratings

    with transaction.atomic():
        letter = _lock(letter)
        _expect(letter, Status.REPLIED, doing="评价")
        reply = letter.replies.filter(status=ReplyStatus.APPROVED).order_by("-pk").first()
        try:
            rating = ratings.rate_event(
                "letter",
                letter.pk,
                f"reply:{reply.pk if reply else 0}",
                level,
                comment,
                contact,
                channel=channel,
            )
        except ratings.AlreadyRated as exc:
            raise LetterStateError(exc.message) from None
        label = f"群众评价：{rating.get_level_display()}"
        summary = {"rating_level": rating.level}
        if rating.is_bad:
            _change(
                letter,
                actor,
                "rated",
                label,
                Status.REOPENED,
                audit_action="letter_rated",
                summary=summary,
                note=rating.comment,
                public=True,
                public_note=(
                    f"您对答复{rating.get_level_display()}，已转督办部门处理；"
                    f"{rating.department.name}将在 {rating.callback.due_date:%Y年%-m月%-d日} 前回访。"
                ),
            )
        else:
            letter.closed_at = timezone.now()
            _change(
                letter,
                actor,
                "rated",
                label,
                Status.CLOSED,
                audit_action="letter_rated",
                summary=summary,
                note=rating.comment,
                public=True,
                public_note="感谢您的评价，信件已办结。",
            )
    letter.__dict__.pop("rating", None)
    return letter


def reopen_letter(
    actor, letter: Letter, *, note: str, department: Department | None = None
) -> Letter:
    """The supervisor sends a 不满意 (or replied) letter back for handling again, to the same or
    another lead department, with a fresh handling deadline."""
    require_letter(actor, "supervise_letter", letter)
    note = clean_text(note)
    if not note:
        raise LetterStateError("请写明督办意见。")
    with transaction.atomic():
        letter = _lock(letter)
        _expect(letter, Status.REOPENED, Status.REPLIED, doing="重新办理")
        if department is not None and department != letter.department:
            letter.assignments.filter(active=True).update(active=False)
            Assignment.objects.create(
                letter=letter, department=department, role=AssignmentRole.LEAD
            )
            letter.department = department
        policy = current_policy()
        today = timezone.localdate()
        letter.handle_due = workdays.add_working_days(today, policy.handle_days)
        letter.reply_due = workdays.add_working_days(today, policy.reply_days)
        _change(
            letter,
            actor,
            "reopened",
            "督办：重新办理",
            Status.HANDLING,
            audit_action="letter_reopened",
            note=note,
            public=True,
            public_note="督办部门已要求重新办理。",
            department=letter.department,
        )
    return letter


def close_letter(actor, letter: Letter, *, note: str = "") -> Letter:
    """The supervisor closes a letter (办结): after a 不满意 judged answered, or a reply the
    citizen never rated."""
    require_letter(actor, "supervise_letter", letter)
    with transaction.atomic():
        letter = _lock(letter)
        _expect(letter, Status.REOPENED, Status.REPLIED, doing="办结")
        letter.closed_at = timezone.now()
        _change(
            letter,
            actor,
            "closed",
            "办结",
            Status.CLOSED,
            audit_action="letter_closed",
            note=clean_text(note),
            public=True,
            public_note="信件已办结。",
        )
    return letter


# --- public archive (公开) ---------------------------------------------------------------


def publish_letter(actor, letter: Letter, *, subject: str, content: str, reply: str) -> Letter:
    """Publish the staff-confirmed redacted texts in the public archive."""
    require_letter(actor, "publish_letter", letter)
    subject, content, reply = clean_text(subject), clean_text(content), clean_text(reply)
    if not (subject and content and reply):
        raise LetterStateError("公开的标题、内容和答复都不能为空。")
    _refuse_personal_data(subject=subject, content=content, reply=reply)
    with transaction.atomic():
        letter = _lock(letter)
        if not letter.publish_consent:
            raise LetterStateError("来信人未同意公开，不能公开。")
        _expect(letter, Status.REPLIED, Status.CLOSED, doing="公开")
        from govhub.core.text import search_terms

        letter.public_subject, letter.public_content, letter.public_reply = (
            subject[:200],
            content,
            reply,
        )
        letter.search_text = " ".join(search_terms(f"{subject} {content} {reply}"))
        letter.published, letter.published_at = True, timezone.now()
        letter.save()
        record_event(letter, actor, "published", "公开", letter.status, letter.status)
        audit.record(actor=actor, action="letter_published", obj=letter, summary={})
    return letter


PUBLISHED_PARTS = {"subject": "标题", "content": "内容", "reply": "答复"}


def _refuse_personal_data(**texts: str) -> None:
    """The personal-data check before anything of a letter goes public: the same checker as
    every publication (phone, ID and card numbers, home addresses, a name beside an ID number),
    with the county's own public numbers allowed. Staff confirm the redacted texts by hand;
    this catches what slipped through, the reply above all (staff write it and it is not
    redacted for them)."""
    from govhub.safety.checker import check_text

    for part, text in texts.items():
        personal = [f for f in check_text(text) if f.personal]
        if personal:
            raise LetterStateError(
                f"公开的{PUBLISHED_PARTS[part]}中仍有个人信息（{personal[0].excerpt}），"
                "请删除或打码后再公开。"
            )


def unpublish_letter(actor, letter: Letter, *, reason: str) -> Letter:
    require_letter(actor, "publish_letter", letter)
    with transaction.atomic():
        letter = _lock(letter)
        letter.published = False
        letter.save()
        record_event(
            letter,
            actor,
            "unpublished",
            "撤回公开",
            letter.status,
            letter.status,
            note=clean_text(reason),
        )
        audit.record(actor=actor, action="letter_unpublished", obj=letter, summary={})
    return letter


# --- the router at intake ----------------------------------------------------------------


def route_letter(letter_id: int) -> str:
    """The worker's half of intake (``letters.jobs.route_letter``): store the router's
    suggestion and the near-duplicates found, and dispatch by itself above the administrator's
    bar. Intake only accepts the letter; this runs after its commit so a citizen is not kept
    waiting for the router, and the receipt notice is queued before any dispatch notice.

    Idempotent (a job may run twice, the sweep may queue a letter whose job is still waiting):
    a letter already routed, or no longer waiting for dispatch (a dispatcher was quicker, it was
    merged or marked invalid), is left alone. Returns what was done: ``dispatched``,
    ``suggested``, ``left alone`` or ``gone``."""
    with transaction.atomic(), audit.deferred():
        letter = Letter.objects.select_for_update().filter(pk=letter_id).first()
        if letter is None:
            return "gone"
        if letter.routed_at is not None or letter.status != Status.RECEIVED:
            return "left alone"
        return (
            "dispatched" if _suggest_and_maybe_dispatch(letter, current_policy()) else "suggested"
        )


def _suggest_and_maybe_dispatch(letter: Letter, policy) -> bool:
    """Store the suggestion (and mark the letter routed); dispatch above the bar. True when
    dispatched."""
    from govhub.letters import duplicates, router

    suggestion = router.suggest_for_letter(letter)
    dups = duplicates.find_near_duplicates(letter)
    if dups:
        suggestion = {**suggestion, "duplicates": dups}
    letter.suggestion = suggestion
    dept_id = suggestion.get("department_id")
    letter.suggested_department_id = dept_id
    letter.routed_at = timezone.now()
    letter.save(update_fields=["suggestion", "suggested_department", "routed_at"])
    if (
        dept_id
        and not dups
        and suggestion.get("confidence", 0) >= policy.auto_dispatch_confidence
        and policy.auto_dispatch_confidence < 1
    ):
        dept = Department.objects.get(pk=dept_id)
        dispatch_letter(
            "router",
            letter,
            department=dept,
            auto=True,
            note=f"置信度 {suggestion['confidence']:.2f}",
        )
        return True
    return False

"""Every state change of participation, one function each: permission, one transaction, the
audit record, then what others react to (after commit).

Consultations (征求意见): ``create_consultation`` → ``publish_consultation`` (the period
starts; commenting closes by itself at ``closes_at``) → citizens ``submit_comment`` (content
checker, then pre-moderation) → ``moderate_comment`` → others ``agree_with_comment`` → after
the close, staff ``mark_adoption`` for each comment → ``publish_report`` puts the adoption report
(意见采纳情况反馈) on the draft's page.

Message board (留言板): ``submit_post`` → ``moderate_post`` → ``answer_post`` (official, in the
department's name), ``post_to_letter``, ``report_abuse`` → ``resolve_reports``.

Surveys (民意调查): ``create_survey`` (questions typed as plain text) → ``publish_survey`` → a
citizen proves a phone with ``send_code`` / ``verify_code`` (or comes with a WeChat openid) →
``submit_response`` once per person: the database's unique constraint decides, so two workers
submitting at the same moment still count once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from govhub.core import audit
from govhub.core.errors import DomainError, FieldErrors
from govhub.core.models import Department
from govhub.core.permissions import can, require
from govhub.core.pii import blind_index, redact_text
from govhub.participation.models import (
    AbuseReport,
    Adoption,
    Agreement,
    Answer,
    BoardColumn,
    Comment,
    Consultation,
    ConsultationStatus,
    Moderated,
    Moderation,
    Option,
    Paragraph,
    Post,
    Question,
    QuestionKind,
    Response,
    ResponseItem,
    SmsCode,
    Survey,
    SurveyStatus,
)

MAX_COMMENT = 2000
MAX_NICKNAME = 30


class ParticipationError(DomainError):
    code = "participation"


class ConsultationClosed(ParticipationError):
    code = "consultation_closed"
    status = 409


class ModerationError(ParticipationError):
    code = "moderation"
    status = 409


def _transition(
    actor,
    model,
    obj,
    *,
    allowed: tuple,
    to: str,
    action: str,
    refused: str | Callable,
    change: Callable | None = None,
    summary: Callable | None = None,
):
    """One status change of a consultation, survey or interview, inside the caller's
    transaction and after its permission check: the row locked (two editors cannot both
    move it), refused unless its status is one of ``allowed`` (``refused`` is the message, or
    makes it from the row), ``change`` sets what else changes and names those fields (it may
    refuse too), then the new status saved and the audit record written (``summary`` makes
    its summary from the row)."""
    row = model.objects.select_for_update().get(pk=obj.pk)
    if row.status not in allowed:
        raise ParticipationError(refused(row) if callable(refused) else refused)
    fields = change(row) if change is not None else []
    row.status = to
    row.save(update_fields=["status", *fields])
    audit.record(
        actor=actor, action=action, obj=row, summary=summary(row) if summary is not None else {}
    )
    return row


# --- pre-moderation (what citizens write) -------------------------------------------------


def _moderate(
    actor,
    model: type[Moderated],
    item: Moderated,
    *,
    approve: bool,
    reason: str,
    audit_prefix: str,
    done: str,
    ask_reason: str,
    what: str,
    also: Callable[[Moderated], list[str]] | None = None,
    summary: Callable[[Moderated], dict] | None = None,
) -> Moderated:
    """The one pre-moderation step of a comment, post or interview question: the reviewer's
    right, pending only (under a row lock, so two reviewers cannot both decide), a reason
    required to refuse, the checker's findings the reviewer overrode counted in the audit
    record, and the author told of a refusal (SMS or WeChat, through the outbox: after
    commit). ``also`` changes what the caller adds (and names the fields); ``summary`` adds
    to the audit record."""
    require(actor, "moderate_participation")
    reason = (reason or "").strip()
    with transaction.atomic():
        obj = model.objects.select_for_update().get(pk=item.pk)
        if obj.status != Moderation.PENDING:
            raise ModerationError(done)
        if not approve and not reason:
            raise FieldErrors({"reason": ask_reason})
        obj.status = Moderation.APPROVED if approve else Moderation.REJECTED
        obj.reject_reason = "" if approve else reason[:200]
        obj.moderated_by = actor
        obj.moderated_at = timezone.now()
        fields = ["status", "reject_reason", "moderated_by", "moderated_at"]
        if also is not None:
            fields += also(obj)
        obj.save(update_fields=fields)
        audit.record(
            actor=actor,
            action=f"{audit_prefix}_{'approve' if approve else 'reject'}",
            obj=obj,
            summary={
                # the chain is kept in clear: the reason as the redacted copy shows it
                "reason": redact_text(obj.reject_reason),
                "findings": len(obj.findings or []),
                **(summary(obj) if summary is not None else {}),
            },
        )
        if not approve:
            _tell_author_of_refusal(obj, key=f"moderation:{audit_prefix}:{obj.pk}", what=what)
    return obj


def _tell_author_of_refusal(obj: Moderated, *, key: str, what: str) -> int:
    """Inside the decision's transaction: one outbox message to the author (WeChat when they
    wrote from WeChat, else an SMS to the phone they left), sent after commit; nothing when
    they left no contact (they read the reason on the page)."""
    from govhub.channels import outbox
    from govhub.channels.models import ChannelAccount, MessageKind

    text = f"【{settings.WAGTAIL_SITE_NAME}】您{what}未通过审核，理由：{obj.reject_reason}"
    department = (obj.permission_departments() or [None])[0]
    openid = getattr(obj, "openid", "")
    if openid:
        account = (
            ChannelAccount.objects.filter(platform="wechat", enabled=True).order_by("pk").first()
        )
        outbox.enqueue(
            kind=MessageKind.PARTICIPATION_NOTICE,
            key=f"{key}:wechat",
            account=account,
            platform="wechat",
            recipient=openid,
            payload={"text": text},
            source=obj,
            department=department,
        )
        return 1
    if obj.phone:
        outbox.enqueue(
            kind=MessageKind.PARTICIPATION_NOTICE,
            key=f"{key}:sms",
            platform="sms",
            recipient=obj.phone,
            payload={"short": text},
            source=obj,
            department=department,
        )
        return 1
    return 0


def save_board_column(actor, column: BoardColumn) -> BoardColumn:
    """Add or change a column of the message board (a column with posts is closed with 启用 off,
    never deleted: its posts keep their place)."""
    require(actor, "manage_board_columns")
    created = column.pk is None
    with transaction.atomic():
        column.save()
        audit.record(
            actor=actor,
            action="participation_board_column_saved",
            obj=column,
            summary={"name": column.name, "created": created, "active": column.is_active},
        )
    return column


def default_period_days() -> int:
    """The comment period when the editor names none: 30 days, the usual legal minimum."""
    return int(
        getattr(settings, "PARTICIPATION_PERIOD_DAYS", 0)
        or os.environ.get("GOVHUB_CONSULTATION_DAYS", 30)
    )


def report_days() -> int:
    """Days after the close by which the adoption report is due (GOVHUB_CONSULTATION_REPORT_DAYS)."""
    return int(os.environ.get("GOVHUB_CONSULTATION_REPORT_DAYS", 30))


def voter_key(raw: str) -> str:
    """A keyed hash of a session key, phone or openid: equal for one person, not reversible."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{raw}".encode()).hexdigest()


def split_paragraphs(body: str) -> list[str]:
    """The draft's articles: one per non-empty line (a blank line or a newline separates)."""
    return [p.strip() for p in re.split(r"\n+", body.replace("\r", "")) if p.strip()]


# --- consultations -------------------------------------------------------------------------


def _clean_consultation(data: dict) -> dict:
    errors = {}
    title = (data.get("title") or "").strip()
    if not title:
        errors["title"] = "请填写标题"
    elif len(title) > 120:
        errors["title"] = "标题不能超过 120 个字"
    body = data.get("body") or ""
    paragraphs = split_paragraphs(body)
    if not paragraphs:
        errors["body"] = "请填写征求意见稿正文（每段一行）"
    elif len(paragraphs) > 500:
        errors["body"] = "正文不能超过 500 段"
    try:
        period = int(data.get("period_days") or default_period_days())
        if not 1 <= period <= 365:
            raise ValueError
    except (TypeError, ValueError):
        errors["period_days"] = "征求意见期应为 1 到 365 天"
        period = default_period_days()
    department = data.get("department")
    if isinstance(department, int | str) and str(department).isdigit():
        department = Department.objects.filter(pk=int(department)).first()
    if not isinstance(department, Department):
        errors["department"] = "请选择起草单位"
    if errors:
        raise FieldErrors(errors)
    return {
        "title": title,
        "summary": (data.get("summary") or "").strip()[:5000],
        "paragraphs": paragraphs,
        "period_days": period,
        "department": department,
    }


def host_department_of(user) -> Department | None:
    """The department whose editors run a consultation: the editor's own."""
    from govhub.core.permissions import scope_roots

    roots = scope_roots(user, "manage_consultation")
    return roots[0] if roots else None


@transaction.atomic
def create_consultation(actor, data: dict, host: Department | None = None) -> Consultation:
    """A new draft (草稿), not yet visible; ``data`` has title, summary, body, period_days,
    department (起草单位)."""
    host = host or host_department_of(actor)
    if host is None:
        require(actor, "manage_consultation")
    require(actor, "manage_consultation", host)
    d = _clean_consultation(data)
    c = Consultation.objects.create(
        title=d["title"],
        summary=d["summary"],
        department=d["department"],
        host=host,
        period_days=d["period_days"],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    Paragraph.objects.bulk_create(
        Paragraph(consultation=c, number=i, text=t) for i, t in enumerate(d["paragraphs"], 1)
    )
    audit.record(actor=actor, action="consultation_create", obj=c, summary={"title": c.title})
    return c


@transaction.atomic
def update_consultation(actor, consultation: Consultation, data: dict) -> Consultation:
    """Edit a draft; once published its text is what people commented on and stays."""
    require(actor, "manage_consultation", consultation)
    c = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if c.status != ConsultationStatus.DRAFT:
        raise ParticipationError("已发布的征求意见稿不能再修改正文")
    d = _clean_consultation(data)
    c.title, c.summary, c.department, c.period_days = (
        d["title"],
        d["summary"],
        d["department"],
        d["period_days"],
    )
    c.save()
    c.paragraphs.all().delete()
    Paragraph.objects.bulk_create(
        Paragraph(consultation=c, number=i, text=t) for i, t in enumerate(d["paragraphs"], 1)
    )
    audit.record(actor=actor, action="consultation_edit", obj=c, summary={"title": c.title})
    return c


@transaction.atomic
def publish_consultation(
    actor, consultation: Consultation, *, opens_at: dt.datetime | None = None
) -> Consultation:
    """Open the draft for comments for its period; the report's due date is fixed now, so the
    page shows it from the first day."""
    require(actor, "manage_consultation", consultation)

    def period(c: Consultation) -> list[str]:
        c.opens_at = opens_at or timezone.now()
        c.closes_at = c.opens_at + dt.timedelta(days=c.period_days)
        c.report_due = timezone.localtime(c.closes_at).date() + dt.timedelta(days=report_days())
        return ["opens_at", "closes_at", "report_due"]

    return _transition(
        actor,
        Consultation,
        consultation,
        allowed=(ConsultationStatus.DRAFT,),
        to=ConsultationStatus.PUBLISHED,
        action="consultation_publish",
        refused="该征求意见稿已经发布",
        change=period,
        summary=lambda c: {"closes_at": c.closes_at.isoformat(), "period_days": c.period_days},
    )


def staff_text_problem(text: str) -> str:
    """What staff write for the public (an adoption reason, a transcript note) passes the same
    personal-data check as what citizens write: the message when it does not, else ""."""
    from govhub.safety.checker import check_text

    personal = [f for f in check_text(text or "") if f.personal]
    if not personal:
        return ""
    return (
        "公开内容中不能有手机号、身份证号、银行卡号或详细住址等个人信息"
        f"（发现：{personal[0].excerpt}），请删除或打码"
    )


def _clean_text(text: str, nickname: str) -> tuple[str, str, dict]:
    errors = {}
    text = (text or "").strip()
    nickname = (nickname or "").strip()
    if len(text) < 5:
        errors["text"] = "请填写意见内容（至少 5 个字）"
    elif len(text) > MAX_COMMENT:
        errors["text"] = f"意见内容不能超过 {MAX_COMMENT} 字（现在 {len(text)} 字）"
    if len(nickname) > MAX_NICKNAME:
        errors["nickname"] = f"署名不能超过 {MAX_NICKNAME} 个字"
    return text, nickname, errors


def check_citizen_text(text: str, field: str = "text") -> list[dict]:
    """The content checker over what a citizen wrote. Personal data is refused at once with a
    message beside the field (it would be published); other findings go to the moderator."""
    from govhub.safety.checker import check_text

    findings = check_text(text)
    personal = [f for f in findings if f.personal]
    if personal:
        raise FieldErrors(
            {
                field: "请不要在公开内容中填写手机号、身份证号、银行卡号或详细住址等个人信息"
                f"（发现：{personal[0].excerpt}）；需要联系您时请填写在“手机号”一栏，不会公开。"
            }
        )
    return [
        {"code": f.code, "message": f.message, "excerpt": f.excerpt, "severity": f.severity}
        for f in findings
        if f.blocking or f.code == "sensitive_term"
    ]


def submit_comment(
    consultation: Consultation,
    *,
    text: str,
    nickname: str = "",
    phone: str = "",
    paragraph_id: int | None = None,
    quote: str = "",
    channel: str = "portal",
    openid: str = "",
    now: dt.datetime | None = None,
) -> Comment:
    """A citizen's comment: refused after the close; checked; held for the moderator. The
    phone (or, from WeChat, the openid) is where the adoption report is announced."""
    now = now or timezone.now()
    if not consultation.is_open(now):
        if consultation.closes_at and now >= consultation.closes_at:
            raise ConsultationClosed(
                "本次征求意见已于 "
                f"{timezone.localtime(consultation.closes_at):%Y年%m月%d日 %H:%M} 截止，"
                "不再接收意见。感谢您的关注，采纳情况将在反馈报告中公布。"
            )
        raise ConsultationClosed("本次征求意见尚未开始")
    text, nickname, errors = _clean_text(text, nickname)
    phone = re.sub(r"\D", "", phone or "")
    if phone and not (len(phone) == 11 and phone.startswith("1")):
        errors["phone"] = "请填写 11 位手机号，或留空"
    paragraph = None
    if paragraph_id:
        paragraph = Paragraph.objects.filter(consultation=consultation, pk=paragraph_id).first()
        if paragraph is None:
            errors["paragraph"] = "所选条款不存在，请重新选择"
    if errors:
        raise FieldErrors(errors)
    findings = check_citizen_text(text) + (
        check_citizen_text(nickname, "nickname") if nickname else []
    )
    with transaction.atomic():
        comment = Comment.objects.create(
            consultation=consultation,
            paragraph=paragraph,
            quote=(quote or "").strip()[:300] if paragraph else "",
            nickname=nickname,
            phone=phone,
            openid=(openid or "")[:64],
            channel="wechat" if openid else channel,
            text=text,
            findings=findings,
            created_at=now,
        )
        audit.record(
            actor="citizen",
            action="comment_submit",
            obj=comment,
            summary={"consultation": consultation.pk, "findings": len(findings)},
        )
    return comment


def moderate_comment(actor, comment: Comment, *, approve: bool, reason: str = "") -> Comment:
    """Pre-moderation: a reviewer lets a comment show, or refuses it with a reason."""
    return _moderate(
        actor,
        Comment,
        comment,
        approve=approve,
        reason=reason,
        audit_prefix="comment",
        done="这条意见已经审核过了",
        ask_reason="请填写不予公开的理由（会告知提交人）",
        what=f"对《{comment.consultation.title[:30]}》提出的意见",
    )


def agree_with_comment(comment: Comment, raw_voter: str) -> bool:
    """Count one visitor's agreement once (unique constraint); True when it counted."""
    if comment.status != Moderation.APPROVED:
        raise ParticipationError("只能赞同已公开的意见")
    try:
        with transaction.atomic():
            Agreement.objects.create(comment=comment, voter_key=voter_key(raw_voter))
            Comment.objects.filter(pk=comment.pk).update(agree_count=F("agree_count") + 1)
    except IntegrityError:
        return False
    return True


def mark_adoption(actor, comments: list[Comment], *, adoption: str, reason: str) -> int:
    """Mark one or several comments (on the same point, answered together) adopted / partly /
    not adopted, with the reason published in the report."""
    errors = {}
    if adoption not in Adoption.values:
        errors["adoption"] = "请选择采纳、部分采纳或未采纳"
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "请填写理由（将在反馈报告中公布）"
    elif len(reason) > 1000:
        errors["reason"] = "理由不能超过 1000 字"
    elif problem := staff_text_problem(reason):
        errors["reason"] = problem
    if not comments:
        errors["comments"] = "请至少选择一条意见"
    if errors:
        raise FieldErrors(errors)
    now = timezone.now()
    with transaction.atomic():
        comments = list(
            Comment.objects.select_for_update()
            .select_related("consultation")
            .filter(pk__in=[c.pk for c in comments])
        )
        for comment in comments:
            if not can(actor, "mark_adoption", comment.consultation.department) and not can(
                actor, "mark_adoption", comment.consultation
            ):
                require(actor, "mark_adoption", comment.consultation.department)
            if comment.status != Moderation.APPROVED:
                raise ParticipationError("只能标注已公开的意见")
            if comment.consultation.status == ConsultationStatus.REPORTED:
                raise ParticipationError("反馈报告已发布，采纳情况不能再修改")
        ids = [c.pk for c in comments]
        Comment.objects.filter(pk__in=ids).update(
            adoption=adoption, adoption_reason=reason, adopted_by=actor, adopted_at=now
        )
        audit.record(
            actor=actor,
            action="comment_adoption",
            obj=comments[0].consultation,
            summary={"comments": ids, "adoption": adoption},
        )
    return len(comments)


def may_mark_adoption(user, consultation: Consultation) -> bool:
    return can(user, "mark_adoption", consultation.department) or can(
        user, "mark_adoption", consultation
    )


@transaction.atomic
def publish_report(actor, consultation: Consultation, *, text: str, now=None) -> Consultation:
    """Publish the adoption report on the draft's page: after the close, every shown comment
    marked, the text free of personal data (the same check as the adoption reasons)."""
    if not may_mark_adoption(actor, consultation):
        require(actor, "mark_adoption", consultation.department)
    c = Consultation.objects.select_for_update().get(pk=consultation.pk)
    now = now or timezone.now()
    if c.status == ConsultationStatus.REPORTED:
        raise ParticipationError("反馈报告已经发布")
    if c.status != ConsultationStatus.PUBLISHED or now < c.closes_at:
        raise ParticipationError("征求意见期结束后才能发布反馈报告")
    unmarked = c.comments.filter(status=Moderation.APPROVED, adoption="").count()
    if unmarked:
        raise ParticipationError(f"还有 {unmarked} 条意见未标注采纳情况")
    pending = c.comments.filter(status=Moderation.PENDING).count()
    if pending:
        raise ParticipationError(f"还有 {pending} 条意见待审核")
    text = (text or "").strip()
    if not text:
        raise FieldErrors({"text": "请填写采纳情况总体说明"})
    if problem := staff_text_problem(text):
        raise FieldErrors({"text": problem})
    c.report_text = text[:10000]
    c.report_published_at = now
    c.status = ConsultationStatus.REPORTED
    c.save(update_fields=["report_text", "report_published_at", "status"])
    sent = queue_report_notices(c)
    audit.record(actor=actor, action="consultation_report", obj=c, summary={"notices": sent})
    return c


def report_notice_text(consultation: Consultation, comment: Comment) -> str:
    """What a commenter is told when the report is out: their comment's decision and where
    to read the report."""
    url = f"{settings.SITE_URL}/participation/consultations/{consultation.pk}/#report"
    if comment.status == Moderation.APPROVED and comment.adoption:
        decision = f"采纳情况为“{comment.get_adoption_display()}”"
    else:
        decision = "感谢您的参与"
    return (
        f"【{settings.WAGTAIL_SITE_NAME}】您对《{consultation.title[:30]}》提出的意见，"
        f"{decision}。意见采纳情况反馈报告已发布：{url}"
    )


def queue_report_notices(consultation: Consultation) -> int:
    """Inside the report's transaction: tell everyone who commented, through the channel they
    used — an SMS to the phone they left (portal, API), a WeChat message to the openid they
    commented from — one outbox message each, keyed so it is never sent twice; sent after
    commit. A commenter who left no contact reads the report on the page."""
    from govhub.channels import outbox
    from govhub.channels.models import ChannelAccount, MessageKind

    account = None
    count = 0
    for comment in Comment.objects.filter(consultation=consultation).order_by("pk"):
        text = report_notice_text(consultation, comment)
        key = f"consultation-report:{consultation.pk}:comment:{comment.pk}"
        if comment.openid:
            if account is None:
                account = (
                    ChannelAccount.objects.filter(platform="wechat", enabled=True)
                    .order_by("pk")
                    .first()
                )
            outbox.enqueue(
                kind=MessageKind.PARTICIPATION_NOTICE,
                key=f"{key}:wechat",
                account=account,
                platform="wechat",
                recipient=comment.openid,
                payload={"text": text},
                source=consultation,
                department=consultation.department,
            )
            count += 1
        elif comment.phone:
            outbox.enqueue(
                kind=MessageKind.PARTICIPATION_NOTICE,
                key=f"{key}:sms",
                platform="sms",
                recipient=comment.phone,
                payload={"short": text},
                source=consultation,
                department=consultation.department,
            )
            count += 1
    return count


# --- message board (留言板) ---------------------------------------------------------------


def submit_post(
    column: BoardColumn | None,
    *,
    title: str,
    text: str,
    nickname: str = "",
    phone: str = "",
    now: dt.datetime | None = None,
) -> Post:
    """A citizen's post: every input error at once; the checker; held for the moderator."""
    errors = {}
    if column is None or not column.is_active:
        errors["column"] = "请选择栏目"
    title = (title or "").strip()
    if not title:
        errors["title"] = "请填写标题"
    elif len(title) > 60:
        errors["title"] = "标题不能超过 60 个字"
    text, nickname, more = _clean_text(text, nickname)
    errors.update(more)
    phone = re.sub(r"\D", "", phone or "")
    if phone and not (len(phone) == 11 and phone.startswith("1")):
        errors["phone"] = "请填写 11 位手机号，或留空"
    if errors:
        raise FieldErrors(errors)
    found: list[dict] = []
    problems: dict = {}
    for field, value in (("title", title), ("text", text), ("nickname", nickname)):
        if not value:
            continue
        try:
            found += check_citizen_text(value, field)
        except FieldErrors as exc:
            problems.update(exc.errors)
    if problems:
        raise FieldErrors(problems)
    with transaction.atomic():
        post = Post.objects.create(
            column=column,
            title=title,
            text=text,
            nickname=nickname,
            phone=phone,
            findings=found,
            department=column.department,
            created_at=now or timezone.now(),
        )
        audit.record(
            actor="citizen",
            action="post_submit",
            obj=post,
            summary={"column": column.pk, "findings": len(found)},
        )
    return post


def moderate_post(
    actor, post: Post, *, approve: bool, reason: str = "", department: Department | None = None
) -> Post:
    """Pre-moderation of a post; the moderator may also name the answering department."""

    def answering(p: Post) -> list[str]:
        if department is not None:
            p.department = department
        return ["department"]

    return _moderate(
        actor,
        Post,
        post,
        approve=approve,
        reason=reason,
        audit_prefix="post",
        done="这条留言已经审核过了",
        ask_reason="请填写不予公开的理由（会告知留言人）",
        what=f"留言《{post.title[:30]}》",
        also=answering,
        summary=lambda p: {"department": p.department_id},
    )


def answer_post(actor, post: Post, *, text: str) -> Answer:
    """An official answer in the name of the post's department, checked like any publication."""
    require(actor, "answer_post", post)
    text = (text or "").strip()
    if len(text) < 5:
        raise FieldErrors({"text": "请填写答复内容（至少 5 个字）"})
    if len(text) > 5000:
        raise FieldErrors({"text": "答复不能超过 5000 字"})
    check_citizen_text(text)
    with transaction.atomic():
        p = Post.objects.select_for_update().get(pk=post.pk)
        if p.status != Moderation.APPROVED:
            raise ParticipationError("只能答复已公开的留言")
        answer = Answer.objects.create(
            post=p, department=p.department, text=text, answered_by=actor
        )
        if p.answered_at is None:
            p.answered_at = answer.created_at
            p.save(update_fields=["answered_at"])
        audit.record(actor=actor, action="post_answer", obj=p, summary={"answer": answer.pk})
    return answer


def post_to_letter(actor, post: Post) -> int:
    """Turn a post into a letter of the leader's mailbox with one click, through letters'
    public intake (its author's contact goes into the letter's encrypted citizen record)."""
    if not (can(actor, "moderate_participation") or can(actor, "answer_post", post)):
        require(actor, "answer_post", post)
    if post.letter_id:
        return post.letter_id
    if post.status == Moderation.REJECTED:
        raise ParticipationError("未通过审核的留言不能转为信件")
    from govhub.letters.intake import submit_letter

    content = post.text if len(post.text) >= 10 else f"{post.text}（由留言板转入）"
    letter = submit_letter(
        channel="portal",
        subject=post.title[:40],
        content=content,
        name=post.nickname,
        phone=post.phone,
        idempotency_key=f"board-{post.pk}",
    )
    with transaction.atomic():
        Post.objects.filter(pk=post.pk).update(letter_id=letter.pk)
        audit.record(actor=actor, action="post_to_letter", obj=post, summary={"letter": letter.pk})
    post.letter_id = letter.pk
    return letter.pk


def report_abuse(post: Post, raw_voter: str, reason: str) -> bool:
    """A visitor reports a post; counted once per visitor; the moderator sees it in the queue."""
    reason = (reason or "").strip()
    if not reason:
        raise FieldErrors({"reason": "请说明举报理由"})
    if post.status != Moderation.APPROVED:
        raise ParticipationError("只能举报已公开的留言")
    try:
        with transaction.atomic():
            AbuseReport.objects.create(
                post=post, reason=reason[:200], voter_key=voter_key(raw_voter)
            )
            Post.objects.filter(pk=post.pk).update(report_count=F("report_count") + 1)
    except IntegrityError:
        return False
    return True


@transaction.atomic
def resolve_reports(actor, post: Post, *, remove: bool, reason: str = "") -> Post:
    """The moderator's decision on a reported post: take it down (with a reason) or keep it."""
    require(actor, "moderate_participation")
    p = Post.objects.select_for_update().get(pk=post.pk)
    if remove:
        reason = (reason or "").strip()
        if not reason:
            raise FieldErrors({"reason": "请填写撤下的理由（会告知留言人）"})
        p.status = Moderation.REJECTED
        p.reject_reason = reason[:200]
        p.save(update_fields=["status", "reject_reason"])
    p.reports.filter(resolved=False).update(resolved=True)
    audit.record(actor=actor, action="post_takedown" if remove else "post_keep", obj=p, summary={})
    return p


# --- surveys (民意调查) -------------------------------------------------------------------

CODE_MINUTES = 10
CODE_RESEND_SECONDS = 60
CODE_ATTEMPTS = 5
KIND_WORDS = {
    "单选": QuestionKind.SINGLE,
    "多选": QuestionKind.MULTIPLE,
    "排序": QuestionKind.RANKING,
    "量表": QuestionKind.SCALE,
    "矩阵": QuestionKind.MATRIX,
    "文本": QuestionKind.TEXT,
}
_HEAD = re.compile(r"^\[(单选|多选|排序|量表|矩阵|文本)\]\s*(.+)$")
_SCALE = re.compile(r"[（(]\s*(\d+)\s*[-–~至到]\s*(\d+)\s*[)）]\s*$")
_COLUMNS = re.compile(r"^列\s*[：:]\s*(.+)$")
_CONDITION = re.compile(
    r"^(?:如果|如|仅当)\s*第\s*(\d+)\s*题选\s*[“\"「]?(.+?)[”\"」]?\s*(?:时.*)?$"
)
CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.RANKING)
ANSWERS_PER_ADDRESS = int(os.environ.get("GOVHUB_SURVEY_ANSWERS_PER_ADDRESS", "5"))
ADDRESS_WINDOW = dt.timedelta(hours=1)


class AlreadyAnswered(ParticipationError):
    code = "already_answered"
    status = 409


class SurveyClosed(ParticipationError):
    code = "survey_closed"
    status = 409


class VerificationError(ParticipationError):
    code = "verification"


class SmsUnavailable(ParticipationError):
    code = "sms_unavailable"
    status = 503


# --- writing a survey ----------------------------------------------------------------------


def parse_questions(source: str) -> list[dict]:
    """Questions from the editor's plain text: a line ``[单选] 题目`` (or 多选/排序/量表/矩阵/
    文本) opens a question, lines starting with ``-`` are its options (a 矩阵's rows), a line
    ``列：满意/一般/不满意`` gives a 矩阵's columns, ``（1-5）`` at the end of a 量表 sets its
    range, ``（选填）`` makes it optional, and a line ``如果第2题选“是”`` shows the question only
    to those who chose that option. Raises FieldErrors naming the line."""
    questions: list[dict] = []
    for n, raw in enumerate((source or "").replace("\r", "").split("\n"), 1):
        line = raw.strip()
        if not line:
            continue
        head = _HEAD.match(line)
        columns = _COLUMNS.match(line)
        condition = _CONDITION.match(line)
        if head:
            text = head.group(2).strip()
            q = {
                "kind": KIND_WORDS[head.group(1)],
                "required": True,
                "options": [],
                "columns": [],
                "condition": None,
                "line": n,
            }
            if text.endswith(("（选填）", "(选填)")):
                q["required"] = False
                text = text[: -len("（选填）")].strip()
            if q["kind"] == QuestionKind.SCALE:
                m = _SCALE.search(text)
                q["scale"] = (int(m.group(1)), int(m.group(2))) if m else (1, 5)
                if m:
                    text = text[: m.start()].strip()
            q["text"] = text[:300]
            questions.append(q)
        elif columns and questions and questions[-1]["kind"] == QuestionKind.MATRIX:
            questions[-1]["columns"] = [
                c.strip()[:40] for c in re.split(r"[/／、，,|]", columns.group(1)) if c.strip()
            ]
        elif condition and questions:
            questions[-1]["condition"] = (int(condition.group(1)), condition.group(2).strip(), n)
        elif line.startswith(("-", "－", "·")) and questions:
            questions[-1]["options"].append(line.lstrip("-－· ").strip()[:120])
        else:
            raise FieldErrors(
                {
                    "questions": f"第 {n} 行无法识别：题目以 [单选]/[多选]/[排序]/[量表]/[矩阵]/[文本] "
                    "开头，选项以 - 开头，矩阵的列写成“列：满意/一般/不满意”，"
                    "条件写成“如果第1题选“是””"
                }
            )
    if not questions:
        raise FieldErrors({"questions": "请至少写一道题"})
    for i, q in enumerate(questions, 1):
        if q["kind"] in CHOICE_KINDS and len(q["options"]) < 2:
            raise FieldErrors({"questions": f"第 {i} 题（{q['text'][:20]}）至少需要两个选项"})
        if q["kind"] == QuestionKind.RANKING and len(q["options"]) > 10:
            raise FieldErrors({"questions": f"第 {i} 题排序的选项不能超过 10 个"})
        if q["kind"] == QuestionKind.MATRIX and (not q["options"] or len(q["columns"]) < 2):
            raise FieldErrors(
                {"questions": f"第 {i} 题（矩阵）需要以 - 开头的行，和“列：”后至少两列"}
            )
        if q["kind"] == QuestionKind.SCALE and not q["scale"][0] < q["scale"][1] <= 10:
            raise FieldErrors({"questions": f"第 {i} 题的量表范围应如（1-5），最大不超过 10"})
        if q["condition"]:
            number, label, line = q["condition"]
            parent = questions[number - 1] if 1 <= number < i else None
            if parent is None or parent["kind"] not in (
                QuestionKind.SINGLE,
                QuestionKind.MULTIPLE,
            ):
                raise FieldErrors(
                    {"questions": f"第 {line} 行：条件只能引用前面的单选或多选题（第 {number} 题）"}
                )
            if label not in parent["options"]:
                raise FieldErrors({"questions": f"第 {line} 行：第 {number} 题没有选项“{label}”"})
    return questions


def questions_source(survey: Survey) -> str:
    """The current questions written back as the editor's plain text (to edit them)."""
    lines = []
    questions = list(
        survey.questions.filter(active=True).prefetch_related("options").select_related("show_if")
    )
    numbers = {q.pk: q.number for q in questions}
    for q in questions:
        word = QuestionKind(q.kind).label
        text = q.text
        if q.kind == QuestionKind.SCALE:
            text += f"（{q.scale_min}-{q.scale_max}）"
        if not q.required:
            text += "（选填）"
        lines.append(f"[{word}] {text}")
        if q.show_if_id and q.show_if.question_id in numbers:
            lines.append(f"如果第{numbers[q.show_if.question_id]}题选“{q.show_if.label}”")
        lines += [f"- {o.label}" for o in q.options.all()]
        if q.kind == QuestionKind.MATRIX:
            lines.append("列：" + "/".join(q.columns))
    return "\n".join(lines)


def _signature(q: dict) -> tuple:
    cond = q["condition"][:2] if q["condition"] else None
    return (
        q["kind"],
        q["text"],
        q["required"],
        tuple(q.get("scale", (1, 5))),
        tuple(q["options"]),
        tuple(q["columns"]),
        cond,
    )


def _stored_signature(q: Question, numbers: dict) -> tuple:
    cond = (numbers.get(q.show_if.question_id), q.show_if.label) if q.show_if_id else None
    scale = (q.scale_min, q.scale_max) if q.kind == QuestionKind.SCALE else (1, 5)
    return (
        q.kind,
        q.text,
        q.required,
        scale,
        tuple(o.label for o in q.options.all()),
        tuple(q.columns or []),
        cond,
    )


def _write_questions(survey: Survey, parsed: list[dict], version: int, keep=None) -> None:
    """Create the questions of ``parsed`` (re-activating the kept ones of ``keep``, a map from
    position to an existing question with the same wording)."""
    keep = keep or {}
    made: dict[int, Question] = {}
    for i, q in enumerate(parsed, 1):
        old = keep.get(i)
        if old is not None:
            Question.objects.filter(pk=old.pk).update(active=True, number=i)
            made[i] = old
            continue
        lo, hi = q.get("scale", (1, 5))
        show_if = None
        if q["condition"]:
            number, label = q["condition"][:2]
            show_if = made[number].options.filter(label=label).first()
        question = Question.objects.create(
            survey=survey,
            number=i,
            kind=q["kind"],
            text=q["text"],
            required=q["required"],
            scale_min=lo,
            scale_max=hi,
            columns=q["columns"],
            show_if=show_if,
            version=version,
        )
        Option.objects.bulk_create(
            Option(question=question, number=j, label=label)
            for j, label in enumerate(q["options"], 1)
        )
        made[i] = question


def _date(value, field: str, errors: dict, *, end: bool = False) -> dt.datetime | None:
    """A moment from a datetime or a date; a closing date means the end of that day."""
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value).strip()[:10])
        except (TypeError, ValueError):
            errors[field] = "请填写日期，如 2026-12-31"
            return None
    at = dt.time(23, 59, 59) if end else dt.time()
    return timezone.make_aware(dt.datetime.combine(value, at))


@transaction.atomic
def create_survey(actor, data: dict) -> Survey:
    """A draft survey: title, description, department, opens/closes (dates), results_public,
    questions (plain text, see ``parse_questions``)."""
    errors: dict = {}
    title = (data.get("title") or "").strip()
    if not title:
        errors["title"] = "请填写标题"
    department = data.get("department")
    if not isinstance(department, Department):
        department = (
            Department.objects.filter(pk=str(department or "0")).first()
            if str(department or "").isdigit()
            else None
        )
    if department is None:
        errors["department"] = "请选择发起单位"
    opens = _date(data.get("opens_at"), "opens_at", errors)
    closes = _date(data.get("closes_at"), "closes_at", errors, end=True)
    if opens and closes and closes <= opens:
        errors["closes_at"] = "结束时间应晚于开始时间"
    audience, towns = _clean_audience(data, errors)
    try:
        questions = parse_questions(data.get("questions", ""))
    except FieldErrors as exc:
        errors.update(exc.errors)
    if errors:
        raise FieldErrors(errors)
    require(actor, "manage_survey", department)
    survey = Survey.objects.create(
        title=title[:120],
        description=(data.get("description") or "").strip()[:5000],
        department=department,
        opens_at=opens,
        closes_at=closes,
        results_public=bool(data.get("results_public")),
        audience=audience,
        created_by=actor,
    )
    survey.towns.set(towns)
    _write_questions(survey, questions, 1)
    audit.record(actor=actor, action="survey_create", obj=survey, summary={"title": survey.title})
    return survey


def _clean_audience(data: dict, errors: dict) -> tuple[str, list[Department]]:
    from govhub.participation.models import Audience

    audience = data.get("audience") or Audience.EVERYONE
    if audience not in Audience.values:
        errors["audience"] = "请选择调查对象"
        return Audience.EVERYONE, []
    towns: list[Department] = []
    if audience == Audience.TOWNS:
        ids = [int(t) for t in (data.get("towns") or []) if str(t).isdigit()]
        towns = list(Department.objects.filter(pk__in=ids, level="town", is_active=True))
        if not towns:
            errors["towns"] = "请至少选择一个乡镇"
    return audience, towns


@transaction.atomic
def update_survey(actor, survey: Survey, data: dict) -> Survey:
    """Edit a survey, also after answers arrived: a question whose wording, options or
    condition changed is retired (old answers keep the version they answered) and a new
    version takes its place; unchanged questions keep their answers and their results."""
    require(actor, "manage_survey", survey.department)
    s = Survey.objects.select_for_update().get(pk=survey.pk)
    errors: dict = {}
    title = (data.get("title") or "").strip()
    if not title:
        errors["title"] = "请填写标题"
    opens = _date(data.get("opens_at"), "opens_at", errors)
    closes = _date(data.get("closes_at"), "closes_at", errors, end=True)
    if opens and closes and closes <= opens:
        errors["closes_at"] = "结束时间应晚于开始时间"
    audience, towns = _clean_audience(data, errors)
    try:
        parsed = parse_questions(data.get("questions", ""))
    except FieldErrors as exc:
        errors.update(exc.errors)
    if errors:
        raise FieldErrors(errors)
    current = list(
        s.questions.filter(active=True).prefetch_related("options").select_related("show_if")
    )
    numbers = {q.pk: q.number for q in current}
    answered = s.responses.exists()
    changed = [_stored_signature(q, numbers) for q in current] != [_signature(q) for q in parsed]
    if changed:
        if not answered:
            s.questions.all().delete()
            _write_questions(s, parsed, s.version)
        else:
            by_sig = {}
            for q in current:
                by_sig.setdefault(_stored_signature(q, numbers), []).append(q)
            keep = {}
            for i, q in enumerate(parsed, 1):
                same = by_sig.get(_signature(q))
                if same and not q["condition"]:  # a condition points at the new numbering
                    keep[i] = same.pop(0)
            s.questions.filter(active=True).update(active=False)
            s.version += 1
            _write_questions(s, parsed, s.version, keep)
            retired = [q.pk for q in current if q not in keep.values()]
            Question.objects.filter(pk__in=retired).update(active=False)
    s.title = title[:120]
    s.description = (data.get("description") or "").strip()[:5000]
    s.opens_at, s.closes_at = opens, closes
    s.results_public = bool(data.get("results_public"))
    s.audience = audience
    s.save()
    s.towns.set(towns)
    audit.record(
        actor=actor,
        action="survey_edit",
        obj=s,
        summary={"version": s.version, "questions_changed": changed},
    )
    return s


@transaction.atomic
def publish_survey(actor, survey: Survey) -> Survey:
    require(actor, "manage_survey", survey.department)
    return _transition(
        actor,
        Survey,
        survey,
        allowed=(SurveyStatus.DRAFT,),
        to=SurveyStatus.PUBLISHED,
        action="survey_publish",
        refused="该调查已经发布",
    )


@transaction.atomic
def set_results_public(actor, survey: Survey, public: bool) -> Survey:
    require(actor, "manage_survey", survey.department)
    Survey.objects.filter(pk=survey.pk).update(results_public=public)
    survey.results_public = public
    audit.record(actor=actor, action="survey_results", obj=survey, summary={"public": public})
    return survey


# --- proving who answers ---------------------------------------------------------------------


def _code_hash(phone_index: str, code: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"{phone_index}:{code}".encode(), hashlib.sha256
    ).hexdigest()


def clean_phone(phone: str) -> str:
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not (len(digits) == 11 and digits.startswith("1")):
        raise FieldErrors({"phone": "请填写 11 位手机号"})
    return digits


def send_code(phone: str, *, now: dt.datetime | None = None) -> None:
    """Text a six-digit code through the SMS gateway at once (the person is waiting); a failing
    gateway gives a clear message and nothing stays behind, so the person can simply retry."""
    from govhub.channels import sms

    phone = clean_phone(phone)
    now = now or timezone.now()
    index = blind_index(phone, "phone")
    last = SmsCode.objects.filter(phone_index=index).order_by("-created_at").first()
    if last and (now - last.created_at).total_seconds() < CODE_RESEND_SECONDS:
        wait = CODE_RESEND_SECONDS - int((now - last.created_at).total_seconds())
        raise VerificationError(f"验证码已发送，请 {wait} 秒后再试")
    code = f"{secrets.randbelow(1_000_000):06d}"
    row = SmsCode.objects.create(
        phone_index=index,
        code_hash=_code_hash(index, code),
        created_at=now,
        expires_at=now + dt.timedelta(minutes=CODE_MINUTES),
    )
    try:
        sms.gateway().send(
            phone,
            f"【{settings.WAGTAIL_SITE_NAME}】您参加民意调查的验证码是 {code}，"
            f"{CODE_MINUTES} 分钟内有效。",
            ref=f"survey-code-{row.pk}",
        )
    except Exception as exc:  # noqa: BLE001 - any gateway failure is the same to the person
        row.delete()
        raise SmsUnavailable(
            "短信发送失败，可能是短信平台暂时故障，请稍后点击“获取验证码”重试"
        ) from exc


def verify_code(phone: str, code: str, *, now: dt.datetime | None = None) -> str:
    """The voter key of a phone whose code is right (used once, five tries, ten minutes)."""
    phone = clean_phone(phone)
    now = now or timezone.now()
    index = blind_index(phone, "phone")
    code = re.sub(r"\D", "", code or "")
    with transaction.atomic():
        row = (
            SmsCode.objects.select_for_update()
            .filter(phone_index=index, used=False, expires_at__gt=now)
            .order_by("-created_at")
            .first()
        )
        if row is None:
            raise FieldErrors({"code": "验证码已过期或未发送，请重新获取"})
        if row.attempts >= CODE_ATTEMPTS:
            raise FieldErrors({"code": "错误次数过多，请重新获取验证码"})
        if not hmac.compare_digest(row.code_hash, _code_hash(index, code)):
            row.attempts += 1
            row.save(update_fields=["attempts"])
            raise FieldErrors({"code": "验证码不正确"})
        row.used = True
        row.save(update_fields=["used"])
    return voter_key_for("phone", phone)


def voter_key_for(kind: str, raw: str) -> str:
    """One key per person and kind: a phone's blind index, or a keyed hash of the openid."""
    if kind == "phone":
        return "p:" + blind_index(raw, "phone")[:60]
    if kind == "staff":
        return "u:" + voter_key(f"staff:{raw}")[:60]
    if kind == "wechat":
        if not raw or len(raw) > 64:
            raise VerificationError("微信身份无效")
        return "w:" + blind_index(raw, "email")[:60]
    raise VerificationError("未知的验证方式")


def staff_voter(user) -> str:
    """The voter key of a logged-in member of county staff (for surveys of staff), else ""."""
    from govhub.core.models import Membership

    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return ""
    if user.is_staff or Membership.objects.filter(user=user).exists():
        return voter_key_for("staff", str(user.pk))
    return ""


# --- answering ----------------------------------------------------------------------------


def _as_map(raw) -> dict[int, str] | None:
    """A ranking or matrix answer given as {option id: rank or column}."""
    if not isinstance(raw, dict):
        return None
    out = {}
    for k, v in raw.items():
        if not str(k).isdigit():
            return None
        if str(v).strip() != "":
            out[int(k)] = str(v).strip()
    return out


def _clean_answers(survey: Survey, answers: dict) -> tuple[list[ResponseItem], dict]:
    """``answers`` maps question id (or "q<id>") to an option id, a list of option ids, a
    scale value, text, or for 排序/矩阵 a list (options in rank order / a column number per
    row) or a map {option id: rank / column}. A conditional question is asked only when its
    option was chosen; otherwise what was sent for it is ignored. Returns unsaved items and
    every error at once (field ``q<id>``)."""
    items: list[ResponseItem] = []
    errors: dict = {}
    chosen_ids: set[int] = set()
    for q in survey.questions.filter(active=True).prefetch_related("options"):
        key = f"q{q.pk}"
        if q.show_if_id and q.show_if_id not in chosen_ids:
            continue
        raw = answers.get(key, answers.get(q.pk, answers.get(str(q.pk))))
        mapping = _as_map(raw)
        if mapping is not None:
            values = list(mapping.values())
        else:
            values = raw if isinstance(raw, list | tuple) else ([] if raw in (None, "") else [raw])
            values = [v for v in values if str(v).strip() != ""]
        if not values:
            if q.required:
                errors[key] = "请回答这道题"
            continue
        options = {o.pk: o for o in q.options.all()}
        if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            try:
                chosen = [options[int(v)] for v in values]
            except (KeyError, ValueError, TypeError):
                errors[key] = "所选选项不存在"
                continue
            if q.kind == QuestionKind.SINGLE and len(chosen) > 1:
                errors[key] = "这道题只能选一项"
                continue
            chosen_ids.update(o.pk for o in chosen)
            items += [ResponseItem(question=q, option=o) for o in dict.fromkeys(chosen)]
        elif q.kind == QuestionKind.RANKING:
            try:
                if mapping is not None:
                    ranks = {options[k]: int(v) for k, v in mapping.items()}
                else:
                    ranks = {options[int(v)]: n for n, v in enumerate(values, 1)}
            except (KeyError, ValueError, TypeError):
                errors[key] = "所选选项不存在"
                continue
            if len(ranks) != len(options) or sorted(ranks.values()) != list(
                range(1, len(options) + 1)
            ):
                errors[key] = (
                    f"请为全部 {len(options)} 项排出第 1 到第 {len(options)} 名，名次不能重复"
                )
                continue
            items += [ResponseItem(question=q, option=o, value=r) for o, r in ranks.items()]
        elif q.kind == QuestionKind.MATRIX:
            rows = list(options.values())
            try:
                if mapping is not None:
                    cells = {options[k]: int(v) for k, v in mapping.items()}
                else:
                    cells = {rows[n]: int(v) for n, v in enumerate(values)}
            except (KeyError, ValueError, TypeError, IndexError):
                errors[key] = "所选选项不存在"
                continue
            if any(not 1 <= c <= len(q.columns) for c in cells.values()):
                errors[key] = "所选选项不存在"
                continue
            if q.required and len(cells) < len(rows):
                errors[key] = "请为每一行选择一项"
                continue
            items += [ResponseItem(question=q, option=o, value=c) for o, c in cells.items()]
        elif q.kind == QuestionKind.SCALE:
            try:
                value = int(values[0])
            except (TypeError, ValueError):
                value = None
            if value is None or not q.scale_min <= value <= q.scale_max:
                errors[key] = f"请选择 {q.scale_min} 到 {q.scale_max} 之间的分值"
                continue
            items.append(ResponseItem(question=q, value=value))
        else:
            text = str(values[0]).strip()
            if len(text) > 1000:
                errors[key] = f"不能超过 1000 字（现在 {len(text)} 字）"
                continue
            items.append(ResponseItem(question=q, text=text))
    return items, errors


def address_key(address: str) -> str:
    """A keyed hash of the client's address: enough to count answers from one address, not
    to find the address again."""
    return voter_key(f"ip:{address}") if address else ""


def submit_response(
    survey: Survey,
    *,
    voter_key: str,
    verified_by: str,
    answers: dict,
    address: str = "",
    town_id: int | None = None,
    now: dt.datetime | None = None,
) -> Response:
    """One verified person's answers, all or nothing; a second answer from the same person is
    refused by the database's unique constraint (also when both arrive at the same moment).
    Many answers from one address within an hour are kept but flagged for review (not counted
    until a reviewer accepts them), never silently dropped."""
    from govhub.participation.models import Audience, ResponseFlag

    now = now or timezone.now()
    if not survey.is_open(now):
        if now >= survey.closes_at:
            raise SurveyClosed(
                f"本次调查已于 {timezone.localtime(survey.closes_at):%Y年%m月%d日 %H:%M} 结束"
            )
        raise SurveyClosed("本次调查尚未开始")
    if not voter_key:
        raise VerificationError("请先验证手机号")
    if survey.audience == Audience.STAFF and verified_by != "staff":
        raise VerificationError("本次调查仅面向本县工作人员，请登录工作人员账号后填写")
    items, errors = _clean_answers(survey, answers)
    town = None
    if survey.audience == Audience.TOWNS:
        town = survey.towns.filter(pk=town_id or 0).first()
        if town is None:
            names = "、".join(t.name for t in survey.towns.all())
            errors["town"] = f"本次调查面向{names}的居民，请选择您居住的乡镇"
    if errors:
        raise FieldErrors(errors)
    addr = address_key(address)
    flag = ResponseFlag.NONE
    recent = 0
    try:
        with transaction.atomic():
            if addr and ANSWERS_PER_ADDRESS:
                # the survey's row locked: answers arriving together from one address are
                # counted one after another, so none slips past the limit unflagged
                list(Survey.objects.select_for_update().filter(pk=survey.pk).values_list("pk"))
                recent = Response.objects.filter(
                    survey=survey, address_key=addr, created_at__gte=now - ADDRESS_WINDOW
                ).count()
                if recent >= ANSWERS_PER_ADDRESS:
                    flag = ResponseFlag.FLAGGED
            response = Response.objects.create(
                survey=survey,
                voter_key=voter_key,
                verified_by=verified_by,
                version=survey.version,
                town=town,
                address_key=addr,
                flag=flag,
                created_at=now,
            )
            for item in items:
                item.response = response
            ResponseItem.objects.bulk_create(items)
            if flag:
                audit.record(
                    actor="citizen",
                    action="survey_response_flagged",
                    obj=survey,
                    summary={"response": response.pk, "recent_from_address": recent},
                )
    except IntegrityError as exc:
        raise AlreadyAnswered("您已经参加过本次调查，每人只能提交一次。感谢您的参与！") from exc
    return response


@transaction.atomic
def review_responses(actor, survey: Survey, ids: list[int], *, accept: bool) -> int:
    """A reviewer's decision on flagged answers: count them, or keep them out of the results
    (they stay stored, with the decision)."""
    from govhub.participation.models import ResponseFlag

    require(actor, "manage_survey", survey.department)
    n = Response.objects.filter(survey=survey, pk__in=ids, flag=ResponseFlag.FLAGGED).update(
        flag=ResponseFlag.ACCEPTED if accept else ResponseFlag.DISCARDED
    )
    audit.record(
        actor=actor,
        action="survey_responses_reviewed",
        obj=survey,
        summary={"responses": n, "accepted": accept},
    )
    return n


def has_answered(survey: Survey, voter_key: str) -> bool:
    return bool(voter_key) and Response.objects.filter(survey=survey, voter_key=voter_key).exists()


# --- online interviews (在线访谈) ------------------------------------------------------------
#
# ``create_interview`` (草稿) → ``schedule_interview`` (预告: questions may be asked) →
# ``start_interview`` (直播中) → citizens ``ask_question`` (checker, then ``moderate_question``)
# → the official ``post_entry`` (an answer to a question, or remarks; text and an optional
# picture) → ``end_interview`` → ``publish_transcript`` (文字实录 on the portal).

INTERVIEW_IMAGE_MAX = 5 * 1024 * 1024
INTERVIEW_IMAGE_TYPES = {".jpg", ".jpeg", ".png", ".gif", ".webp"}


class InterviewClosed(ParticipationError):
    code = "interview_closed"
    status = 409


def _clean_interview(data: dict) -> dict:
    errors: dict = {}
    title = (data.get("title") or "").strip()
    guest = (data.get("guest") or "").strip()
    if not title:
        errors["title"] = "请填写访谈主题"
    elif len(title) > 120:
        errors["title"] = "访谈主题不能超过 120 个字"
    if not guest:
        errors["guest"] = "请填写访谈嘉宾（如：县人社局局长 张三）"
    elif len(guest) > 120:
        errors["guest"] = "访谈嘉宾不能超过 120 个字"
    department = data.get("department")
    if not isinstance(department, Department):
        department = (
            Department.objects.filter(pk=int(str(department))).first()
            if str(department or "").isdigit()
            else None
        )
    if department is None:
        errors["department"] = "请选择嘉宾所在单位"
    starts = data.get("starts_at")
    if isinstance(starts, str):
        try:
            starts = dt.datetime.fromisoformat(starts.strip())
        except ValueError:
            starts = None
    if isinstance(starts, dt.datetime):
        starts = starts if timezone.is_aware(starts) else timezone.make_aware(starts)
    else:
        errors["starts_at"] = "请填写访谈时间，如 2026-12-20 10:00"
    if errors:
        raise FieldErrors(errors)
    return {
        "title": title,
        "guest": guest,
        "department": department,
        "starts_at": starts,
        "description": (data.get("description") or "").strip()[:5000],
    }


@transaction.atomic
def create_interview(actor, data: dict, host: Department | None = None):
    """A new interview (草稿): title, guest, department (嘉宾单位), starts_at, description."""
    from govhub.core.permissions import scope_roots
    from govhub.participation.models import Interview

    roots = scope_roots(actor, "manage_interview")
    host = host or (roots[0] if roots else None)
    if host is None:
        require(actor, "manage_interview")
    require(actor, "manage_interview", host)
    d = _clean_interview(data)
    interview = Interview.objects.create(
        host=host, created_by=actor if getattr(actor, "is_authenticated", False) else None, **d
    )
    audit.record(
        actor=actor, action="interview_create", obj=interview, summary={"title": d["title"]}
    )
    return interview


@transaction.atomic
def update_interview(actor, interview, data: dict):
    """Change the announcement before the session has ended."""
    from govhub.participation.models import Interview, InterviewStatus

    require(actor, "manage_interview", interview)
    i = Interview.objects.select_for_update().get(pk=interview.pk)
    if i.status in (InterviewStatus.ENDED, InterviewStatus.PUBLISHED):
        raise ParticipationError("访谈已结束，不能再修改")
    d = _clean_interview(data)
    for k, v in d.items():
        setattr(i, k, v)
    i.save()
    audit.record(actor=actor, action="interview_edit", obj=i, summary={"title": i.title})
    return i


def _step(actor, interview, *, allowed: tuple, to: str, action: str, stamp: str = ""):
    from govhub.participation.models import Interview

    require(actor, "manage_interview", interview)

    def stamped(i) -> list[str]:
        if not stamp:
            return []
        setattr(i, stamp, timezone.now())
        return [stamp]

    return _transition(
        actor,
        Interview,
        interview,
        allowed=allowed,
        to=to,
        action=action,
        refused=lambda i: f"访谈当前状态为“{i.get_status_display()}”，不能执行此操作",
        change=stamped,
        summary=lambda i: {"status": to},
    )


@transaction.atomic
def schedule_interview(actor, interview):
    """Announce the interview on the portal (预告): questions may be asked from now on."""
    from govhub.participation.models import InterviewStatus as S

    return _step(actor, interview, allowed=(S.DRAFT,), to=S.SCHEDULED, action="interview_schedule")


@transaction.atomic
def start_interview(actor, interview):
    """The session begins: the portal page shows answers as they are posted."""
    from govhub.participation.models import InterviewStatus as S

    return _step(
        actor,
        interview,
        allowed=(S.DRAFT, S.SCHEDULED),
        to=S.LIVE,
        action="interview_start",
        stamp="started_at",
    )


@transaction.atomic
def end_interview(actor, interview):
    """The session ends: no more questions; the transcript is prepared for publication."""
    from govhub.participation.models import InterviewStatus as S

    return _step(
        actor, interview, allowed=(S.LIVE,), to=S.ENDED, action="interview_end", stamp="ended_at"
    )


@transaction.atomic
def publish_transcript(actor, interview, *, note: str = ""):
    """Publish the transcript (文字实录) as the interview's portal page; questions that were
    approved but not answered are not shown in it."""
    from govhub.participation.models import Interview
    from govhub.participation.models import InterviewStatus as S

    require(actor, "manage_interview", interview)
    note = (note or "").strip()[:5000]

    def transcript(i) -> list[str]:
        if not i.entries.exists():
            raise ParticipationError("还没有任何答复，不能发布文字实录")
        if problem := staff_text_problem(note):
            raise FieldErrors({"note": problem})
        i.transcript_note = note
        i.transcript_published_at = timezone.now()
        return ["transcript_note", "transcript_published_at"]

    return _transition(
        actor,
        Interview,
        interview,
        allowed=(S.ENDED,),
        to=S.PUBLISHED,
        action="interview_transcript",
        refused="访谈结束后才能发布文字实录",
        change=transcript,
    )


def ask_question(
    interview, *, text: str, nickname: str = "", phone: str = "", now: dt.datetime | None = None
):
    """A citizen's question, beforehand (预告) or live: checked, held for the moderator."""
    from govhub.participation.models import Interview, InterviewQuestion, InterviewStatus

    interview = Interview.objects.get(pk=interview.pk)  # the status now, not when it was read
    if not interview.accepts_questions:
        if interview.status in (InterviewStatus.ENDED, InterviewStatus.PUBLISHED):
            raise InterviewClosed("本场访谈已经结束，不再接受提问。欢迎通过留言板或领导信箱反映。")
        raise InterviewClosed("本场访谈尚未开始征集问题")
    text, nickname, errors = _clean_text(text, nickname)
    if "text" in errors:
        errors["text"] = errors["text"].replace("意见内容", "问题")
    phone = re.sub(r"\D", "", phone or "")
    if phone and not (len(phone) == 11 and phone.startswith("1")):
        errors["phone"] = "请填写 11 位手机号，或留空"
    if errors:
        raise FieldErrors(errors)
    findings = check_citizen_text(text) + (
        check_citizen_text(nickname, "nickname") if nickname else []
    )
    with transaction.atomic():
        q = InterviewQuestion.objects.create(
            interview=interview,
            text=text,
            nickname=nickname,
            phone=phone,
            live=interview.status == InterviewStatus.LIVE,
            findings=findings,
            created_at=now or timezone.now(),
        )
        audit.record(
            actor="citizen",
            action="interview_ask",
            obj=q,
            summary={"interview": interview.pk, "findings": len(findings)},
        )
    return q


def moderate_question(actor, question, *, approve: bool, reason: str = ""):
    """Pre-moderation of a question: the guest sees only approved ones."""
    from govhub.participation.models import InterviewQuestion

    return _moderate(
        actor,
        InterviewQuestion,
        question,
        approve=approve,
        reason=reason,
        audit_prefix="interview_question",
        done="这个问题已经审核过了",
        ask_reason="请填写不予采用的理由（会告知提问人）",
        what=f"向访谈《{question.interview.title[:30]}》提出的问题",
    )


def _interview_image(actor, uploaded):
    """A picture shown with an answer: checked to be a picture and at most 5MB, stored as a
    Wagtail image with its display size made at once (so viewing writes nothing)."""
    from django.core.files.images import ImageFile
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError
    from wagtail.images import get_image_model

    name = os.path.basename(getattr(uploaded, "name", "") or "")
    ext = os.path.splitext(name)[1].lower()
    if ext not in INTERVIEW_IMAGE_TYPES:
        raise FieldErrors({"image": "图片只能是 jpg、png、gif 或 webp 格式"})
    if uploaded.size > INTERVIEW_IMAGE_MAX:
        raise FieldErrors({"image": f"图片 {uploaded.size / 1048576:.1f}MB，超过 5MB 上限"})
    try:
        with PILImage.open(uploaded) as probe:
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise FieldErrors({"image": "文件不是可以打开的图片"}) from None
    uploaded.seek(0)
    image = get_image_model()(
        title=(os.path.splitext(name)[0] or "访谈图片")[:255],
        file=ImageFile(uploaded, name=name),
        uploaded_by_user=actor,
    )
    image.save()
    image._set_image_file_metadata()
    image.save(update_fields=["file_size", "file_hash"])
    image.get_rendition("max-800x600")
    return image


def post_entry(actor, interview, *, text: str, question=None, speaker: str = "", image=None):
    """The guest's words on the live page: an answer to an approved question or remarks,
    with an optional picture. Only while the interview is live (or ended, to complete the
    transcript before it is published)."""
    from govhub.participation.models import (
        Interview,
        InterviewEntry,
        InterviewQuestion,
        InterviewStatus,
    )

    require(actor, "answer_interview", interview)
    interview = Interview.objects.get(pk=interview.pk)  # the status now, not when it was read
    text = (text or "").strip()
    errors: dict = {}
    if len(text) < 2:
        errors["text"] = "请填写答复内容"
    elif len(text) > 5000:
        errors["text"] = "答复不能超过 5000 字"
    speaker = (speaker or "").strip()[:60] or interview.guest[:60]
    if errors:
        raise FieldErrors(errors)
    check_citizen_text(text)
    if interview.status not in (InterviewStatus.LIVE, InterviewStatus.ENDED):
        raise InterviewClosed("访谈开始后才能发布答复")
    picture = _interview_image(actor, image) if image else None
    with transaction.atomic():
        q = None
        if question is not None:
            q = InterviewQuestion.objects.select_for_update().get(
                pk=question.pk, interview=interview
            )
            if q.status != Moderation.APPROVED:
                raise ParticipationError("只能答复审核通过的问题")
        entry = InterviewEntry.objects.create(
            interview=interview,
            question=q,
            speaker=speaker,
            text=text,
            image=picture,
            posted_by=actor,
        )
        if q is not None and q.answered_at is None:
            q.answered_at = entry.created_at
            q.save(update_fields=["answered_at"])
        audit.record(
            actor=actor,
            action="interview_entry",
            obj=interview,
            summary={"entry": entry.pk, "question": q.pk if q else None},
        )
    return entry

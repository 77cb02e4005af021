"""The participation API: public reads and citizens' submissions (no login), staff actions with
session or Bearer token and the same permission checks as the back office."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from ninja import Router, Schema

from govhub.participation import actions, queries
from govhub.participation.models import Comment

router = Router(tags=["participation"])


class ParagraphOut(Schema):
    id: int
    number: int
    text: str
    comments: int


class ConsultationOut(Schema):
    id: int
    title: str
    department: str
    phase: str
    opens_at: dt.datetime | None
    closes_at: dt.datetime | None
    report_due: dt.date | None
    is_open: bool


class ConsultationDetailOut(ConsultationOut):
    summary: str
    paragraphs: list[ParagraphOut]
    report: dict | None


class CommentOut(Schema):
    id: int
    paragraph: int | None
    quote: str
    author: str
    text: str
    agree_count: int
    adoption: str
    adoption_reason: str
    created_at: dt.datetime


class CommentIn(Schema):
    text: str
    nickname: str = ""
    phone: str = ""
    paragraph_id: int | None = None
    quote: str = ""


class SubmittedOut(Schema):
    id: int
    status: str
    message: str


class ConsultationIn(Schema):
    title: str
    body: str
    department_id: int
    summary: str = ""
    period_days: int | None = None


class ModerateIn(Schema):
    approve: bool
    reason: str = ""


class AdoptionIn(Schema):
    comment_ids: list[int]
    adoption: str
    reason: str


class ReportIn(Schema):
    text: str


def _c(c) -> dict:
    return {
        "id": c.pk,
        "title": c.title,
        "department": c.department.name,
        "phase": c.phase_label(),
        "opens_at": c.opens_at,
        "closes_at": c.closes_at,
        "report_due": c.report_due,
        "is_open": c.is_open(),
    }


def _detail(c) -> dict:
    return {
        **_c(c),
        "summary": c.summary,
        "paragraphs": [
            {"id": p.pk, "number": p.number, "text": p.text, "comments": p.shown}
            for p in queries.paragraphs_with_counts(c)
        ],
        "report": queries.report_counts(c) if c.report_published_at else None,
    }


def _comment(m: Comment, with_adoption: bool) -> dict:
    return {
        "id": m.pk,
        "paragraph": m.paragraph.number if m.paragraph_id else None,
        "quote": m.quote,
        "author": m.author_label,
        "text": m.text,
        "agree_count": m.agree_count,
        "adoption": m.adoption if with_adoption else "",
        "adoption_reason": m.adoption_reason if with_adoption else "",
        "created_at": m.created_at,
    }


@router.get("/consultations", response=list[ConsultationOut], auth=None, summary="征求意见列表")
def list_consultations(request, limit: int = 20, offset: int = 0):
    qs = queries.public_consultations()[max(offset, 0) : max(offset, 0) + min(limit, 100)]
    return [_c(c) for c in qs]


@router.get(
    "/consultations/{consultation_id}",
    response=ConsultationDetailOut,
    auth=None,
    summary="征求意见稿及采纳情况",
)
def get_consultation(request, consultation_id: int):
    return _detail(queries.public_consultation(consultation_id))


@router.get(
    "/consultations/{consultation_id}/comments",
    response=list[CommentOut],
    auth=None,
    summary="公开的意见（分页）",
)
def list_comments(request, consultation_id: int, page: int = 1, paragraph_id: int | None = None):
    c = queries.public_consultation(consultation_id)
    p = queries.comment_page(c, page, paragraph_id)
    return [_comment(m, bool(c.report_published_at)) for m in p]


@router.post(
    "/consultations/{consultation_id}/comments",
    response={201: SubmittedOut},
    auth=None,
    summary="提交意见（审核后公开）",
)
def post_comment(request, consultation_id: int, payload: CommentIn):
    c = queries.public_consultation(consultation_id)
    m = actions.submit_comment(
        c,
        text=payload.text,
        nickname=payload.nickname,
        phone=payload.phone,
        paragraph_id=payload.paragraph_id,
        quote=payload.quote,
        channel="api",
    )
    return 201, {"id": m.pk, "status": m.status, "message": "意见已提交，审核通过后公开"}


# --- staff -----------------------------------------------------------------------------------


@router.post("/staff/consultations", response={201: ConsultationOut}, summary="新建征求意见稿")
def create_consultation(request, payload: ConsultationIn):
    c = actions.create_consultation(
        request.user,
        {
            "title": payload.title,
            "body": payload.body,
            "summary": payload.summary,
            "period_days": payload.period_days,
            "department": payload.department_id,
        },
    )
    return 201, _c(c)


@router.post(
    "/staff/consultations/{consultation_id}/publish",
    response=ConsultationOut,
    summary="发布，开始征求意见",
)
def publish(request, consultation_id: int):
    user = request.user
    c = queries.get_consultation_for(user, consultation_id)
    return _c(actions.publish_consultation(user, c))


@router.post("/staff/comments/{comment_id}/moderate", response=SubmittedOut, summary="审核意见")
def moderate(request, comment_id: int, payload: ModerateIn):
    user = request.user
    m = Comment.objects.filter(pk=comment_id).first()
    if m is None:
        raise PermissionDenied("对象不存在或无权访问")
    m = actions.moderate_comment(user, m, approve=payload.approve, reason=payload.reason)
    return {"id": m.pk, "status": m.status, "message": m.get_status_display()}


@router.post(
    "/staff/consultations/{consultation_id}/adoption",
    response=dict,
    summary="标注采纳情况（可多条一并）",
)
def adoption(request, consultation_id: int, payload: AdoptionIn):
    user = request.user
    c = queries.get_consultation_for(user, consultation_id)
    chosen = list(Comment.objects.filter(consultation=c, pk__in=payload.comment_ids))
    n = actions.mark_adoption(user, chosen, adoption=payload.adoption, reason=payload.reason)
    return {"marked": n}


@router.post(
    "/staff/consultations/{consultation_id}/report",
    response=ConsultationDetailOut,
    summary="发布意见采纳情况反馈",
)
def report(request, consultation_id: int, payload: ReportIn):
    user = request.user
    c = queries.get_consultation_for(user, consultation_id)
    return _detail(actions.publish_report(user, c, text=payload.text))


ROUTERS = [("/participation", router)]

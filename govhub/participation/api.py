"""The participation API: public reads and citizens' submissions (no login), staff actions with
session or Bearer token and the same permission checks as the back office."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from ninja import Router, Schema

from govhub.core import paging, ratelimit
from govhub.core.models import Department
from govhub.core.schemas import StrictIn
from govhub.participation import actions, queries
from govhub.participation.models import BoardColumn, Comment, Post

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


class CommentIn(StrictIn):
    text: str
    nickname: str = ""
    phone: str = ""
    paragraph_id: int | None = None
    quote: str = ""


class SubmittedOut(Schema):
    id: int
    status: str
    message: str


class ConsultationIn(StrictIn):
    title: str
    body: str
    department_id: int
    summary: str = ""
    period_days: int | None = None


class ModerateIn(StrictIn):
    approve: bool
    reason: str = ""


class AdoptionIn(StrictIn):
    comment_ids: list[int]
    adoption: str
    reason: str


class ReportIn(StrictIn):
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
    qs = queries.public_consultations()[paging.window(offset, limit, max_limit=100)]
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
    ratelimit.check(request, "participation-comment")
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


# --- message board ---------------------------------------------------------------------------


class ColumnOut(Schema):
    id: int
    name: str
    description: str
    department: str
    posts: int


class AnswerOut(Schema):
    department: str
    text: str
    created_at: dt.datetime


class PostOut(Schema):
    id: int
    column: str
    title: str
    author: str
    department: str
    answered: bool
    created_at: dt.datetime


class PostDetailOut(PostOut):
    text: str
    answers: list[AnswerOut]


class PostIn(StrictIn):
    column_id: int
    title: str
    text: str
    nickname: str = ""
    phone: str = ""


class ReportAbuseIn(StrictIn):
    reason: str
    reporter: str


class PostModerateIn(ModerateIn):
    department_id: int | None = None


class AnswerIn(StrictIn):
    text: str


class UnansweredOut(Schema):
    department: str
    unanswered: int
    oldest_days: int
    veto: bool


def _post(p: Post) -> dict:
    return {
        "id": p.pk,
        "column": p.column.name,
        "title": p.title,
        "author": p.author_label,
        "department": p.department.name,
        "answered": p.answered_at is not None,
        "created_at": p.created_at,
    }


def _post_detail(p: Post) -> dict:
    return {
        **_post(p),
        "text": p.text,
        "answers": [
            {"department": a.department.name, "text": a.text, "created_at": a.created_at}
            for a in p.answers.select_related("department")
        ],
    }


@router.get("/board/columns", response=list[ColumnOut], auth=None, summary="留言板栏目")
def board_columns(request):
    return [
        {
            "id": c.pk,
            "name": c.name,
            "description": c.description,
            "department": c.department.name,
            "posts": c.shown,
        }
        for c in queries.board_columns()
    ]


@router.get("/board/posts", response=list[PostOut], auth=None, summary="公开的留言（分页）")
def board_posts(request, column_id: int | None = None, page: int = 1):
    from django.core.paginator import Paginator

    p = Paginator(queries.public_posts(column_id), queries.POSTS_PER_PAGE).get_page(page)
    return [_post(x) for x in p]


@router.get("/board/posts/{post_id}", response=PostDetailOut, auth=None, summary="留言及官方答复")
def board_post(request, post_id: int):
    return _post_detail(queries.public_post(post_id))


@router.post("/board/posts", response={201: SubmittedOut}, auth=None, summary="留言（审核后公开）")
def submit_post(request, payload: PostIn):
    ratelimit.check(request, "participation-post")
    column = BoardColumn.objects.filter(pk=payload.column_id, is_active=True).first()
    p = actions.submit_post(
        column,
        title=payload.title,
        text=payload.text,
        nickname=payload.nickname,
        phone=payload.phone,
    )
    return 201, {"id": p.pk, "status": p.status, "message": "留言已提交，审核通过后公开"}


@router.post(
    "/board/posts/{post_id}/report", response=dict, auth=None, summary="举报留言（每人一次）"
)
def report_post(request, post_id: int, payload: ReportAbuseIn):
    p = queries.public_post(post_id)
    counted = actions.report_abuse(p, "api:" + payload.reporter, payload.reason)
    return {"counted": counted}


@router.post("/staff/posts/{post_id}/moderate", response=SubmittedOut, summary="审核留言")
def moderate_post(request, post_id: int, payload: PostModerateIn):
    user = request.user
    p = queries.get_post_for(user, post_id)
    dept = (
        Department.objects.filter(pk=payload.department_id).first()
        if payload.department_id
        else None
    )
    p = actions.moderate_post(
        user, p, approve=payload.approve, reason=payload.reason, department=dept
    )
    return {"id": p.pk, "status": p.status, "message": p.get_status_display()}


@router.post("/staff/posts/{post_id}/answer", response=PostDetailOut, summary="官方答复")
def answer(request, post_id: int, payload: AnswerIn):
    user = request.user
    p = queries.get_post_for(user, post_id)
    actions.answer_post(user, p, text=payload.text)
    return _post_detail(Post.objects.get(pk=p.pk))


@router.post("/staff/posts/{post_id}/letter", response=dict, summary="转为领导信箱来信")
def to_letter(request, post_id: int):
    user = request.user
    p = queries.get_post_for(user, post_id)
    return {"letter_id": actions.post_to_letter(user, p)}


@router.get("/staff/board/unanswered", response=list[UnansweredOut], summary="各部门未答复留言")
def unanswered(request):
    from govhub.core.permissions import can

    user = request.user
    if not (can(user, "view_participation") or can(user, "moderate_participation")):
        raise PermissionDenied("无权查看")
    return queries.unanswered_by_department()


# --- surveys ---------------------------------------------------------------------------------


class OptionOut(Schema):
    id: int
    label: str


class QuestionOut(Schema):
    id: int
    number: int
    kind: str
    text: str
    required: bool
    scale_min: int
    scale_max: int
    options: list[OptionOut]
    columns: list[str]
    show_if_option: int | None


class SurveyOut(Schema):
    id: int
    title: str
    department: str
    phase: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    is_open: bool
    results_public: bool
    audience: str
    version: int


class TownOut(Schema):
    id: int
    name: str


class SurveyDetailOut(SurveyOut):
    description: str
    questions: list[QuestionOut]
    towns: list[TownOut]


class CodeIn(StrictIn):
    phone: str


class ResponseIn(StrictIn):
    phone: str
    code: str
    answers: dict[str, int | str | list[int] | dict[str, int]]
    town_id: int | None = None


class ReviewIn(StrictIn):
    response_ids: list[int]
    accept: bool


class SurveyIn(StrictIn):
    title: str
    department_id: int
    opens_at: dt.date
    closes_at: dt.date
    questions: str
    description: str = ""
    results_public: bool = True
    audience: str = "everyone"
    town_ids: list[int] = []


def _s(x) -> dict:
    return {
        "id": x.pk,
        "title": x.title,
        "department": x.department.name,
        "phase": x.phase_label(),
        "opens_at": x.opens_at,
        "closes_at": x.closes_at,
        "is_open": x.is_open(),
        "results_public": x.results_public,
        "audience": x.audience,
        "version": x.version,
    }


@router.get("/surveys", response=list[SurveyOut], auth=None, summary="民意调查列表")
def list_surveys(request):
    return [_s(x) for x in queries.public_surveys()[:100]]


@router.get("/surveys/{survey_id}", response=SurveyDetailOut, auth=None, summary="问卷")
def get_survey(request, survey_id: int):
    x = queries.public_survey(survey_id)
    return {
        **_s(x),
        "description": x.description,
        "questions": [
            {
                "id": q.pk,
                "number": q.number,
                "kind": q.kind,
                "text": q.text,
                "required": q.required,
                "scale_min": q.scale_min,
                "scale_max": q.scale_max,
                "options": [{"id": o.pk, "label": o.label} for o in q.options.all()],
                "columns": q.columns or [],
                "show_if_option": q.show_if_id,
            }
            for q in x.questions.filter(active=True).prefetch_related("options")
        ],
        "towns": [{"id": t.pk, "name": t.name} for t in x.towns.all()],
    }


@router.get("/surveys/{survey_id}/results", response=dict, auth=None, summary="调查结果")
def survey_results(request, survey_id: int):
    x = queries.public_survey(survey_id)
    if not x.results_public:
        raise PermissionDenied("发起单位未公开本次调查的结果")
    r = queries.survey_results(x)
    return {
        "total": r["total"],
        "questions": [
            {
                "number": row["q"].number,
                "text": row["q"].text,
                "kind": row["kind"],
                "bars": row.get("bars", []),
                "mean": row.get("mean"),
                "texts": row.get("texts"),
                "columns": row.get("columns"),
                "matrix": row.get("matrix"),
            }
            for row in r["questions"]
        ],
        "awaiting_review": r["flagged"],
    }


@router.post("/surveys/{survey_id}/code", response=dict, auth=None, summary="发送短信验证码")
def survey_code(request, survey_id: int, payload: CodeIn):
    queries.public_survey(survey_id)
    ratelimit.check(request, "participation-sms")
    actions.send_code(payload.phone)
    return {"sent": True}


@router.post(
    "/surveys/{survey_id}/responses",
    response={201: dict},
    auth=None,
    summary="提交答卷（手机号 + 验证码，每人一次）",
)
def survey_respond(request, survey_id: int, payload: ResponseIn):
    x = queries.public_survey(survey_id)
    from govhub.core.middleware import client_ip

    key = actions.verify_code(payload.phone, payload.code)
    r = actions.submit_response(
        x,
        voter_key=key,
        verified_by="phone",
        answers=payload.answers,
        address=client_ip(request),
        town_id=payload.town_id,
    )
    return 201, {"id": r.pk, "flagged": bool(r.flag)}


@router.post("/staff/surveys", response={201: SurveyOut}, summary="新建调查（草稿）")
def create_survey(request, payload: SurveyIn):
    x = actions.create_survey(
        request.user,
        {
            "title": payload.title,
            "department": payload.department_id,
            "opens_at": payload.opens_at,
            "closes_at": payload.closes_at,
            "questions": payload.questions,
            "description": payload.description,
            "results_public": payload.results_public,
            "audience": payload.audience,
            "towns": payload.town_ids,
        },
    )
    return 201, _s(x)


@router.post(
    "/staff/surveys/{survey_id}/review",
    response=dict,
    summary="核查被标记的答卷：计入或不计入结果",
)
def review_responses(request, survey_id: int, payload: ReviewIn):
    x = queries.get_survey_for(request.user, survey_id)
    n = actions.review_responses(request.user, x, payload.response_ids, accept=payload.accept)
    return {"reviewed": n}


@router.post("/staff/surveys/{survey_id}/publish", response=SurveyOut, summary="发布调查")
def publish_survey(request, survey_id: int):
    x = queries.get_survey_for(request.user, survey_id)
    return _s(actions.publish_survey(request.user, x))


# --- online interviews -----------------------------------------------------------------------


class InterviewOut(Schema):
    id: int
    title: str
    guest: str
    department: str
    starts_at: dt.datetime
    status: str
    status_label: str
    accepts_questions: bool


class EntryQuestionOut(Schema):
    author: str
    text: str


class EntryOut(Schema):
    id: int
    speaker: str
    text: str
    question: EntryQuestionOut | None
    image: str | None
    at: str


class InterviewDetailOut(InterviewOut):
    description: str
    transcript_note: str
    entries: list[EntryOut]


class LiveOut(Schema):
    status: str
    status_label: str
    entries: list[EntryOut]
    last: int
    poll_seconds: int


class QuestionIn(StrictIn):
    text: str
    nickname: str = ""
    phone: str = ""


class InterviewIn(StrictIn):
    title: str
    guest: str
    department_id: int
    starts_at: dt.datetime
    description: str = ""


class EntryIn(StrictIn):
    text: str
    question_id: int | None = None
    speaker: str = ""


class TranscriptIn(StrictIn):
    note: str = ""


def _i(x) -> dict:
    return {
        "id": x.pk,
        "title": x.title,
        "guest": x.guest,
        "department": x.department.name,
        "starts_at": x.starts_at,
        "status": x.status,
        "status_label": x.get_status_display(),
        "accepts_questions": x.accepts_questions,
    }


@router.get("/interviews", response=list[InterviewOut], auth=None, summary="在线访谈列表")
def list_interviews(request, limit: int = 20, offset: int = 0):
    return [_i(x) for x in queries.public_interviews()[paging.window(offset, limit, max_limit=100)]]


@router.get(
    "/interviews/{interview_id}",
    response=InterviewDetailOut,
    auth=None,
    summary="访谈及文字实录",
)
def get_interview(request, interview_id: int):
    x = queries.public_interview(interview_id)
    return {
        **_i(x),
        "description": x.description,
        "transcript_note": x.transcript_note,
        "entries": [queries.entry_dict(e) for e in queries.interview_entries(x)],
    }


@router.get(
    "/interviews/{interview_id}/live",
    response=LiveOut,
    auth=None,
    summary="访谈直播：某条之后的新答复",
)
def interview_live(request, interview_id: int, after: int = 0):
    return queries.live_feed(queries.public_interview(interview_id), after)


@router.post(
    "/interviews/{interview_id}/questions",
    response={201: SubmittedOut},
    auth=None,
    summary="向访谈嘉宾提问（审核后转嘉宾）",
)
def ask(request, interview_id: int, payload: QuestionIn):
    ratelimit.check(request, "participation-comment")
    x = queries.public_interview(interview_id)
    q = actions.ask_question(x, text=payload.text, nickname=payload.nickname, phone=payload.phone)
    return 201, {"id": q.pk, "status": q.status, "message": "问题已提交，审核通过后转给嘉宾"}


@router.post("/staff/interviews", response={201: InterviewOut}, summary="新建访谈（草稿）")
def create_interview(request, payload: InterviewIn):
    x = actions.create_interview(
        request.user,
        {
            "title": payload.title,
            "guest": payload.guest,
            "department": payload.department_id,
            "starts_at": payload.starts_at,
            "description": payload.description,
        },
    )
    return 201, _i(x)


@router.post(
    "/staff/interviews/{interview_id}/transcript",
    response=InterviewOut,
    summary="发布文字实录",
)
def interview_transcript(request, interview_id: int, payload: TranscriptIn):
    x = queries.get_interview_for(request.user, interview_id)
    return _i(actions.publish_transcript(request.user, x, note=payload.note))


@router.post(
    "/staff/interview-questions/{question_id}/moderate",
    response=SubmittedOut,
    summary="审核访谈提问",
)
def moderate_question(request, question_id: int, payload: ModerateIn):
    from govhub.participation.models import InterviewQuestion

    q = InterviewQuestion.objects.filter(pk=question_id).first()
    if q is None:
        raise PermissionDenied("对象不存在或无权访问")
    q = actions.moderate_question(request.user, q, approve=payload.approve, reason=payload.reason)
    return {"id": q.pk, "status": q.status, "message": q.get_status_display()}


@router.post(
    "/staff/interviews/{interview_id}/entries",
    response={201: EntryOut},
    summary="发布嘉宾答复（文字；图片请在后台上传）",
)
def post_entry(request, interview_id: int, payload: EntryIn):
    from govhub.participation.models import InterviewQuestion

    x = queries.get_interview_for(request.user, interview_id)
    q = None
    if payload.question_id:
        q = InterviewQuestion.objects.filter(interview=x, pk=payload.question_id).first()
        if q is None:
            raise PermissionDenied("问题不存在")
    e = actions.post_entry(request.user, x, text=payload.text, question=q, speaker=payload.speaker)
    return 201, queries.entry_dict(e)


@router.post(
    "/staff/interviews/{interview_id}/{step}",
    response=InterviewOut,
    summary="访谈：发布预告 schedule / 开始 start / 结束 end",
)
def interview_step(request, interview_id: int, step: str):
    x = queries.get_interview_for(request.user, interview_id)
    steps = {
        "schedule": actions.schedule_interview,
        "start": actions.start_interview,
        "end": actions.end_interview,
    }
    if step not in steps:
        from django.http import Http404

        raise Http404("未知操作")
    return _i(steps[step](request.user, x))


ROUTERS = [("/participation", router)]

"""Back-office pages (Wagtail admin) of participation: the editor's consultations, the
moderators' queue, the drafting department's adoption marking and report. Thin views over
``actions``; a refusal is shown where the person works, with what they typed kept."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from govhub.core.errors import DomainError, FieldErrors
from govhub.core.models import Department
from govhub.core.permissions import can, require
from govhub.participation import actions, queries
from govhub.participation.models import Adoption, Comment, ConsultationStatus, Moderation, Post


def _departments():
    return Department.objects.filter(is_active=True, level__in=["county", "town"]).order_by("path")


def home(request):
    """Everything of participation this person may work on."""
    user = request.user
    allowed = [
        a
        for a in (
            "manage_consultation",
            "moderate_participation",
            "mark_adoption",
            "answer_post",
            "manage_survey",
            "view_participation",
            "manage_interview",
            "answer_interview",
        )
        if can(user, a)
    ]
    if not allowed:
        raise PermissionDenied("无权访问互动交流")
    page = Paginator(queries.consultations_for(user), 30).get_page(request.GET.get("p"))
    return render(
        request,
        "participation/admin/home.html",
        {
            "page": page,
            "may_create": can(user, "manage_consultation"),
            "may_interview": any(
                can(user, a)
                for a in ("manage_interview", "answer_interview", "moderate_participation")
            ),
            "may_moderate": can(user, "moderate_participation"),
            "pending": queries.pending_comments().count()
            + queries.pending_posts().count()
            + queries.pending_interview_questions().count()
            if can(user, "moderate_participation")
            else 0,
            "may_survey": can(user, "manage_survey") or can(user, "view_participation"),
            "may_stats": can(user, "view_participation") or can(user, "moderate_participation"),
            "may_board": any(
                can(user, a)
                for a in ("answer_post", "moderate_participation", "view_participation")
            ),
            "unanswered": queries.posts_for(user)
            .filter(status=Moderation.APPROVED, answered_at__isnull=True)
            .count(),
        },
    )


def consultation_form(request, consultation_id: int | None = None):
    user = request.user
    require(user, "manage_consultation")
    c = queries.get_consultation_for(user, consultation_id) if consultation_id else None
    if c is not None and c.status != ConsultationStatus.DRAFT:
        return redirect("participation_admin:consultation", c.pk)
    data = {
        "title": c.title if c else "",
        "summary": c.summary if c else "",
        "body": "\n".join(p.text for p in c.paragraphs.all()) if c else "",
        "period_days": c.period_days if c else actions.default_period_days(),
        "department": c.department_id if c else None,
    }
    errors: dict = {}
    if request.method == "POST":
        data = {k: request.POST.get(k, "") for k in data}
        try:
            if c is None:
                c = actions.create_consultation(user, data)
            else:
                actions.update_consultation(user, c, data)
        except FieldErrors as exc:
            errors = exc.errors
        except DomainError as exc:
            errors = {"all": exc.message}
        else:
            messages.success(request, "征求意见稿已保存（草稿），核对后点击“发布”开始征求意见。")
            return redirect("participation_admin:consultation", c.pk)
        if data.get("department"):
            data["department"] = int(data["department"]) if data["department"].isdigit() else None
    return render(
        request,
        "participation/admin/consultation_form.html",
        {"c": c, "data": data, "errors": errors, "departments": _departments()},
        status=400 if errors else 200,
    )


def consultation(request, consultation_id: int):
    """One consultation: its state, publish button, comments with adoption marking, report."""
    return _consultation_page(request, queries.get_consultation_for(request.user, consultation_id))


def _consultation_page(request, c, *, report_text: str | None = None, errors=None):
    """The consultation's page; a refused report comes back with what was typed and the
    reason beside the field."""
    user = request.user
    comments = (
        Comment.objects.filter(consultation=c)
        .exclude(status=Moderation.REJECTED)
        .select_related("paragraph")
        .order_by("paragraph__number", "created_at")
    )
    page = Paginator(comments, 50).get_page(request.GET.get("p"))
    return render(
        request,
        "participation/admin/consultation.html",
        {
            "c": c,
            "page": page,
            "paragraphs": c.paragraphs.all(),
            "may_manage": can(user, "manage_consultation", c),
            "may_mark": actions.may_mark_adoption(user, c),
            "closed": c.closes_at is not None and timezone.now() >= c.closes_at,
            "adoptions": Adoption.choices,
            "report": queries.report_counts(c),
            "unmarked": comments.filter(status=Moderation.APPROVED, adoption="").count(),
            "pending": comments.filter(status=Moderation.PENDING).count(),
            "report_text": c.report_text if report_text is None else report_text,
            "errors": errors or {},
        },
        status=400 if errors else 200,
    )


@require_POST
def consultation_act(request, consultation_id: int, action: str):
    user = request.user
    c = queries.get_consultation_for(user, consultation_id)
    try:
        if action == "publish":
            opens = request.POST.get("opens_at")
            opens_at = None
            if opens:
                try:
                    opens_at = timezone.make_aware(dt.datetime.fromisoformat(opens))
                except ValueError as exc:
                    raise FieldErrors({"opens_at": "开始时间格式不正确"}) from exc
            actions.publish_consultation(user, c, opens_at=opens_at)
            messages.success(request, "已发布，征求意见期开始。")
        elif action == "adoption":
            ids = [int(i) for i in request.POST.getlist("comment") if i.isdigit()]
            chosen = list(Comment.objects.filter(consultation=c, pk__in=ids))
            n = actions.mark_adoption(
                user,
                chosen,
                adoption=request.POST.get("adoption", ""),
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, f"已标注 {n} 条意见的采纳情况。")
        elif action == "report":
            text = request.POST.get("text", "")
            try:
                actions.publish_report(user, c, text=text)
            except FieldErrors as exc:
                return _consultation_page(request, c, report_text=text, errors=exc.errors)
            messages.success(request, "意见采纳情况反馈报告已在门户网站发布。")
        else:
            raise PermissionDenied("未知操作")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("participation_admin:consultation", c.pk)


def moderation(request):
    """Pre-moderation queue of everything citizens wrote, oldest first."""
    require(request.user, "moderate_participation")
    page = Paginator(queries.pending_comments(), 30).get_page(request.GET.get("p"))
    return render(
        request,
        "participation/admin/moderation.html",
        {
            "page": page,
            "posts": queries.pending_posts()[:50],
            "questions": queries.pending_interview_questions()[:50],
            "reported": queries.reported_posts()[:50],
            "departments": _departments(),
        },
    )


@require_POST
def moderate(request, kind: str, object_id: int):
    user = request.user
    require(user, "moderate_participation")
    approve = request.POST.get("decision") == "approve"
    reason = request.POST.get("reason", "")
    try:
        if kind == "comment":
            obj = Comment.objects.filter(pk=object_id).first()
            if obj is None:
                raise PermissionDenied("对象不存在")
            actions.moderate_comment(user, obj, approve=approve, reason=reason)
        elif kind == "post":
            obj = Post.objects.filter(pk=object_id).first()
            if obj is None:
                raise PermissionDenied("对象不存在")
            dept = Department.objects.filter(pk=request.POST.get("department") or 0).first()
            actions.moderate_post(user, obj, approve=approve, reason=reason, department=dept)
        elif kind == "question":
            from govhub.participation.models import InterviewQuestion

            obj = InterviewQuestion.objects.filter(pk=object_id).first()
            if obj is None:
                raise PermissionDenied("对象不存在")
            actions.moderate_question(user, obj, approve=approve, reason=reason)
        elif kind == "reported":
            obj = Post.objects.filter(pk=object_id).first()
            if obj is None:
                raise PermissionDenied("对象不存在")
            remove = request.POST.get("decision") == "remove"
            actions.resolve_reports(user, obj, remove=remove, reason=reason)
            messages.success(request, "已撤下该留言。" if remove else "已保留该留言。")
            return redirect("participation_admin:moderation")
        else:
            raise PermissionDenied("未知操作")
        messages.success(
            request, "已通过，内容已公开。" if approve else "已退回，理由会告知提交人。"
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("participation_admin:moderation")


# --- message board ---------------------------------------------------------------------------


def board(request):
    """Posts the person answers (their department's) or moderates, and the unanswered count
    per department."""
    user = request.user
    if not (can(user, "answer_post") or can(user, "moderate_participation")) and not can(
        user, "view_participation"
    ):
        raise PermissionDenied("无权访问留言板")
    tab = request.GET.get("tab") or "unanswered"
    qs = queries.posts_for(user)
    if tab == "unanswered":
        qs = qs.filter(status=Moderation.APPROVED, answered_at__isnull=True).order_by("created_at")
    page = Paginator(qs, 30).get_page(request.GET.get("p"))
    return render(
        request,
        "participation/admin/board.html",
        {
            "page": page,
            "tab": tab,
            "by_department": queries.unanswered_by_department(),
            "veto_days": queries.VETO_DAYS,
        },
    )


def post(request, post_id: int):
    user = request.user
    p = queries.get_post_for(user, post_id)
    from govhub.core.pii import mask_phone, redact_text

    return render(
        request,
        "participation/admin/post.html",
        {
            "post": p,
            "answers": p.answers.select_related("department", "answered_by"),
            "may_answer": can(user, "answer_post", p),
            "may_moderate": can(user, "moderate_participation"),
            "departments": _departments(),
            "phone": mask_phone(p.phone) if p.phone else "",
            # the moderator's reason may quote a phone or ID number: masked like the phone
            "reject_reason": redact_text(p.reject_reason),
            "text": request.session.pop(f"answer-draft-{p.pk}", ""),
        },
    )


@require_POST
def post_act(request, post_id: int, action: str):
    user = request.user
    p = queries.get_post_for(user, post_id)
    try:
        if action == "answer":
            actions.answer_post(user, p, text=request.POST.get("text", ""))
            messages.success(request, "答复已发布，留言人可在留言板查看。")
        elif action == "letter":
            letter_id = actions.post_to_letter(user, p)
            from govhub.letters.models import Letter

            code = Letter.objects.filter(pk=letter_id).values_list("tracking_code", flat=True)
            messages.success(request, f"已转为领导信箱来信（查询码 {code.first()}），进入分办。")
        elif action == "moderate":
            dept = Department.objects.filter(pk=request.POST.get("department") or 0).first()
            approve = request.POST.get("decision") == "approve"
            actions.moderate_post(
                user, p, approve=approve, reason=request.POST.get("reason", ""), department=dept
            )
            messages.success(
                request, "已通过，留言已公开。" if approve else "已退回，理由会告知留言人。"
            )
        elif action == "reports":
            remove = request.POST.get("decision") == "remove"
            actions.resolve_reports(user, p, remove=remove, reason=request.POST.get("reason", ""))
            messages.success(request, "已撤下该留言。" if remove else "已保留该留言，举报已处理。")
        else:
            raise PermissionDenied("未知操作")
    except DomainError as exc:
        messages.error(request, exc.message)
        if action == "answer":
            request.session[f"answer-draft-{p.pk}"] = request.POST.get("text", "")[:5000]
    return redirect("participation_admin:post", p.pk)


# --- surveys ---------------------------------------------------------------------------------

SURVEY_EXAMPLE = (
    "[单选] 您平时主要通过什么渠道了解县政府的信息？\n- 政府网站\n- 政务微信\n- 电视广播\n"
    "[多选] 您希望政务微信增加哪些服务？\n- 社保查询\n- 公积金查询\n- 预约办事\n"
    "[排序] 请按重要程度排列下列服务\n- 社保\n- 医保\n- 公积金\n"
    "[量表] 您对县政务服务中心的总体满意度（1-5）\n"
    "[矩阵] 您对下列窗口的评价\n- 社保窗口\n- 不动产窗口\n列：满意/一般/不满意\n"
    "[单选] 您去过县政务服务中心吗？\n- 去过\n- 没去过\n"
    "[文本] 您在办事中遇到了什么问题？（选填）\n如果第5题选“去过”\n"
    "[文本] 您还有什么意见和建议？（选填）"
)


def surveys(request):
    user = request.user
    if not (can(user, "manage_survey") or can(user, "view_participation")):
        raise PermissionDenied("无权访问民意调查")
    page = Paginator(queries.surveys_for(user), 30).get_page(request.GET.get("p"))
    return render(
        request,
        "participation/admin/surveys.html",
        {"page": page, "may_create": can(user, "manage_survey")},
    )


def _towns():
    return Department.objects.filter(is_active=True, level="town").order_by("path")


def survey_form(request, survey_id: int | None = None):
    """New survey, or an edit of one (also after answers: questions are versioned)."""
    from govhub.participation.models import Audience

    user = request.user
    require(user, "manage_survey")
    s = queries.get_survey_for(user, survey_id) if survey_id else None
    today = timezone.localdate()
    if s is None:
        data = {
            "title": "",
            "description": "",
            "department": None,
            "opens_at": today.isoformat(),
            "closes_at": (today + dt.timedelta(days=30)).isoformat(),
            "results_public": "1",
            "questions": "",
            "audience": Audience.EVERYONE,
            "towns": [],
        }
    else:
        data = {
            "title": s.title,
            "description": s.description,
            "department": s.department_id,
            "opens_at": timezone.localtime(s.opens_at).date().isoformat(),
            "closes_at": timezone.localtime(s.closes_at).date().isoformat(),
            "results_public": "1" if s.results_public else "",
            "questions": actions.questions_source(s),
            "audience": s.audience,
            "towns": list(s.towns.values_list("pk", flat=True)),
        }
    errors: dict = {}
    if request.method == "POST":
        data = {k: request.POST.get(k, "") for k in data if k != "towns"}
        data["towns"] = [int(t) for t in request.POST.getlist("towns") if t.isdigit()]
        try:
            if s is None:
                s = actions.create_survey(user, data)
                messages.success(request, "调查已保存（草稿），核对后点击“发布”。")
            else:
                data["department"] = s.department_id
                actions.update_survey(user, s, data)
                messages.success(request, "调查已修改。")
        except FieldErrors as exc:
            errors = exc.errors
        except DomainError as exc:
            errors = {"all": exc.message}
        else:
            return redirect("participation_admin:survey", s.pk)
        dept = str(data.get("department") or "")
        data["department"] = int(dept) if dept.isdigit() else None
    return render(
        request,
        "participation/admin/survey_form.html",
        {
            "s": s,
            "heading": "修改调查" if s else "新建调查",
            "data": data,
            "errors": errors,
            "departments": _departments(),
            "towns": _towns(),
            "audiences": Audience.choices,
            "answered": s.responses.count() if s else 0,
            "example": SURVEY_EXAMPLE,
        },
        status=400 if errors else 200,
    )


def survey(request, survey_id: int):
    user = request.user
    s = queries.get_survey_for(user, survey_id)
    from govhub.participation.models import ResponseItem

    texts = (
        ResponseItem.objects.filter(question__survey=s, question__kind="text")
        .exclude(text="")
        .select_related("question")
        .order_by("-id")[:50]
    )
    return render(
        request,
        "participation/admin/survey.html",
        {
            "s": s,
            "results": queries.survey_results(s),
            "texts": texts,
            "may_manage": can(user, "manage_survey", s.department),
            "flagged": list(queries.flagged_responses(s)[:200])
            if can(user, "manage_survey", s.department)
            else [],
            "per_address": actions.ANSWERS_PER_ADDRESS,
        },
    )


@require_POST
def survey_act(request, survey_id: int, action: str):
    user = request.user
    s = queries.get_survey_for(user, survey_id)
    try:
        if action == "publish":
            actions.publish_survey(user, s)
            messages.success(request, "调查已发布。")
        elif action == "results":
            public = request.POST.get("public") == "1"
            actions.set_results_public(user, s, public)
            messages.success(request, "调查结果已公开。" if public else "调查结果已设为不公开。")
        elif action == "review":
            ids = [int(i) for i in request.POST.getlist("response") if i.isdigit()]
            accept = request.POST.get("decision") == "accept"
            n = actions.review_responses(user, s, ids, accept=accept)
            messages.success(request, f"已将 {n} 份答卷{'计入结果' if accept else '标为不计入'}。")
        else:
            raise PermissionDenied("未知操作")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("participation_admin:survey", s.pk)


def survey_export(request, survey_id: int):
    """All answers as CSV (UTF-8 with BOM so Excel opens it in Chinese); no phone, no key."""
    import csv

    from django.http import StreamingHttpResponse

    user = request.user
    s = queries.get_survey_for(user, survey_id)
    require(user, "manage_survey", s.department)
    rows = queries.survey_rows(s)

    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo())
    response = StreamingHttpResponse(
        ("\ufeff" if i == 0 else "") + writer.writerow(row) for i, row in enumerate(rows)
    )
    response["Content-Type"] = "text/csv; charset=utf-8"
    response["Content-Disposition"] = f'attachment; filename="survey-{s.pk}.csv"'
    return response


def survey_xlsx(request, survey_id: int):
    """All answers as an Excel workbook (openpyxl, write-only: rows stream from the database
    in batches); the same columns as the CSV, no phone, no key."""
    import io

    from django.http import HttpResponse
    from openpyxl import Workbook

    user = request.user
    s = queries.get_survey_for(user, survey_id)
    require(user, "manage_survey", s.department)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("答卷")
    for row in queries.survey_rows(s):
        sheet.append(row)
    summary = book.create_sheet("统计")
    results = queries.survey_results(s)
    summary.append(["参加人数", results["total"], "待核查", results["flagged"]])
    for r in results["questions"]:
        summary.append([f"{r['q'].number}. {r['q'].text}", r["q"].get_kind_display()])
        for b in r.get("bars", []):
            summary.append(["", b["label"], b["n"], f"{b['pct']}%"])
        for m in r.get("matrix", []):
            summary.append(["", m["label"]] + [c["n"] for c in m["cells"]])
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="survey-{s.pk}.xlsx"'
    return response


def statistics(request):
    """Supervision's figures of participation for the last 30 days."""
    from govhub.participation import stats

    user = request.user
    if not (can(user, "view_participation") or can(user, "moderate_participation")):
        raise PermissionDenied("无权查看互动交流统计")
    return render(
        request,
        "participation/admin/stats.html",
        {"f": stats.figures(), "veto_days": queries.VETO_DAYS},
    )


# --- online interviews -----------------------------------------------------------------------


def interviews(request):
    user = request.user
    if not any(
        can(user, a)
        for a in (
            "manage_interview",
            "answer_interview",
            "moderate_participation",
            "view_participation",
        )
    ):
        raise PermissionDenied("无权访问在线访谈")
    page = Paginator(queries.interviews_for(user), 30).get_page(request.GET.get("p"))
    return render(
        request,
        "participation/admin/interviews.html",
        {"page": page, "may_create": can(user, "manage_interview")},
    )


def interview_form(request, interview_id: int | None = None):
    user = request.user
    require(user, "manage_interview")
    i = queries.get_interview_for(user, interview_id) if interview_id else None
    data = {
        "title": i.title if i else "",
        "guest": i.guest if i else "",
        "department": i.department_id if i else None,
        "starts_at": timezone.localtime(i.starts_at).strftime("%Y-%m-%dT%H:%M") if i else "",
        "description": i.description if i else "",
    }
    errors: dict = {}
    if request.method == "POST":
        data = {k: request.POST.get(k, "") for k in data}
        try:
            if i is None:
                i = actions.create_interview(user, data)
            else:
                actions.update_interview(user, i, data)
        except FieldErrors as exc:
            errors = exc.errors
        except DomainError as exc:
            errors = {"all": exc.message}
        else:
            messages.success(request, "访谈已保存。核对后点击“发布预告”，网友即可提前提问。")
            return redirect("participation_admin:interview", i.pk)
        dept = data.get("department") or ""
        data["department"] = int(dept) if str(dept).isdigit() else None
    return render(
        request,
        "participation/admin/interview_form.html",
        {"i": i, "data": data, "errors": errors, "departments": _departments()},
        status=400 if errors else 200,
    )


def interview(request, interview_id: int):
    """The control room of one interview: moderation of its questions, the guest's answers
    (text and a picture), start/end, and the transcript."""
    from govhub.participation.models import InterviewQuestion

    user = request.user
    i = queries.get_interview_for(user, interview_id)
    qs = InterviewQuestion.objects.filter(interview=i)
    return render(
        request,
        "participation/admin/interview.html",
        {
            "i": i,
            "pending": qs.filter(status=Moderation.PENDING).order_by("created_at"),
            "waiting": qs.filter(status=Moderation.APPROVED, answered_at__isnull=True).order_by(
                "created_at"
            ),
            "entries": queries.interview_entries(i),
            "may_manage": can(user, "manage_interview", i),
            "may_answer": can(user, "answer_interview", i),
            "may_moderate": can(user, "moderate_participation"),
            "draft": request.session.pop(f"interview-draft-{i.pk}", {}),
        },
    )


@require_POST
def interview_act(request, interview_id: int, action: str):
    from govhub.participation.models import InterviewQuestion

    user = request.user
    i = queries.get_interview_for(user, interview_id)
    try:
        if action == "schedule":
            actions.schedule_interview(user, i)
            messages.success(request, "访谈预告已在门户网站发布，网友可以提前提问。")
        elif action == "start":
            actions.start_interview(user, i)
            messages.success(request, "访谈已开始，答复会实时显示在门户网站访谈页面。")
        elif action == "end":
            actions.end_interview(user, i)
            messages.success(request, "访谈已结束，不再接受提问。整理后请发布文字实录。")
        elif action == "transcript":
            actions.publish_transcript(user, i, note=request.POST.get("note", ""))
            messages.success(request, "文字实录已在门户网站发布。")
        elif action in ("approve", "reject"):
            q = InterviewQuestion.objects.filter(interview=i, pk=request.POST.get("question") or 0)
            if not q.exists():
                raise PermissionDenied("对象不存在")
            actions.moderate_question(
                user, q.first(), approve=action == "approve", reason=request.POST.get("reason", "")
            )
            messages.success(
                request, "已通过，问题已转给嘉宾。" if action == "approve" else "已退回提问人。"
            )
        elif action == "answer":
            qid = request.POST.get("question") or ""
            q = InterviewQuestion.objects.filter(interview=i, pk=qid).first() if qid else None
            if qid and q is None:
                raise PermissionDenied("对象不存在")
            actions.post_entry(
                user,
                i,
                text=request.POST.get("text", ""),
                question=q,
                speaker=request.POST.get("speaker", ""),
                image=request.FILES.get("image"),
            )
            messages.success(request, "答复已发布，门户网站访谈页面会自动显示。")
        else:
            raise PermissionDenied("未知操作")
    except FieldErrors as exc:
        messages.error(request, "；".join(exc.errors.values()))
        if action == "answer":
            request.session[f"interview-draft-{i.pk}"] = {
                "question": request.POST.get("question", ""),
                "text": request.POST.get("text", "")[:5000],
            }
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("participation_admin:interview", i.pk)

"""Portal pages of participation (互动交流): parse, call the action, render. Every form works
without JavaScript; scripts only add selecting a passage to comment on."""

from __future__ import annotations

import re

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from govhub.core import ratelimit
from govhub.core.errors import DomainError, FieldErrors
from govhub.participation import actions, queries
from govhub.participation.models import Comment, Moderation, Post
from govhub.wechat import oauth as wechat_oauth

OWN_KEY = "participation_own"


def _session_key(request) -> str:
    if not request.session.session_key:
        request.session.save()
    return "s:" + request.session.session_key


def index(request):
    """The 在线调查 / 互动交流 landing page: consultations, the board and surveys."""
    return render(
        request,
        "participation/index.html",
        {
            "interviews": list(queries.public_interviews()[:3]),
            "consultations": list(queries.public_consultations()[:5]),
            "surveys": list(queries.public_surveys()[:5]),
            "posts": list(queries.public_posts()[:5]),
        },
    )


def consultation_list(request):
    from django.core.paginator import Paginator

    page = Paginator(queries.public_consultations(), 20).get_page(request.GET.get("page"))
    return render(request, "participation/consultation_list.html", {"page": page})


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _detail(request, consultation, *, form=None, errors=None, status=200):
    para_id = _int(request.GET.get("para"))
    page = queries.comment_page(consultation, request.GET.get("page"), para_id)
    paragraphs = queries.paragraphs_with_counts(consultation)
    own_ids = request.session.get(OWN_KEY, []) if request.session.session_key else []
    own = (
        list(
            Comment.objects.filter(pk__in=own_ids, consultation=consultation).only(
                "id", "status", "reject_reason", "text", "created_at"
            )
        )
        if own_ids
        else []
    )
    form = form or {"paragraph": para_id}
    return render(
        request,
        "participation/consultation_detail.html",
        {
            "c": consultation,
            "paragraphs": paragraphs,
            "page": page,
            "para_id": para_id,
            "form": form,
            "errors": errors or {},
            "own": own,
            "is_open": consultation.is_open(),
            "report": queries.report_counts(consultation)
            if consultation.report_published_at
            else None,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def consultation_detail(request, consultation_id: int):
    consultation = queries.public_consultation(consultation_id)
    if request.method == "GET":
        # in WeChat's browser, learn the openid so the adoption report is told through WeChat
        if consultation.is_open() and (redirect_ := wechat_oauth.authorize_redirect(request)):
            return redirect_
        return _detail(request, consultation)
    form = {
        "text": request.POST.get("text", ""),
        "nickname": request.POST.get("nickname", ""),
        "phone": request.POST.get("phone", ""),
        "paragraph": _int(request.POST.get("paragraph")),
        "quote": request.POST.get("quote", ""),
    }
    if ratelimit.over(request, "participation-comment"):
        return _detail(
            request, consultation, form=form, errors={"all": ratelimit.MESSAGE}, status=429
        )
    try:
        comment = actions.submit_comment(
            consultation,
            text=form["text"],
            nickname=form["nickname"],
            phone=form["phone"],
            paragraph_id=form["paragraph"],
            quote=form["quote"],
            openid=wechat_oauth.openid_of(request),
        )
    except FieldErrors as exc:
        return _detail(request, consultation, form=form, errors=exc.errors, status=400)
    except DomainError as exc:
        return _detail(request, consultation, form=form, errors={"all": exc.message}, status=409)
    _session_key(request)
    request.session[OWN_KEY] = request.session.get(OWN_KEY, [])[-49:] + [comment.pk]
    messages.success(request, "您的意见已提交，审核通过后公开显示。感谢参与！")
    return redirect(reverse("participation:consultation", args=[consultation.pk]) + "#mine")


@require_POST
def agree(request, comment_id: int):
    comment = get_object_or_404(Comment, pk=comment_id, status=Moderation.APPROVED)
    try:
        ratelimit.check(request, "participation-vote")
        counted = actions.agree_with_comment(comment, _session_key(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if counted:
            messages.success(request, "已赞同这条意见")
        else:
            messages.info(request, "您已经赞同过这条意见")
    return redirect(
        reverse("participation:consultation", args=[comment.consultation_id])
        + f"#comment-{comment.pk}"
    )


# --- message board ---------------------------------------------------------------------------

OWN_POSTS = "participation_posts"


def board(request):
    from django.core.paginator import Paginator

    column_id = _int(request.GET.get("column"))
    page = Paginator(queries.public_posts(column_id), queries.POSTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    own_ids = request.session.get(OWN_POSTS, []) if request.session.session_key else []
    own = list(Post.objects.filter(pk__in=own_ids).order_by("-created_at")) if own_ids else []
    return render(
        request,
        "participation/board.html",
        {
            "columns": queries.board_columns(),
            "column_id": column_id,
            "page": page,
            "own": own,
        },
    )


@require_http_methods(["GET", "POST"])
def board_new(request):
    columns = queries.board_columns()
    form = {"column": _int(request.GET.get("column"))}
    errors: dict = {}
    if request.method == "POST":
        form = {
            "column": _int(request.POST.get("column")),
            "title": request.POST.get("title", ""),
            "text": request.POST.get("text", ""),
            "nickname": request.POST.get("nickname", ""),
            "phone": request.POST.get("phone", ""),
        }
        column = next((c for c in columns if c.pk == form["column"]), None)
        try:
            ratelimit.check(request, "participation-post")
            post = actions.submit_post(
                column,
                title=form["title"],
                text=form["text"],
                nickname=form["nickname"],
                phone=form["phone"],
            )
        except FieldErrors as exc:
            errors = exc.errors
        except ratelimit.RateLimited as exc:
            errors = {"all": exc.message}
        else:
            _session_key(request)
            request.session[OWN_POSTS] = request.session.get(OWN_POSTS, [])[-49:] + [post.pk]
            messages.success(request, "留言已提交，审核通过后公开，相关部门将答复。")
            return redirect(reverse("participation:board") + "#mine")
    status = (429 if "all" in errors else 400) if errors else 200
    return render(
        request,
        "participation/board_new.html",
        {"columns": columns, "form": form, "errors": errors},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def post_detail(request, post_id: int):
    post = queries.public_post(post_id)
    errors: dict = {}
    if request.method == "POST":
        try:
            counted = actions.report_abuse(post, _session_key(request), request.POST.get("reason"))
        except FieldErrors as exc:
            errors = exc.errors
        except DomainError as exc:
            errors = {"reason": exc.message}
        else:
            messages.success(
                request, "举报已收到，管理员将尽快核查。" if counted else "您已经举报过这条留言。"
            )
            return redirect("participation:post", post_id=post.pk)
    return render(
        request,
        "participation/post_detail.html",
        {
            "post": post,
            "answers": post.answers.select_related("department"),
            "errors": errors,
        },
        status=400 if errors else 200,
    )


# --- surveys ---------------------------------------------------------------------------------

VOTER = "participation_voter"  # {"key", "via", "shown"} once a phone is proved
PHONE = "participation_phone"


def survey_list(request):
    from django.core.paginator import Paginator

    page = Paginator(queries.public_surveys(), 20).get_page(request.GET.get("page"))
    return render(request, "participation/survey_list.html", {"page": page})


def _voter(request, survey) -> dict | None:
    """Who answers: a logged-in member of staff for a survey of staff, else the phone proved
    in this session, else the WeChat openid learnt by web authorisation."""
    if survey.audience == "staff":
        key = actions.staff_voter(request.user)
        return {"key": key, "via": "staff", "shown": request.user.get_full_name()} if key else None
    if not request.session.session_key:
        return None
    proved = request.session.get(VOTER)
    if proved is None and (openid := wechat_oauth.openid_of(request)):
        # WeChat's web authorisation identifies the person as the account's follower
        return {
            "key": actions.voter_key_for("wechat", openid),
            "via": "wechat",
            "shown": "微信用户",
        }
    return proved


def form_answers(post) -> dict:
    """The survey form's fields as ``submit_response`` takes them: ``q<id>`` lists, and
    ``q<id>_r<option>`` (rank) / ``q<id>_m<row>`` (column) gathered into a map per question."""
    answers: dict = {}
    for key in post:
        m = re.match(r"^q(\d+)_[rm](\d+)$", key)
        if m:
            answers.setdefault(f"q{m.group(1)}", {})[m.group(2)] = post.get(key, "")
        elif re.match(r"^q\d+$", key):
            answers[key] = post.getlist(key)
    return answers


def _survey_page(request, survey, *, errors=None, form=None, status=200):
    voter = _voter(request, survey)
    answered = bool(voter) and actions.has_answered(survey, voter["key"])
    return render(
        request,
        "participation/survey_detail.html",
        {
            "s": survey,
            "voter": voter,
            "answered": answered,
            "is_open": survey.is_open(),
            "questions": survey.questions.filter(active=True)
            .select_related("show_if__question")
            .prefetch_related("options"),
            "towns": list(survey.towns.order_by("path")) if survey.audience == "towns" else [],
            "login_url": reverse("wagtailadmin_login") + "?next=" + request.path,
            "phone": request.session.get(PHONE, "") if request.session.session_key else "",
            "errors": errors or {},
            "form": form or {},
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def survey_detail(request, survey_id: int):
    from govhub.core.pii import mask_phone

    survey = queries.public_survey(survey_id)
    if request.method == "GET":
        if (
            survey.audience != "staff"
            and survey.is_open()
            and (redirect_ := wechat_oauth.authorize_redirect(request))
        ):
            return redirect_
        return _survey_page(request, survey)
    step = request.POST.get("step")
    try:
        if step == "send":
            phone = request.POST.get("phone", "")
            try:
                ratelimit.check(request, "participation-sms")
                actions.send_code(phone)
            finally:
                _session_key(request)
                request.session[PHONE] = phone.strip()[:20]
            messages.success(request, "验证码已发送，请查看短信。")
        elif step == "verify":
            phone = request.session.get(PHONE, "")
            key = actions.verify_code(phone, request.POST.get("code", ""))
            request.session[VOTER] = {"key": key, "via": "phone", "shown": mask_phone(phone)}
            messages.success(request, "手机号验证成功，请填写问卷。")
        elif step == "answer":
            from govhub.core.middleware import client_ip

            voter = _voter(request, survey) or {}
            response = actions.submit_response(
                survey,
                voter_key=voter.get("key", ""),
                verified_by=voter.get("via", "phone"),
                answers=form_answers(request.POST),
                address=client_ip(request),
                town_id=_int(request.POST.get("town")),
            )
            if response.flag:
                messages.success(
                    request,
                    "提交成功，感谢您的参与！由于同一网络地址短时间内提交较多，"
                    "您的答卷将由发起单位核查后计入结果。",
                )
            else:
                messages.success(request, "提交成功，感谢您参与本次调查！")
            return redirect("participation:survey_results", survey_id=survey.pk)
        elif step == "change":
            request.session.pop(PHONE, None)
            request.session.pop(VOTER, None)
        return redirect(reverse("participation:survey", args=[survey.pk]) + "#verify")
    except FieldErrors as exc:
        form = {k: request.POST.getlist(k) for k in request.POST if k.startswith(("q", "town"))}
        return _survey_page(request, survey, errors=exc.errors, form=form, status=400)
    except DomainError as exc:
        return _survey_page(request, survey, errors={"all": exc.message}, status=exc.status)


def survey_results(request, survey_id: int):
    survey = queries.public_survey(survey_id)
    results = queries.survey_results(survey) if survey.results_public else None
    return render(request, "participation/survey_results.html", {"s": survey, "results": results})


# --- online interviews -----------------------------------------------------------------------

OWN_QUESTIONS = "participation_questions"


def interview_list(request):
    from django.core.paginator import Paginator

    page = Paginator(queries.public_interviews(), 20).get_page(request.GET.get("page"))
    return render(request, "participation/interview_list.html", {"page": page})


def _interview_page(request, interview, *, form=None, errors=None, status=200):
    from govhub.participation.models import InterviewQuestion

    entries = [queries.entry_dict(e) for e in queries.interview_entries(interview)]
    own_ids = request.session.get(OWN_QUESTIONS, []) if request.session.session_key else []
    own = (
        list(InterviewQuestion.objects.filter(pk__in=own_ids, interview=interview))
        if own_ids
        else []
    )
    return render(
        request,
        "participation/interview_detail.html",
        {
            "i": interview,
            "entries": entries,
            "last": entries[-1]["id"] if entries else 0,
            "own": own,
            "form": form or {},
            "errors": errors or {},
            "poll": queries.LIVE_POLL_SECONDS,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def interview_detail(request, interview_id: int):
    """The interview's page: the announcement, the live answers (updated by a static script
    that polls ``interview_live``; without JavaScript the page refreshes itself while live),
    the question form, and after the session the transcript."""
    interview = queries.public_interview(interview_id)
    if request.method == "GET":
        return _interview_page(request, interview)
    form = {k: request.POST.get(k, "") for k in ("text", "nickname", "phone")}
    try:
        ratelimit.check(request, "participation-comment")
        q = actions.ask_question(
            interview, text=form["text"], nickname=form["nickname"], phone=form["phone"]
        )
    except FieldErrors as exc:
        return _interview_page(request, interview, form=form, errors=exc.errors, status=400)
    except DomainError as exc:
        return _interview_page(
            request, interview, form=form, errors={"all": exc.message}, status=exc.status
        )
    _session_key(request)
    request.session[OWN_QUESTIONS] = request.session.get(OWN_QUESTIONS, [])[-49:] + [q.pk]
    messages.success(request, "您的问题已提交，审核通过后将转给访谈嘉宾。")
    return redirect(reverse("participation:interview", args=[interview.pk]) + "#mine")


def interview_live(request, interview_id: int):
    """The small JSON the live page polls: status and the lines after ``after``."""
    from django.http import JsonResponse

    interview = queries.public_interview(interview_id)
    after = _int(request.GET.get("after")) or 0
    response = JsonResponse(queries.live_feed(interview, after))
    response["Cache-Control"] = "no-cache, max-age=0"
    return response

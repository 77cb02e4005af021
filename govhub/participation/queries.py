"""Read side shared by the portal pages, the back office and the API: bounded, paged queries
with a fixed number of statements whatever the number of comments."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Min, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from govhub.core.permissions import can
from govhub.participation.models import (
    Adoption,
    BoardColumn,
    Comment,
    Consultation,
    ConsultationStatus,
    Moderation,
    Paragraph,
    Post,
    ResponseItem,
    Survey,
    SurveyStatus,
)

COMMENTS_PER_PAGE = 20


def public_consultations() -> QuerySet[Consultation]:
    return (
        Consultation.objects.exclude(status=ConsultationStatus.DRAFT)
        .select_related("department")
        .order_by("-opens_at")
    )


def public_consultation(consultation_id: int) -> Consultation:
    c = public_consultations().filter(pk=consultation_id).first()
    if c is None:
        raise Http404("征求意见不存在")
    return c


def paragraphs_with_counts(consultation: Consultation) -> list[Paragraph]:
    return list(
        Paragraph.objects.filter(consultation=consultation).annotate(
            shown=Count("comments", filter=Q(comments__status=Moderation.APPROVED))
        )
    )


def shown_comments(consultation: Consultation, paragraph_id: int | None = None):
    qs = (
        Comment.objects.filter(consultation=consultation, status=Moderation.APPROVED)
        .select_related("paragraph")
        .only(
            "id",
            "paragraph__number",
            "quote",
            "nickname",
            "text",
            "agree_count",
            "adoption",
            "adoption_reason",
            "created_at",
            "consultation_id",
        )
        .order_by("-created_at", "-id")
    )
    if paragraph_id:
        qs = qs.filter(paragraph_id=paragraph_id)
    return qs


def comment_page(consultation: Consultation, page_no, paragraph_id: int | None = None):
    return Paginator(shown_comments(consultation, paragraph_id), COMMENTS_PER_PAGE).get_page(
        page_no
    )


def report_counts(consultation: Consultation) -> dict:
    """Counts of adoption per paragraph (and the whole draft): one grouped query."""
    rows = (
        Comment.objects.filter(consultation=consultation, status=Moderation.APPROVED)
        .values("paragraph__number", "adoption")
        .annotate(n=Count("id"))
    )
    table: dict = {}
    totals = {a: 0 for a in Adoption.values}
    for r in rows:
        key = r["paragraph__number"] or 0
        line = table.setdefault(key, {a: 0 for a in Adoption.values})
        if r["adoption"] in line:
            line[r["adoption"]] += r["n"]
            totals[r["adoption"]] += r["n"]
    lines = [
        {"number": k, "label": f"第{k}段" if k else "全文", **v} for k, v in sorted(table.items())
    ]
    total = sum(totals.values())
    rate = round(100 * (totals["adopted"] + totals["partly"]) / total) if total else None
    return {"lines": lines, "totals": totals, "total": total, "rate": rate}


# --- back office -----------------------------------------------------------------------------


def consultations_for(user) -> QuerySet[Consultation]:
    """What a member of staff sees in the back office (and the API, through the same fetch):
    their department's consultations (as host or drafting department), all of them for the
    supervisors of participation; moderators also every one citizens can comment on — never
    another department's draft."""
    qs = Consultation.objects.select_related("department", "host").order_by("-created_at")
    return qs.filter(
        _staff_scope(
            user,
            ("manage_consultation", "mark_adoption"),
            moderators_see=~Q(status=ConsultationStatus.DRAFT),
        )
    )


def _staff_scope(user, actions: tuple[str, ...], *, moderators_see: Q | None = None) -> Q:
    """The condition shared by the back office's participation lists: everything for the
    supervisors of participation (``view_participation``, county-wide like the superuser);
    hosted by or drafted in a department under one where ``user`` holds one of ``actions``; and
    for moderators (a county-wide duty) what ``moderators_see``."""
    from govhub.core.permissions import scope_roots

    if can(user, "view_participation"):
        return Q()
    cond = Q(pk__in=[])
    for action in actions:
        for r in scope_roots(user, action):
            cond |= Q(host__path__startswith=r.path) | Q(department__path__startswith=r.path)
    if moderators_see is not None and can(user, "moderate_participation"):
        cond |= moderators_see
    return cond


def get_consultation_for(user, consultation_id: int) -> Consultation:
    c = consultations_for(user).filter(pk=consultation_id).first()
    if c is None:
        raise PermissionDenied("对象不存在或无权访问")
    return c


def pending_comments() -> QuerySet[Comment]:
    return (
        Comment.objects.filter(status=Moderation.PENDING)
        .select_related("consultation", "paragraph")
        .order_by("created_at")
    )


# --- message board ---------------------------------------------------------------------------

POSTS_PER_PAGE = 20
VETO_DAYS = 90  # the national check vetoes a site with a message unanswered for 3 months


def board_columns() -> list[BoardColumn]:
    return list(
        BoardColumn.objects.filter(is_active=True)
        .select_related("department")
        .annotate(shown=Count("posts", filter=Q(posts__status=Moderation.APPROVED)))
    )


def public_posts(column_id: int | None = None) -> QuerySet[Post]:
    qs = (
        Post.objects.filter(status=Moderation.APPROVED)
        .select_related("column", "department")
        .only(
            "id",
            "title",
            "nickname",
            "created_at",
            "answered_at",
            "column__name",
            "department__name",
        )
        .order_by("-created_at", "-id")
    )
    if column_id:
        qs = qs.filter(column_id=column_id)
    return qs


def public_post(post_id: int) -> Post:
    post = (
        Post.objects.filter(pk=post_id, status=Moderation.APPROVED)
        .select_related("column", "department")
        .first()
    )
    if post is None:
        raise Http404("留言不存在")
    return post


def unanswered_by_department(now=None) -> list[dict]:
    """Published posts still without an official answer, per department, with the oldest one's
    age: what counts against a department like an unanswered letter."""
    from django.utils import timezone

    now = now or timezone.now()
    rows = (
        Post.objects.filter(status=Moderation.APPROVED, answered_at__isnull=True)
        .values("department_id", "department__name")
        .annotate(n=Count("id"), oldest=Min("created_at"))
        .order_by("-n", "department__name")
    )
    return [
        {
            "department_id": r["department_id"],
            "department": r["department__name"],
            "unanswered": r["n"],
            "oldest_days": (now - r["oldest"]).days,
            "veto": (now - r["oldest"]).days > VETO_DAYS,
        }
        for r in rows
    ]


def posts_for(user) -> QuerySet[Post]:
    """Posts a member of staff works on: their department's, all of them for moderators."""
    from govhub.core.permissions import scope_queryset

    qs = Post.objects.select_related("column", "department").order_by("-created_at")
    if user.is_superuser or can(user, "moderate_participation") or can(user, "view_participation"):
        return qs  # pre-moderation is county-wide: every post waits for a moderator
    return scope_queryset(user, "answer_post", qs)


def get_post_for(user, post_id: int) -> Post:
    post = posts_for(user).filter(pk=post_id).first()
    if post is None:
        raise PermissionDenied("对象不存在或无权访问")
    return post


def pending_posts() -> QuerySet[Post]:
    return (
        Post.objects.filter(status=Moderation.PENDING)
        .select_related("column", "department")
        .order_by("created_at")
    )


def reported_posts() -> QuerySet[Post]:
    return (
        Post.objects.filter(status=Moderation.APPROVED, reports__resolved=False)
        .distinct()
        .select_related("column")
        .prefetch_related("reports")
        .order_by("-report_count")
    )


# --- surveys ---------------------------------------------------------------------------------


def public_surveys() -> QuerySet[Survey]:
    return (
        Survey.objects.filter(status=SurveyStatus.PUBLISHED)
        .select_related("department")
        .order_by("-opens_at")
    )


def public_survey(survey_id: int) -> Survey:
    s = public_surveys().filter(pk=survey_id).first()
    if s is None:
        raise Http404("调查不存在")
    return s


def _question_result(q, counts: dict, total: int) -> dict:
    """One question's figures from ``counts`` {(option id, value): n} of counted answers."""
    row: dict = {"q": q, "kind": q.kind}
    opts = list(q.options.all())
    if q.kind in ("single", "multiple"):
        ns = [counts.get((o.pk, None), 0) for o in opts]
        base = total if q.kind == "multiple" else max(sum(ns), 1)  # multiple: share of people
        row["bars"] = [
            {"label": o.label, "n": n, "pct": round(100 * n / base) if base else 0}
            for o, n in zip(opts, ns, strict=True)
        ]
    elif q.kind == "ranking":
        ranked = []
        for o in opts:
            spread = {v: n for (oid, v), n in counts.items() if oid == o.pk and v is not None}
            n = sum(spread.values())
            mean = round(sum(v * c for v, c in spread.items()) / n, 2) if n else None
            ranked.append({"label": o.label, "n": n, "first": spread.get(1, 0), "mean": mean})
        ranked.sort(key=lambda r: (r["mean"] is None, r["mean"] or 0))
        people = max((r["n"] for r in ranked), default=0)
        row["ranking"] = ranked
        row["bars"] = [
            {
                "label": f"{r['label']}（平均第 {r['mean']} 名）" if r["mean"] else r["label"],
                "n": r["first"],
                "pct": round(100 * r["first"] / people) if people else 0,
            }
            for r in ranked
        ]
    elif q.kind == "matrix":
        cols = list(q.columns or [])
        row["columns"] = cols
        row["matrix"] = []
        for o in opts:
            cells = [counts.get((o.pk, c), 0) for c in range(1, len(cols) + 1)]
            n = sum(cells)
            row["matrix"].append(
                {
                    "label": o.label,
                    "cells": [{"n": c, "pct": round(100 * c / n) if n else 0} for c in cells],
                }
            )
    elif q.kind == "scale":
        spread = {v: n for (oid, v), n in counts.items() if oid is None and v is not None}
        n = sum(spread.values())
        row["bars"] = [
            {
                "label": f"{v} 分",
                "n": spread.get(v, 0),
                "pct": round(100 * spread.get(v, 0) / n) if n else 0,
            }
            for v in range(q.scale_min, q.scale_max + 1)
        ]
        row["mean"] = round(sum(k * c for k, c in spread.items()) / n, 2) if n else None
    else:
        row["texts"] = counts.get((None, None), 0)
    return row


def survey_results(survey: Survey) -> dict:
    """Figures of each current question (and, separately, of questions retired by an edit,
    with the answers given to them); only answers that count (not flagged for review); a
    fixed number of queries whatever the number of answers."""
    from govhub.participation.models import COUNTED_FLAGS, ResponseFlag

    questions = list(survey.questions.prefetch_related("options").order_by("-active", "number"))
    grouped = (
        ResponseItem.objects.filter(question__survey=survey, response__flag__in=COUNTED_FLAGS)
        .values("question_id", "option_id", "value")
        .annotate(n=Count("id"))
    )
    counts: dict[int, dict] = {}
    for g in grouped:
        counts.setdefault(g["question_id"], {})[(g["option_id"], g["value"])] = g["n"]
    flags = dict(
        survey.responses.order_by().values("flag").annotate(n=Count("id")).values_list("flag", "n")
    )
    total = sum(n for f, n in flags.items() if f in COUNTED_FLAGS)
    # a multiple choice's share is of the people who answered that question (a conditional
    # question or a new version is not put to everyone)
    people = dict(
        ResponseItem.objects.filter(question__survey=survey, response__flag__in=COUNTED_FLAGS)
        .values("question_id")
        .annotate(n=Count("response_id", distinct=True))
        .values_list("question_id", "n")
    )
    current, retired = [], []
    for q in questions:
        row = _question_result(q, counts.get(q.pk, {}), people.get(q.pk, 0))
        row["answered"] = people.get(q.pk, 0)
        (current if q.active else retired).append(row)
    return {
        "total": total,
        "flagged": flags.get(ResponseFlag.FLAGGED, 0),
        "questions": current,
        "retired": retired,
    }


def surveys_for(user) -> QuerySet[Survey]:
    from govhub.core.permissions import scope_queryset

    qs = Survey.objects.select_related("department").order_by("-created_at")
    if user.is_superuser or can(user, "view_participation"):
        return qs
    return scope_queryset(user, "manage_survey", qs)


def get_survey_for(user, survey_id: int) -> Survey:
    s = surveys_for(user).filter(pk=survey_id).first()
    if s is None:
        raise PermissionDenied("对象不存在或无权访问")
    return s


def _cell(q, items: list) -> str:
    """One question's answer in an export cell: options joined with "；", a ranking as
    "1.甲；2.乙", a matrix as "行：列"."""
    if q.kind == "ranking":
        return "；".join(
            f"{it.value}.{it.option.label}" for it in sorted(items, key=lambda i: i.value or 0)
        )
    if q.kind == "matrix":
        cols = q.columns or []
        return "；".join(
            f"{it.option.label}：{cols[it.value - 1] if it.value and it.value <= len(cols) else it.value}"
            for it in items
        )
    return "；".join(
        it.option.label if it.option_id else (str(it.value) if it.value is not None else it.text)
        for it in items
    )


def survey_rows(survey: Survey, batch: int = 500):
    """The export rows of a survey: a header, then one row per answer sheet, read in batches
    so a large survey streams. Questions retired by an edit keep their own column (marked
    旧版), so old answers stay with the wording they answered; no phone, no key."""
    questions = list(survey.questions.order_by("-active", "number", "version"))
    head = ["答卷编号", "提交时间", "验证方式", "题目版本", "乡镇", "核查"]
    yield head + [
        f"{q.number}. {q.text}" + ("" if q.active else f"（旧版 v{q.version}）") for q in questions
    ]
    responses = survey.responses.select_related("town").order_by("pk")
    last = 0
    while True:
        chunk = list(responses.filter(pk__gt=last)[:batch])
        if not chunk:
            return
        items = (
            ResponseItem.objects.filter(response__in=chunk).select_related("option").order_by("pk")
        )
        cells: dict = {}
        for it in items:
            cells.setdefault((it.response_id, it.question_id), []).append(it)
        for r in chunk:
            yield [
                r.pk,
                timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M"),
                r.get_verified_by_display(),
                r.version,
                r.town.name if r.town_id else "",
                r.get_flag_display(),
            ] + [_cell(q, cells.get((r.pk, q.pk), [])) for q in questions]
        last = chunk[-1].pk


def flagged_responses(survey: Survey):
    from govhub.participation.models import ResponseFlag

    return survey.responses.filter(flag=ResponseFlag.FLAGGED).order_by("created_at")


# --- online interviews -----------------------------------------------------------------------

LIVE_POLL_SECONDS = 5


def public_interviews() -> QuerySet:
    from govhub.participation.models import Interview, InterviewStatus

    return (
        Interview.objects.exclude(status=InterviewStatus.DRAFT)
        .select_related("department")
        .order_by("-starts_at")
    )


def public_interview(interview_id: int):
    i = public_interviews().filter(pk=interview_id).first()
    if i is None:
        raise Http404("访谈不存在")
    return i


def entry_dict(e) -> dict:
    """One transcript line as the live page and the API give it (text only: the page sets it
    with textContent, so whatever was typed stays text)."""
    return {
        "id": e.pk,
        "speaker": e.speaker,
        "text": e.text,
        "question": {"author": e.question.author_label, "text": e.question.text}
        if e.question_id
        else None,
        "image": e.image.get_rendition("max-800x600").url if e.image_id else None,
        "at": timezone.localtime(e.created_at).strftime("%H:%M"),
    }


def interview_entries(interview, after: int = 0, limit: int = 200) -> list:
    from govhub.participation.models import InterviewEntry

    return list(
        InterviewEntry.objects.filter(interview=interview, pk__gt=max(after, 0))
        .select_related("question", "image")
        .order_by("pk")[:limit]
    )


def live_feed(interview, after: int = 0) -> dict:
    """What the live page polls: the status and the lines after ``after``."""
    entries = [entry_dict(e) for e in interview_entries(interview, after)]
    return {
        "status": interview.status,
        "status_label": interview.get_status_display(),
        "entries": entries,
        "last": entries[-1]["id"] if entries else max(after, 0),
        "poll_seconds": LIVE_POLL_SECONDS if interview.status == "live" else 60,
    }


def interviews_for(user) -> QuerySet:
    """As :func:`consultations_for`: moderators see every interview but the drafts."""
    from govhub.participation.models import Interview, InterviewStatus

    qs = Interview.objects.select_related("department", "host").order_by("-starts_at")
    return qs.filter(
        _staff_scope(
            user,
            ("manage_interview", "answer_interview"),
            moderators_see=~Q(status=InterviewStatus.DRAFT),
        )
    )


def get_interview_for(user, interview_id: int):
    i = interviews_for(user).filter(pk=interview_id).first()
    if i is None:
        raise PermissionDenied("对象不存在或无权访问")
    return i


def pending_interview_questions() -> QuerySet:
    from govhub.participation.models import InterviewQuestion

    return (
        InterviewQuestion.objects.filter(status=Moderation.PENDING)
        .select_related("interview")
        .order_by("created_at")
    )

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
    Option,
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
    """What a member of staff sees in the back office: their department's consultations (as
    host or drafting department), all of them for moderators and supervisors."""
    from govhub.core.permissions import scope_roots

    qs = Consultation.objects.select_related("department", "host").order_by("-created_at")
    if user.is_superuser or can(user, "moderate_participation") or can(user, "view_participation"):
        return qs
    roots = scope_roots(user, "manage_consultation") + scope_roots(user, "mark_adoption")
    if not roots:
        return qs.none()
    cond = Q()
    for r in roots:
        cond |= Q(host__path__startswith=r.path) | Q(department__path__startswith=r.path)
    return qs.filter(cond)


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
        return qs
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


def survey_results(survey: Survey) -> dict:
    """Counts per option, the spread and mean of each scale, the number of text answers; a
    fixed number of queries whatever the number of answers."""
    questions = list(survey.questions.all())
    options = (
        Option.objects.filter(question__survey=survey)
        .annotate(n=Count("items"))
        .order_by("question__number", "number")
    )
    by_q: dict[int, list] = {}
    for o in options:
        by_q.setdefault(o.question_id, []).append(o)
    values = (
        ResponseItem.objects.filter(question__survey=survey, option__isnull=True)
        .values("question_id", "value")
        .annotate(n=Count("id"))
    )
    scale: dict[int, dict] = {}
    texts: dict[int, int] = {}
    for v in values:
        if v["value"] is None:
            texts[v["question_id"]] = texts.get(v["question_id"], 0) + v["n"]
        else:
            scale.setdefault(v["question_id"], {})[v["value"]] = v["n"]
    total = survey.responses.count()
    out = []
    for q in questions:
        row = {"q": q, "kind": q.kind}
        if q.kind in ("single", "multiple"):
            opts = by_q.get(q.pk, [])
            answered = max(sum(o.n for o in opts), 1)
            row["bars"] = [
                {"label": o.label, "n": o.n, "pct": round(100 * o.n / answered)} for o in opts
            ]
            if q.kind == "multiple":  # share of people, not of ticks
                row["bars"] = [
                    {**b, "pct": round(100 * b["n"] / total) if total else 0} for b in row["bars"]
                ]
        elif q.kind == "scale":
            spread = scale.get(q.pk, {})
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
            row["texts"] = texts.get(q.pk, 0)
        out.append(row)
    return {"total": total, "questions": out}


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


def survey_rows(survey: Survey, batch: int = 500):
    """The CSV rows of a survey: a header, then one row per answer sheet (multiple choices
    joined with "；"), read in batches so a large survey streams."""
    questions = list(survey.questions.all())
    yield ["答卷编号", "提交时间", "验证方式"] + [f"{q.number}. {q.text}" for q in questions]
    responses = survey.responses.order_by("pk")
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
            value = (
                it.option.label
                if it.option_id
                else (str(it.value) if it.value is not None else it.text)
            )
            cells.setdefault((it.response_id, it.question_id), []).append(value)
        for r in chunk:
            yield [
                r.pk,
                timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M"),
                r.get_verified_by_display(),
            ] + ["；".join(cells.get((r.pk, q.pk), [])) for q in questions]
        last = chunk[-1].pk

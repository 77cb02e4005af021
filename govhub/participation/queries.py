"""Read side shared by the portal pages, the back office and the API: bounded, paged queries
with a fixed number of statements whatever the number of comments."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Min, Q, QuerySet
from django.http import Http404

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

"""Figures of participation for supervision (督查): participants, comments, adoption rate, days
from a consultation's close to its adoption report, and board posts left unanswered per
department. One function, a few grouped queries; the analytics dashboards and the monthly report
can call ``figures`` for any period."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from govhub.participation import queries
from govhub.participation.models import (
    Adoption,
    Comment,
    Consultation,
    ConsultationStatus,
    Moderation,
    Post,
    Response,
)


def figures(start: dt.datetime | None = None, end: dt.datetime | None = None) -> dict:
    """Participation between ``start`` and ``end`` (default: the last 30 days)."""
    end = end or timezone.now()
    start = start or end - dt.timedelta(days=30)
    period = Q(created_at__gte=start, created_at__lt=end)
    comments = Comment.objects.filter(period).aggregate(
        total=Count("id"),
        shown=Count("id", filter=Q(status=Moderation.APPROVED)),
        adopted=Count("id", filter=Q(adoption=Adoption.ADOPTED)),
        partly=Count("id", filter=Q(adoption=Adoption.PARTLY)),
        marked=Count("id", filter=~Q(adoption="")),
    )
    marked = comments["marked"]
    adoption_rate = (
        round(100 * (comments["adopted"] + comments["partly"]) / marked) if marked else None
    )
    reported = Consultation.objects.filter(
        status=ConsultationStatus.REPORTED,
        report_published_at__gte=start,
        report_published_at__lt=end,
    ).only("closes_at", "report_published_at", "report_due")
    days = [max((c.report_published_at - c.closes_at).days, 0) for c in reported]
    today = timezone.localdate()
    overdue = Consultation.objects.filter(
        status=ConsultationStatus.PUBLISHED, report_due__lt=today
    ).count()
    posts = Post.objects.filter(period).aggregate(
        total=Count("id"),
        shown=Count("id", filter=Q(status=Moderation.APPROVED)),
        answered=Count("id", filter=Q(answered_at__isnull=False)),
    )
    answers = Response.objects.filter(period).count()
    return {
        "start": start,
        "end": end,
        "consultations_open": Consultation.objects.filter(
            status=ConsultationStatus.PUBLISHED, opens_at__lte=end, closes_at__gt=end
        ).count(),
        "participations": comments["total"] + posts["total"] + answers,
        "comments": comments["total"],
        "comments_shown": comments["shown"],
        "adoption_rate": adoption_rate,
        "reports": len(days),
        "days_to_report": round(sum(days) / len(days), 1) if days else None,
        "reports_overdue": overdue,
        "survey_answers": answers,
        "posts": posts["total"],
        "posts_answered": posts["answered"],
        "unanswered_by_department": queries.unanswered_by_department(),
    }

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


def figures(start: dt.datetime | None = None, end: dt.datetime | None = None, dept=None) -> dict:
    """Participation between ``start`` and ``end`` (default: the last 30 days), for the whole
    county or for ``dept`` and the departments under it (the drafting department of a
    consultation, the answering department of a post, the guest's department of an
    interview, the department running a survey)."""
    from govhub.participation.models import InterviewQuestion, Survey

    end = end or timezone.now()
    start = start or end - dt.timedelta(days=30)
    period = Q(created_at__gte=start, created_at__lt=end)
    under = dept.path if dept is not None else ""
    comments_qs = Comment.objects.filter(period)
    consultations = Consultation.objects.all()
    posts_qs = Post.objects.filter(period)
    answers_qs = Response.objects.filter(period)
    questions_qs = InterviewQuestion.objects.filter(period)
    if under:
        comments_qs = comments_qs.filter(consultation__department__path__startswith=under)
        consultations = consultations.filter(department__path__startswith=under)
        posts_qs = posts_qs.filter(department__path__startswith=under)
        answers_qs = answers_qs.filter(
            survey__in=Survey.objects.filter(department__path__startswith=under)
        )
        questions_qs = questions_qs.filter(interview__department__path__startswith=under)
    comments = comments_qs.aggregate(
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
    reported = consultations.filter(
        status=ConsultationStatus.REPORTED,
        report_published_at__gte=start,
        report_published_at__lt=end,
    ).only("closes_at", "report_published_at", "report_due")
    days = [max((c.report_published_at - c.closes_at).days, 0) for c in reported]
    today = timezone.localdate()
    overdue = consultations.filter(
        status=ConsultationStatus.PUBLISHED, report_due__lt=today
    ).count()
    posts = posts_qs.aggregate(
        total=Count("id"),
        shown=Count("id", filter=Q(status=Moderation.APPROVED)),
        answered=Count("id", filter=Q(answered_at__isnull=False)),
    )
    answers = answers_qs.count()
    people = answers_qs.values("voter_key").distinct().count()
    questions = questions_qs.count()
    unanswered = queries.unanswered_by_department()
    if under:
        from govhub.core.models import Department

        inside = set(Department.objects.filter(path__startswith=under).values_list("pk", flat=True))
        unanswered = [r for r in unanswered if r["department_id"] in inside]
    return {
        "start": start,
        "end": end,
        "consultations_open": consultations.filter(
            status=ConsultationStatus.PUBLISHED, opens_at__lte=end, closes_at__gt=end
        ).count(),
        "participations": comments["total"] + posts["total"] + answers + questions,
        "survey_people": people,
        "interview_questions": questions,
        "comments": comments["total"],
        "comments_shown": comments["shown"],
        "adoption_rate": adoption_rate,
        "reports": len(days),
        "days_to_report": round(sum(days) / len(days), 1) if days else None,
        "reports_overdue": overdue,
        "survey_answers": answers,
        "posts": posts["total"],
        "posts_answered": posts["answered"],
        "unanswered_by_department": unanswered,
        "unanswered_posts": sum(r["unanswered"] for r in unanswered),
        "posts_vetoed": sum(1 for r in unanswered if r["veto"]),
    }

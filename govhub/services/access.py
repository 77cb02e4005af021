"""Fetches shared by the public pages, the back office and the API."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from govhub.core.models import Department
from govhub.services import search
from govhub.services.models import Audience, LifeEvent, QueryConnector, ServiceGuide


def published_guides() -> QuerySet[ServiceGuide]:
    return ServiceGuide.objects.filter(is_published=True).select_related("department")


def get_guide(pk: int) -> ServiceGuide:
    guide = published_guides().prefetch_related("life_events").filter(pk=pk).first()
    if guide is None:
        raise Http404("办事指南不存在")
    return guide


def get_connector(slug: str) -> QueryConnector:
    connector = QueryConnector.objects.filter(slug=slug, enabled=True).first()
    if connector is None:
        raise Http404("查询不存在")
    return connector


def find_guides(
    q: str = "", event: str = "", dept: str = "", audience: str = ""
) -> list[ServiceGuide] | QuerySet[ServiceGuide]:
    """Guides by life event, department, audience and/or words, best match first."""
    qs = published_guides()
    if event:
        qs = qs.filter(life_events__slug=event)
    if dept:
        qs = qs.filter(department__code=dept)
    if audience in (Audience.PERSON, Audience.LEGAL):
        qs = qs.filter(Q(audience=audience) | Q(audience=Audience.BOTH))
    if not q:
        return qs.distinct()
    order = search.rank(q, qs.distinct())
    by_pk = {g.pk: g for g in published_guides().filter(pk__in=order)}
    return [by_pk[pk] for pk in order if pk in by_pk]


def events_with_counts(audience: str = "person") -> QuerySet[LifeEvent]:
    return LifeEvent.objects.filter(audience=audience).annotate(
        n=Count("guides", filter=Q(guides__is_published=True))
    )


def departments_with_guides() -> QuerySet[Department]:
    return (
        Department.objects.filter(service_guides__is_published=True)
        .annotate(n=Count("service_guides"))
        .order_by("path")
    )


def open_slots(guide: ServiceGuide) -> list:
    """The guide's slots citizens may book: from tomorrow, within the booking window."""
    import datetime as dt

    from django.utils import timezone

    from govhub.services.actions import BOOKING_DAYS_AHEAD

    today = timezone.localdate()
    return list(
        guide.slots.filter(date__gt=today, date__lte=today + dt.timedelta(days=BOOKING_DAYS_AHEAD))
    )

"""What services lends other apps: its 好差评 targets (``govhub.ratings.targets``) and its guides
for the portal's site search (``govhub.core.site_search.register_section``)."""

from __future__ import annotations

from govhub.ratings.targets import Target
from govhub.services.models import Booking, QueryConnector, ServiceGuide


def guide(pk: int) -> Target | None:
    g = ServiceGuide.objects.filter(pk=pk, is_published=True).select_related("department").first()
    return Target(g.name, g.department) if g else None


def query(pk: int) -> Target | None:
    c = QueryConnector.objects.filter(pk=pk).select_related("department").first()
    return Target(c.name, c.department) if c else None


def booking(pk: int) -> Target | None:
    """Only a booking the citizen came to (到场) is rated: the service took place."""
    b = (
        Booking.objects.filter(pk=pk, status=Booking.Status.ATTENDED)
        .select_related("slot__guide", "slot__department")
        .first()
    )
    return Target(b.slot.guide.name, b.slot.department) if b else None


def guides_for_site_search(query: str, limit: int) -> list:
    """办事指南 found by the portal's site search, beside its articles."""
    from govhub.core.site_search import SectionHit
    from govhub.services.access import find_guides

    out = []
    for g in list(find_guides(q=query))[:limit]:
        days = f"承诺 {g.promised_days} 个工作日" if g.promised_days else ""
        text = " · ".join(x for x in (g.department.name, days) if x)
        out.append(SectionHit(g.name, g.get_absolute_url(), text))
    return out

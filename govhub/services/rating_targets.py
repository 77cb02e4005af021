"""How 好差评 find a guide, a query or a booking (registered with ``govhub.ratings.targets``)."""

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

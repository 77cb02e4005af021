"""Back-office pages beyond plain editing: monthly figures and the day's appointments."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from govhub.core.errors import DomainError, FieldErrors
from govhub.core.permissions import get_for, require, scope_queryset
from govhub.core.pii import mask_phone
from govhub.ratings.models import RatingLevel
from govhub.services import actions, figures


def monthly(request):
    require(request.user, "view_service_figures")
    first, start, end = figures.month_bounds(request.GET.get("month", ""))
    return render(
        request,
        "services/admin/figures.html",
        {
            "month": first,
            "month_value": first.strftime("%Y-%m"),
            "rows": figures.ratings_by_department(start, end),
            "connectors": figures.connector_figures(start, end),
            "appointments": figures.appointment_figures(first, end.date()),
            "level_labels": [label for _, label in RatingLevel.choices],
        },
    )


def appointments(request):
    """The day's bookings of the person's departments; attendance is marked here."""
    import datetime as dt

    from govhub.services.models import Booking, ServiceGuide

    require(request.user, "manage_appointments")
    try:
        day = dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        day = timezone.localdate()
    if request.method == "POST":
        booking = get_for(
            request.user,
            "manage_appointments",
            Booking.objects.select_related("slot", "slot__department"),
            request.POST.get("booking"),
        )
        try:
            actions.mark_attendance(request.user, booking, request.POST.get("attended") == "1")
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已登记")
        return redirect(f"{request.path}?date={booking.slot.date.isoformat()}")
    bookings = scope_queryset(
        request.user,
        "manage_appointments",
        Booking.objects.select_related("slot", "slot__guide").filter(slot__date=day),
        "slot__department",
    ).order_by("slot__start", "pk")
    rows = [{"b": b, "name": b.name, "phone": mask_phone(b.phone)} for b in bookings]
    counts = {s: sum(1 for r in rows if r["b"].status == s) for s in Booking.Status.values}
    guides = scope_queryset(request.user, "manage_appointments", ServiceGuide.objects.all())
    form = {k: request.GET.get(k, "") for k in ("guide", "place", "pdate", "times", "capacity")}
    return render(
        request,
        "services/admin/appointments.html",
        {
            "day": day,
            "prev": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1),
            "rows": rows,
            "counts": counts,
            "guides": guides,
            "form": form,
            "errors": {},
        },
    )


def publish_slots(request):
    import datetime as dt

    from govhub.services.models import ServiceGuide

    require(request.user, "manage_appointments")
    if request.method != "POST":
        return redirect("services_admin:appointments")
    form = {k: request.POST.get(k, "") for k in ("guide", "place", "pdate", "times", "capacity")}
    errors: dict = {}
    guide = (
        scope_queryset(request.user, "manage_appointments", ServiceGuide.objects.all())
        .filter(pk=form["guide"] or 0)
        .first()
    )
    try:
        day = dt.date.fromisoformat(form["pdate"])
    except ValueError:
        day = None
        errors["pdate"] = "请选择日期"
    if guide is None:
        errors["guide"] = "请选择办理事项"
    if not errors:
        try:
            slots = actions.publish_slots(
                request.user, guide, form["place"], day, form["times"], int(form["capacity"] or 0)
            )
        except FieldErrors as exc:
            errors = {("pdate" if k == "date" else k): v for k, v in exc.errors.items()}
        except ValueError:
            errors["capacity"] = "可预约人数应为数字"
        else:
            messages.success(request, f"已发布 {len(slots)} 个时段")
            return redirect(f"{reverse('services_admin:appointments')}?date={day.isoformat()}")
    return render(
        request,
        "services/admin/appointments.html",
        {
            "day": timezone.localdate(),
            "rows": [],
            "counts": {},
            "guides": scope_queryset(
                request.user, "manage_appointments", ServiceGuide.objects.all()
            ),
            "form": form,
            "errors": errors,
            "publishing": True,
        },
        status=400,
    )

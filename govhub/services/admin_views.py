"""Back-office pages beyond plain editing: 差评回访 (call-backs) and monthly figures."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone

from govhub.core.errors import DomainError, FieldErrors
from govhub.core.permissions import can, get_for, require, scope_queryset
from govhub.core.pii import mask_phone
from govhub.services import actions, figures
from govhub.services.models import CallbackTask, RatingLevel


def callbacks(request):
    require(request.user, "handle_rating")
    status = request.GET.get("status", "open")
    qs = scope_queryset(
        request.user, "handle_rating", CallbackTask.objects.select_related("rating", "department")
    )
    if status in CallbackTask.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("due_date", "pk"), 30).get_page(request.GET.get("page"))
    today = timezone.localdate()
    return render(
        request,
        "services/admin/callbacks.html",
        {"page": page, "status": status, "today": today, "statuses": CallbackTask.Status.choices},
    )


def callback_detail(request, pk: int):
    task = get_for(
        request.user,
        "handle_rating",
        CallbackTask.objects.select_related("rating", "department", "done_by"),
        pk,
    )
    errors: dict = {}
    result = ""
    if request.method == "POST":
        result = request.POST.get("result", "")
        try:
            actions.close_callback(request.user, task, result)
        except FieldErrors as exc:
            errors = exc.errors
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("services_admin:callback", pk=task.pk)
        else:
            messages.success(request, "已办结：回访和整改情况已记录")
            return redirect("services_admin:callbacks")
    contact = task.rating.contact
    if contact and not can(request.user, "view_personal_data", task):
        contact = mask_phone(contact)
    return render(
        request,
        "services/admin/callback_detail.html",
        {
            "task": task,
            "contact": contact,
            "errors": errors,
            "result": result,
            "overdue": actions.is_overdue(task),
        },
    )


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
            "level_labels": [label for _, label in RatingLevel.choices],
        },
    )

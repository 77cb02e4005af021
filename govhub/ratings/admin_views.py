"""Back office: 差评回访 (call-backs of bad ratings) of the departments a person handles."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone

from govhub.core.errors import DomainError, FieldErrors
from govhub.core.permissions import can, get_for, require, scope_queryset
from govhub.core.pii import mask_phone, shown_text
from govhub.ratings import actions
from govhub.ratings.models import CallbackTask


def open_tasks_for(user):
    """The open call-backs of the departments ``user`` handles, soonest deadline first (the
    dashboard's 待办 panel and the list share it)."""
    return scope_queryset(
        user,
        "handle_rating",
        CallbackTask.objects.filter(status=CallbackTask.Status.OPEN).select_related(
            "rating", "department"
        ),
    ).order_by("due_date", "pk")


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
        "ratings/admin/callbacks.html",
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
            return redirect("ratings_admin:callback", pk=task.pk)
        else:
            messages.success(request, "已办结：回访和整改情况已记录")
            return redirect("ratings_admin:callbacks")
    contact = task.rating.contact
    personal = can(request.user, "view_personal_data", task)
    if contact and not personal:
        contact = mask_phone(contact)
    # the call-back record repeats what the citizen said (a phone, an ID number): masked too
    task.shown_result = shown_text(request.user, task, "result", allowed=personal)
    return render(
        request,
        "ratings/admin/callback_detail.html",
        {
            "task": task,
            "contact": contact,
            "errors": errors,
            "result": result,
            "overdue": actions.is_overdue(task),
            "reminders": task.reminders.order_by("created_at"),
        },
    )

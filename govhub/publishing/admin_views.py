"""Back-office pages for editors and reviewers: thin views over actions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from govhub.channels.adapters import adapter_for
from govhub.channels.base import marker_for
from govhub.core.permissions import can, get_for
from govhub.publishing import actions
from govhub.publishing.forms import CommentForm, PublicationForm
from govhub.publishing.models import Delivery, Publication, PubStatus

_visible = actions.visible_publications
_get = actions.get_publication_for


def publication_list(request):
    status = request.GET.get("status", "")
    qs = _visible(request.user).prefetch_related("deliveries").order_by("-updated_at")
    if status:
        qs = qs.filter(status=status)
    page = Paginator(qs, 30).get_page(request.GET.get("p"))
    return render(
        request,
        "publishing/admin/list.html",
        {
            "page_obj": page,
            "status": status,
            "statuses": PubStatus.choices,
            "can_create": can(request.user, "edit_content"),
        },
    )


@transaction.atomic
def _save_form(request, form, pub=None):
    if form.cleaned_data.get("attachment"):
        actions.validate_attachment(form.cleaned_data["attachment"])
    data = {k: v for k, v in form.cleaned_data.items() if k in actions.FIELDS}
    data["body"] = form.cleaned_data.get("rich_body") or ""
    data["targets"] = form.cleaned_data["targets"]
    data["images"] = form.cleaned_data["images"]
    if pub is None:
        dept = data.pop("department")
        pub, notes = actions.create_publication(request.user, department=dept, **data)
    else:
        notes = actions.update_publication(request.user, pub, **data)
    if form.cleaned_data.get("attachment"):
        actions.add_attachment(request.user, pub, form.cleaned_data["attachment"])
    for note in notes:
        messages.warning(request, note)
    return pub


def publication_edit(request, pk=None):
    pub = _get(request.user, pk) if pk else None
    if request.method == "POST":
        form = PublicationForm(
            request.POST, request.FILES, instance=pub if pub else None, user=request.user
        )
        if form.is_valid():
            try:
                pub = _save_form(request, form, Publication.objects.get(pk=pub.pk) if pub else None)
            except actions.PublishingError as exc:
                form.add_error(None, exc.message)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "已保存")
                return redirect("publishing_admin:detail", pk=pub.pk)
    else:
        form = PublicationForm(instance=pub, user=request.user)
    return render(request, "publishing/admin/form.html", {"form": form, "pub": pub})


def _video_context(pub) -> dict:
    from govhub.publishing.video_admin import context_for

    return context_for(pub)


def publication_detail(request, pk):
    pub = _get(request.user, pk)
    findings, overridden = actions.open_findings(pub)
    previews = []
    for account in pub.targets.all():
        marker = ""
        d = pub.deliveries.filter(account=account).first()
        if d:
            marker = marker_for(d)
        previews.append(
            (account, adapter_for(account.platform).preview(pub, account, marker=marker))
        )
    step = actions.current_step(pub)
    return render(
        request,
        "publishing/admin/detail.html",
        {
            "pub": pub,
            "findings": findings,
            "overridden": overridden,
            "blocking": [f for f in findings if f.blocking and f.fingerprint not in overridden],
            "previews": previews,
            "steps": actions.steps_for(pub),
            "step": step,
            "can_edit": pub.status in actions.EDITABLE and can(request.user, "edit_content", pub),
            "can_decide": actions.can_decide(request.user, pub),
            "refusal": _refusal_shown(request.user, pub),
            "can_override": can(request.user, "override_check", pub),
            "can_withdraw": can(request.user, "withdraw_content", pub),
            "can_edit_deliveries": can(request.user, "edit_content", pub),
            **_video_context(pub),
            "overridable": actions.OVERRIDABLE,
            "decisions": pub.decisions.select_related("actor"),
            "deliveries": pub.deliveries.select_related("account").prefetch_related("events"),
            "comment_form": CommentForm(),
        },
    )


def _refusal_shown(user, pub) -> str:
    """Why a reviewer or signer who opens a piece in review cannot decide it (the editor needs
    no such line)."""
    if not (can(user, "review_content") or can(user, "sign_content")):
        return ""
    return actions.decide_refusal(user, pub) or ""


@require_POST
def publication_action(request, pk, action):
    pub = _get(request.user, pk)
    comment = request.POST.get("comment", "")
    try:
        if action == "submit":
            actions.submit_for_review(request.user, pub)
            messages.success(request, "已送审")
        elif action == "approve":
            pub = actions.approve(request.user, pub, comment)
            messages.success(
                request,
                {
                    "published": "已签发，正在发送到各渠道",
                    "scheduled": "已签发，将在定时时间发布",
                }.get(pub.status, "已通过，转下一步审核"),
            )
        elif action == "send_back":
            actions.send_back(request.user, pub, comment)
            messages.success(request, "已退回修改")
        elif action == "reject":
            actions.reject(request.user, pub, comment)
            messages.success(request, "已作不予发布处理")
        elif action == "override":
            actions.override_finding(
                request.user,
                pub,
                request.POST.get("fingerprint", ""),
                request.POST.get("reason", ""),
            )
            messages.success(request, "已放行该项检查")
        elif action == "withdraw":
            actions.withdraw_publication(
                request.user, pub, request.POST.get("reason", "") or comment
            )
            messages.success(request, "已撤回")
        else:
            raise PermissionDenied("未知操作")
    except actions.PublishingError as exc:
        messages.error(request, exc.message)
        for item in (exc.details or [])[:10]:
            messages.error(
                request, item.get("message", "") if isinstance(item, dict) else str(item)
            )
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "无权操作")
    return redirect("publishing_admin:detail", pk=pk)


@require_POST
def delivery_action(request, pk, action):
    qs = Delivery.objects.select_related("account")
    delivery = get_object_or_404(qs, pk=pk)
    try:
        if action == "retry":
            delivery = get_for(request.user, "edit_content", qs, pk)
            actions.retry_delivery(request.user, delivery)
            messages.success(request, f"已重新排队：{delivery.account.name}")
        elif action == "withdraw":
            delivery = get_for(request.user, "withdraw_content", qs, pk)
            actions.withdraw_delivery(request.user, delivery, request.POST.get("reason", ""))
            messages.success(request, f"已撤回：{delivery.account.name}")
        elif action == "published":
            delivery = get_for(request.user, "edit_content", qs, pk)
            actions.record_manual_publication(request.user, delivery, request.POST.get("url", ""))
            messages.success(request, f"已登记发表：{delivery.account.name}")
        else:
            raise PermissionDenied("未知操作")
    except actions.PublishingError as exc:
        messages.error(request, exc.message)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "无权操作")
    return redirect("publishing_admin:detail", pk=delivery.publication_id)

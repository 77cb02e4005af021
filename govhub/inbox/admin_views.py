"""Back-office pages of the unified inbox (thin: the actions live in ``services``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from govhub.core.permissions import can
from govhub.core.pii import shown_text
from govhub.inbox import actions
from govhub.inbox.intake import preview
from govhub.inbox.models import Channel, Status


def inbox_list(request):
    if not can(request.user, "handle_inbox"):
        raise PermissionDenied
    qs = actions.visible_messages(request.user)
    status = request.GET.get("status", "open")
    channel = request.GET.get("channel", "")
    figures = actions.response_figures(qs)
    if status == "open":
        qs = qs.filter(status__in=[Status.NEW, Status.ASSIGNED])
    elif status in Status.values:
        qs = qs.filter(status=status)
    if channel in Channel.values:
        qs = qs.filter(channel=channel)
    if request.GET.get("mine") == "1":
        qs = qs.filter(assigned_to=request.user)
    page = Paginator(qs, 30).get_page(request.GET.get("p"))
    rows = [{"m": m, "preview": preview(m)} for m in page]
    return render(
        request,
        "inbox/admin/list.html",
        {
            "rows": rows,
            "page": page,
            "status": status,
            "channel": channel,
            "figures": figures,
            "statuses": [("open", "未处理"), *Status.choices, ("all", "全部")],
            "channels": Channel.choices,
        },
    )


def detail(request, pk: int):
    msg = actions.get_message_for(request.user, pk)
    window = actions.wechat_window_open(msg) if msg.channel == Channel.WECHAT else None
    staff = [u for u in actions.staff_choices() if can(u, "handle_inbox", msg)]
    return render(
        request,
        "inbox/admin/detail.html",
        {
            "m": msg,
            "text": shown_text(request.user, msg, "text"),
            "replies": msg.replies.select_related("author"),
            "window": window,
            "staff": staff,
        },
    )


@require_POST
def act(request, pk: int, action: str):
    msg = actions.get_message_for(request.user, pk)
    try:
        if action == "assign":
            uid = request.POST.get("assignee")
            user = get_user_model().objects.filter(pk=uid).first() if uid else request.user
            actions.assign_message(request.user, msg, user)
            messages.success(request, "已分派")
        elif action == "reply":
            actions.reply_to_message(request.user, msg, request.POST.get("text", ""))
            messages.success(request, "已回复，正在通过原渠道发送")
        elif action == "letter":
            letter_id = actions.convert_to_letter(
                request.user, msg, request.POST.get("subject", "")
            )
            messages.success(request, f"已转为信件（编号 {letter_id}）")
        elif action == "spam":
            actions.mark_spam(request.user, msg)
            messages.success(request, "已标记为垃圾信息")
        else:
            messages.error(request, "未知操作")
    except actions.InboxError as exc:
        messages.error(request, exc.message)
    except PermissionDenied:
        messages.error(request, "您没有处理这条留言的权限")
    except Exception as exc:  # letters intake input errors carry Chinese text
        from govhub.letters.intake import LetterInputError

        if isinstance(exc, LetterInputError):
            messages.error(request, f"转信件失败：{exc}")
        else:
            raise
    return redirect("inbox_admin:detail", pk=pk)

"""Back-office pages: accounts overview with reply settings, menu editor, subscribers, simulator."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.test import RequestFactory
from django.views.decorators.http import require_POST

from govhub.channels.models import ChannelAccount, Platform
from govhub.core.permissions import can
from govhub.wechat import actions, simulate, views
from govhub.wechat.handlers import settings_for
from govhub.wechat.models import MenuButton, Subscriber

KINDS = [("click", "点击回复"), ("view", "跳转网页")]


def _account(request, pk: int) -> ChannelAccount:
    account = (
        ChannelAccount.objects.filter(pk=pk, platform=Platform.WECHAT)
        .select_related("department")
        .first()
    )
    if account is None:
        raise Http404("公众号不存在")
    if not can(request.user, "manage_wechat", account):
        raise PermissionDenied
    return account


def overview(request):
    if not can(request.user, "manage_wechat"):
        raise PermissionDenied
    accounts = [
        a
        for a in ChannelAccount.objects.filter(platform=Platform.WECHAT).select_related(
            "department"
        )
        if can(request.user, "manage_wechat", a)
    ]
    rows = [
        {
            "a": a,
            "subs": Subscriber.objects.filter(account=a, subscribed=True).count(),
            "settings": settings_for(a),
        }
        for a in accounts
    ]
    from django.conf import settings

    return render(
        request, "wechat/admin/overview.html", {"rows": rows, "site_url": settings.SITE_URL}
    )


@require_POST
def save_settings(request, pk: int):
    account = _account(request, pk)
    actions.save_settings(
        request.user,
        account,
        welcome_text=request.POST.get("welcome_text", ""),
        fallback_text=request.POST.get("fallback_text", ""),
        default_reply=request.POST.get("default_reply", ""),
    )
    messages.success(request, "自动回复设置已保存")
    return redirect("wechat_admin:overview")


def _menu_from_post(post) -> list[actions.ButtonSpec]:
    buttons = []
    for i in range(actions.MAX_TOP):
        name = post.get(f"b{i}_name", "").strip()
        if not name:
            continue
        children = []
        for j in range(actions.MAX_SUB):
            sname = post.get(f"b{i}_{j}_name", "").strip()
            if sname:
                children.append(
                    actions.ButtonSpec(
                        sname,
                        post.get(f"b{i}_{j}_kind", "click"),
                        post.get(f"b{i}_{j}_key", "").strip(),
                        post.get(f"b{i}_{j}_url", "").strip(),
                        post.get(f"b{i}_{j}_reply", "").strip(),
                    )
                )
        buttons.append(
            actions.ButtonSpec(
                name,
                post.get(f"b{i}_kind", "click"),
                post.get(f"b{i}_key", "").strip(),
                post.get(f"b{i}_url", "").strip(),
                post.get(f"b{i}_reply", "").strip(),
                children or None,
            )
        )
    return buttons


def menu(request, pk: int):
    account = _account(request, pk)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "publish":
                actions.publish_menu(request.user, account)
                messages.success(request, "菜单已发布到微信，用户重新进入公众号后可见")
            else:
                actions.save_menu(request.user, account, _menu_from_post(request.POST))
                messages.success(request, "菜单已保存（尚未发布）")
            return redirect("wechat_admin:menu", pk=pk)
        except actions.MenuError as exc:
            messages.error(request, exc.message)
    tops = list(
        MenuButton.objects.filter(account=account, parent=None).prefetch_related("children")
    )
    grid = []
    for i in range(actions.MAX_TOP):
        top = tops[i] if i < len(tops) else None
        subs = list(top.children.all()) if top else []
        grid.append(
            {
                "i": i,
                "b": top,
                "subs": [
                    {"j": j, "b": subs[j] if j < len(subs) else None}
                    for j in range(actions.MAX_SUB)
                ],
            }
        )
    return render(
        request,
        "wechat/admin/menu.html",
        {"account": account, "grid": grid, "kinds": KINDS, "settings": settings_for(account)},
    )


def subscribers(request, pk: int):
    account = _account(request, pk)
    qs = Subscriber.objects.filter(account=account).order_by("-subscribed_at")
    page = Paginator(qs, 50).get_page(request.GET.get("p"))
    return render(
        request,
        "wechat/admin/subscribers.html",
        {"account": account, "page": page, "total": qs.filter(subscribed=True).count()},
    )


def simulator(request, pk: int):
    account = _account(request, pk)
    return render(
        request,
        "wechat/admin/simulator.html",
        {"account": account, "buttons": MenuButton.objects.filter(account=account, kind="click")},
    )


@require_POST
def simulator_send(request, pk: int):
    """Sign (and in safe mode encrypt) a push like WeChat's servers and run it through the callback."""
    account = _account(request, pk)
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"error": "bad_json", "message": "请求格式错误"}, status=400)
    openid = f"sim-{request.user.pk}"
    kind = data.get("type", "text")
    to = account.remote_id or "gh_simulator"
    if kind == "text":
        content = str(data.get("content", "")).strip()[:600]
        if not content:
            return JsonResponse({"error": "empty", "message": "请输入内容"}, status=400)
        xml = simulate.text_xml(to, openid, content)
    elif kind in ("subscribe", "unsubscribe"):
        xml = simulate.event_xml(to, openid, kind)
    elif kind == "click":
        xml = simulate.event_xml(to, openid, "CLICK", str(data.get("key", ""))[:128])
    else:
        return JsonResponse({"error": "bad_type", "message": "不支持的消息类型"}, status=400)
    push = simulate.sign_push(account, xml)
    fake = RequestFactory().post(
        f"/wechat/callback/{account.slug}/",
        data=push.body,
        content_type="text/xml",
        QUERY_STRING="&".join(f"{k}={v}" for k, v in push.query.items()),
    )
    res = views.callback(fake, account.slug)
    reply = simulate.open_reply(account, res.content, push.query) if res.status_code == 200 else {}
    articles = []
    if reply.get("MsgType") == "news":
        items = reply.get("Articles", {}).get("item", [])
        items = items if isinstance(items, list) else [items]
        articles = [
            {
                "title": a.get("Title", ""),
                "description": a.get("Description", ""),
                "url": a.get("Url", ""),
            }
            for a in items
        ]
    return JsonResponse(
        {
            "status": res.status_code,
            "mode": account.get_callback_mode_display(),
            "encrypted": b"<Encrypt>" in res.content,
            "request_xml": push.body.decode("utf-8")[:2000],
            "reply_type": reply.get("MsgType", ""),
            "reply": reply.get("Content", ""),
            "articles": articles,
            "error": "" if res.status_code == 200 else res.content.decode("utf-8", "replace"),
        }
    )

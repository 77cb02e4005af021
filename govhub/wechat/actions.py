"""Staff changes to an account's menu and reply settings; publishing the menu to WeChat."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from govhub.channels.models import ChannelAccount
from govhub.core import audit
from govhub.core.errors import DomainError
from govhub.core.permissions import require
from govhub.wechat.models import AccountSettings, MenuButton

MAX_TOP, MAX_SUB = 3, 5


class MenuError(DomainError):
    code = "invalid_menu"


@dataclass
class ButtonSpec:
    name: str
    kind: str = "click"  # click, view, parent
    key: str = ""
    url: str = ""
    reply_text: str = ""
    children: list[ButtonSpec] | None = None


def validate_menu(buttons: list[ButtonSpec]) -> None:
    if not buttons:
        raise MenuError("菜单至少要有一个一级菜单")
    if len(buttons) > MAX_TOP:
        raise MenuError("一级菜单最多 3 个")
    for b in buttons:
        if not b.name.strip():
            raise MenuError("菜单名称不能为空")
        if len(b.name.encode("utf-8")) > 16:
            raise MenuError(f"一级菜单「{b.name}」名称太长（最多 5 个汉字）")
        subs = b.children or []
        if len(subs) > MAX_SUB:
            raise MenuError(f"「{b.name}」下最多 5 个子菜单")
        for s in subs or [b]:
            if s is not b and len(s.name.encode("utf-8")) > 60:
                raise MenuError(f"子菜单「{s.name[:10]}」名称太长（最多 20 个汉字）")
            if s is not b and not s.name.strip():
                raise MenuError("子菜单名称不能为空")
            if s.kind == "view" and not s.url.startswith(("http://", "https://")):
                raise MenuError(f"「{s.name}」需要填写以 http:// 或 https:// 开头的网址")
            if s.kind == "click" and not s.key:
                raise MenuError(f"「{s.name}」需要填写事件 KEY")
            if s.kind == "parent" and s is not b:
                raise MenuError("子菜单下不能再有子菜单")


def save_menu(actor, account: ChannelAccount, buttons: list[ButtonSpec]) -> None:
    require(actor, "manage_wechat", account)
    validate_menu(buttons)
    with transaction.atomic():
        MenuButton.objects.filter(account=account).delete()
        for i, b in enumerate(buttons):
            kind = "parent" if b.children else b.kind
            top = MenuButton.objects.create(
                account=account,
                position=i,
                name=b.name,
                kind=kind,
                key=b.key if kind == "click" else "",
                url=b.url if kind == "view" else "",
                reply_text=b.reply_text,
            )
            for j, s in enumerate(b.children or []):
                MenuButton.objects.create(
                    account=account,
                    parent=top,
                    position=j,
                    name=s.name,
                    kind=s.kind,
                    key=s.key if s.kind == "click" else "",
                    url=s.url if s.kind == "view" else "",
                    reply_text=s.reply_text,
                )
        audit.record(
            actor=actor, action="wechat_menu_saved", obj=account, summary={"buttons": len(buttons)}
        )


def menu_payload(account: ChannelAccount) -> dict:
    """The menu in WeChat's menu/create shape."""

    def one(b: MenuButton) -> dict:
        if b.kind == "view":
            return {"type": "view", "name": b.name, "url": b.url}
        return {"type": "click", "name": b.name, "key": b.key}

    out = []
    for top in MenuButton.objects.filter(account=account, parent=None).prefetch_related("children"):
        subs = list(top.children.all())
        out.append({"name": top.name, "sub_button": [one(s) for s in subs]} if subs else one(top))
    return {"button": out}


def publish_menu(actor, account: ChannelAccount) -> None:
    """Send the saved menu to WeChat (menu/create). Raises MenuError with WeChat's refusal."""
    require(actor, "manage_wechat", account)
    from govhub.channels.wechat_client import WeChatClientException, make_client

    payload = menu_payload(account)
    if not payload["button"]:
        raise MenuError("请先保存菜单再发布")
    try:
        make_client(account, timeout=8).menu.create(payload)
    except WeChatClientException as exc:
        raise MenuError(f"微信拒绝了菜单（错误码 {exc.errcode}）：{exc.errmsg}") from exc
    except Exception as exc:  # network errors from requests
        raise MenuError("无法连接微信接口，请稍后重试") from exc
    with transaction.atomic():
        settings, _ = AccountSettings.objects.get_or_create(account=account)
        settings.menu_published_at = timezone.now()
        settings.save(update_fields=["menu_published_at"])
        audit.record(actor=actor, action="wechat_menu_published", obj=account, summary={})


def save_settings(
    actor, account: ChannelAccount, *, welcome_text: str, fallback_text: str, default_reply: str
) -> AccountSettings:
    require(actor, "manage_wechat", account)
    with transaction.atomic():
        s, _ = AccountSettings.objects.get_or_create(account=account)
        s.welcome_text, s.fallback_text, s.default_reply = (
            welcome_text[:2000],
            fallback_text[:2000],
            default_reply[:2000],
        )
        s.save()
        audit.record(actor=actor, action="wechat_settings_saved", obj=account, summary={})
    return s

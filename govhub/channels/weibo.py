"""Weibo adapter over the open API (statuses/share, destroy, user_timeline, count).

Weibo's share API takes text of at most 140 characters that must contain a link, and one
picture; the preview shows up to 9 pictures (the platform's limit for a post) and the adapter
attaches the first, the link leading to the full piece on the portal. Weibo access tokens are
OAuth user grants that cannot be renewed by the server: an expired one gives up the delivery
with a message asking the administrator to re-authorise the account.
"""

from __future__ import annotations

import datetime as dt
import os

import requests
from django.conf import settings

from govhub.channels import render
from govhub.channels.base import (
    ChannelError,
    Figures,
    Finding,
    Preview,
    Progress,
    Sent,
    link_with_marker,
    marker_for,
)

TIMEOUT = float(os.environ.get("GOVHUB_WEIBO_TIMEOUT", "10"))
IMAGE_MAX_BYTES = 5 * 1024 * 1024
PERMANENT = {
    21327: "微博授权已过期，请管理员在“渠道账号”中重新授权",
    21332: "微博访问令牌无效，请管理员在“渠道账号”中重新授权",
    21501: "微博访问令牌无效，请管理员在“渠道账号”中重新授权",
    20021: "内容未通过微博平台审核，请修改后重新提交",
    20012: "微博文字超过 140 字",
    10017: "微博内容须包含链接",
}


class WeiboAdapter:
    platform = "weibo"
    can_withdraw = True

    def configured(self, account) -> bool:
        return bool(account is not None and account.access_token)

    def base(self, account) -> str:
        return (account.api_base or settings.WEIBO_API_BASE).rstrip("/")

    def message_base(self, account) -> str:
        """The fan-service (粉丝服务) host for private-message replies: m.api.weibo.com."""
        return (
            account.api_base
            or getattr(settings, "WEIBO_MESSAGE_API_BASE", "https://m.api.weibo.com")
        ).rstrip("/")

    def _call(self, method: str, account, path: str, **kw):
        url = f"{kw.pop('base', None) or self.base(account)}/2/{path}"
        timeout = kw.pop("timeout", TIMEOUT)
        try:
            res = requests.request(method, url, timeout=timeout, **kw)
        except requests.Timeout as exc:
            raise ChannelError(
                "微博接口响应超时，稍后重试（重试前会先核对是否已发出）",
                ambiguous=True,
                code="timeout",
            ) from exc
        except requests.RequestException as exc:
            raise ChannelError(
                "无法连接微博接口，稍后重试", ambiguous=True, code="network"
            ) from exc
        if res.status_code >= 500:
            raise ChannelError(
                f"微博接口暂时故障（HTTP {res.status_code}），稍后重试", ambiguous=True, code="http"
            )
        try:
            data = res.json()
        except ValueError as exc:
            raise ChannelError("微博接口返回了无法识别的内容", ambiguous=True, code="http") from exc
        if isinstance(data, dict) and data.get("error_code"):
            code = int(data["error_code"])
            if code in PERMANENT:
                raise ChannelError(PERMANENT[code], permanent=True, code=f"wb{code}")
            if code in (10022, 10023, 10024):
                raise ChannelError("微博接口调用频率超限，稍后重试", retry_after=600, code="quota")
            if code == 20019:
                raise ChannelError(
                    "微博提示内容重复，核对是否已发出", ambiguous=True, code="wb20019"
                )
            raise ChannelError(
                f"微博接口返回错误 {code}：{data.get('error', '')}", code=f"wb{code}"
            )
        return data

    def preview(self, publication, account, *, marker: str = "") -> Preview:
        link = link_with_marker(publication.public_url, marker)
        images = (
            list(publication.images.all()[: render.WEIBO_IMAGE_LIMIT]) if publication.pk else []
        )
        return Preview(
            "weibo",
            {
                "text": render.weibo_text(publication, link),
                "images": [img.file.url for img in images],
                "link": link,
                "account": account.name if account else "",
            },
        )

    def validate(self, publication, account) -> list:
        out = []
        n = publication.images.count() if publication.pk else 0
        if n > render.WEIBO_IMAGE_LIMIT:
            out.append(Finding("channel_limit", "blocking", f"微博最多 9 张配图，当前 {n} 张"))
        for img in publication.images.all() if publication.pk else []:
            if (img.file_size or 0) > IMAGE_MAX_BYTES:
                out.append(
                    Finding(
                        "channel_limit",
                        "blocking",
                        f"配图“{img.title}”{(img.file_size or 0) / 1048576:.1f}MB，超过微博 5MB 上限",
                    )
                )
        short = (publication.short_text or "").strip()
        if len(short) > render.WEIBO_TEXT_LIMIT - 30:
            out.append(
                Finding(
                    "channel_limit",
                    "warning",
                    f"微博文字 {len(short)} 字，加上链接将超过 140 字，发布时会截断",
                )
            )
        if account is not None and not account.access_token:
            out.append(
                Finding("credential", "blocking", f"微博账号“{account.name}”未授权（缺少访问令牌）")
            )
        return out

    def publish(self, delivery, progress: Progress) -> Sent:
        pub, account = delivery.publication, delivery.account
        text = self.preview(pub, account, marker=marker_for(delivery)).fields["text"]
        data = {"access_token": account.access_token, "status": text}
        first = pub.images.first()
        if first is not None:
            with first.file.open("rb") as fh:
                files = {"pic": (os.path.basename(first.file.name), fh.read())}
            status = self._call("POST", account, "statuses/share.json", data=data, files=files)
        else:
            status = self._call("POST", account, "statuses/share.json", data=data)
        uid = status.get("user", {}).get("idstr") or account.remote_id
        return Sent(status["idstr"], f"https://weibo.com/{uid}/{status['idstr']}")

    def find_existing(self, delivery, progress: Progress) -> Sent | None:
        marker = marker_for(delivery)
        account = delivery.account
        for page in (1, 2, 3):
            res = self._call(
                "GET",
                account,
                "statuses/user_timeline.json",
                params={"access_token": account.access_token, "count": 100, "page": page},
            )
            statuses = res.get("statuses", [])
            for s in statuses:
                if marker in s.get("text", ""):
                    uid = s.get("user", {}).get("idstr") or account.remote_id
                    return Sent(s["idstr"], f"https://weibo.com/{uid}/{s['idstr']}")
            if len(statuses) < 100:
                break
        return None

    def withdraw(self, delivery) -> None:
        try:
            self._call(
                "POST",
                delivery.account,
                "statuses/destroy.json",
                data={"access_token": delivery.account.access_token, "id": delivery.remote_id},
            )
        except ChannelError as exc:
            if exc.code != "wb20101":  # already gone
                raise

    def fetch_figures(self, account, deliveries: list, day: dt.date) -> dict[int, Figures]:
        """Weibo reports running totals (comments, reposts, attitudes) per post, 100 ids per call."""
        by_id = {d.remote_id: d.pk for d in deliveries if d.remote_id}
        out: dict[int, Figures] = {}
        ids = list(by_id)
        for i in range(0, len(ids), 100):
            rows = self._call(
                "GET",
                account,
                "statuses/count.json",
                params={"access_token": account.access_token, "ids": ",".join(ids[i : i + 100])},
            )
            for row in rows:
                pk = by_id.get(str(row.get("idstr") or row.get("id")))
                if pk:
                    out[pk] = Figures(
                        likes=int(row.get("attitudes", 0)),
                        shares=int(row.get("reposts", 0)),
                        comments=int(row.get("comments", 0)),
                        is_total=True,
                    )
        return out

    # --- citizens writing in: mentions and private messages; answers back ---------------
    def fetch_mentions(self, account, since_id: str = "") -> list[dict]:
        """Posts that @-mention the account, newest first (statuses/mentions)."""
        params = {"access_token": account.access_token, "count": 50}
        if since_id:
            params["since_id"] = since_id
        return self._call("GET", account, "statuses/mentions.json", params=params).get(
            "statuses", []
        )

    def fetch_private_messages(self, account, since_id: str = "") -> list[dict]:
        """Private messages received by the account, newest first (direct_messages)."""
        params = {"access_token": account.access_token, "count": 50}
        if since_id:
            params["since_id"] = since_id
        return self._call("GET", account, "direct_messages.json", params=params).get(
            "direct_messages", []
        )

    def send_private_message(self, account, uid: str, text: str) -> str:
        """A text reply to a user who wrote to the account (fan-service messages/reply)."""
        import json

        res = self._call(
            "POST",
            account,
            "messages/reply.json",
            base=self.message_base(account),
            data={
                "access_token": account.access_token,
                "type": "text",
                "data": json.dumps({"text": text[:1000]}, ensure_ascii=False),
                "receiver_id": uid,
                "save_sender_box": 1,
            },
        )
        return str(res.get("id") or res.get("idstr") or "")

    def comment(self, account, status_id: str, text: str) -> str:
        """A comment on a post (the answer to a mention); Weibo allows 140 characters."""
        res = self._call(
            "POST",
            account,
            "comments/create.json",
            data={"access_token": account.access_token, "id": status_id, "comment": text[:140]},
        )
        return str(res.get("idstr") or res.get("id") or "")

    def reply_comment(self, account, status_id: str, comment_id: str, text: str) -> str:
        """A reply to a citizen's comment under one of the account's posts."""
        res = self._call(
            "POST",
            account,
            "comments/reply.json",
            data={
                "access_token": account.access_token,
                "cid": comment_id,
                "id": status_id,
                "comment": text[:140],
            },
        )
        return str(res.get("idstr") or res.get("id") or "")

    def comments_by_me(self, account, count: int = 50) -> list[dict]:
        """The account's own latest comments, newest first (comments/by_me) — how a retry asks
        whether an interrupted comment already went out."""
        return self._call(
            "GET",
            account,
            "comments/by_me.json",
            params={"access_token": account.access_token, "count": count},
        ).get("comments", [])


class WeiboSender:
    """A direct answer to one Weibo user: payload ``weibo.mode`` is ``dm`` (a private-message
    reply, ``text``), ``comment`` (a comment on the user's post ``weibo.status_id``, ``short``)
    or ``comment_reply`` (a reply to their comment ``weibo.comment_id`` under
    ``weibo.status_id``). A comment is public: it carries the short text only."""

    platform = "weibo"

    def __init__(self, client: WeiboAdapter | None = None) -> None:
        self.client = client or WeiboAdapter()

    def configured(self, account) -> bool:
        return bool(account is not None and account.access_token)

    @staticmethod
    def _comment_text(message) -> str:
        payload = message.payload
        return (payload.get("short") or payload.get("text", ""))[:140]

    def send(self, message, progress: Progress) -> Sent:
        account, payload = message.account, message.payload
        ref = payload.get("weibo") or {}
        mode = ref.get("mode", "dm")
        if mode == "comment":
            cid = self.client.comment(
                account, ref.get("status_id", ""), self._comment_text(message)
            )
            return Sent(cid, "", "已评论回复")
        if mode == "comment_reply":
            cid = self.client.reply_comment(
                account,
                ref.get("status_id", ""),
                ref.get("comment_id", ""),
                self._comment_text(message),
            )
            return Sent(cid, "", "已回复评论")
        if not message.recipient:
            raise ChannelError("没有该用户的微博标识，未发送", unconfigured=True, code="no_uid")
        mid = self.client.send_private_message(account, message.recipient, payload.get("text", ""))
        return Sent(mid, "", "已发送私信")

    def find_existing(self, message, progress: Progress) -> Sent | None:
        """A comment can be found again among the account's own comments (same post, same
        text, made after the message was queued); a private message cannot."""
        ref = message.payload.get("weibo") or {}
        if ref.get("mode") not in ("comment", "comment_reply"):
            return None
        text, status_id = self._comment_text(message), str(ref.get("status_id", ""))
        since = message.created_at.timestamp() - 60 if message.created_at else 0
        for c in self.client.comments_by_me(message.account):
            on = str((c.get("status") or {}).get("idstr") or (c.get("status") or {}).get("id", ""))
            when = _posted_at(c.get("created_at", ""))
            if c.get("text") == text and on == status_id and (when is None or when >= since):
                return Sent(str(c.get("idstr") or c.get("id")), "", "已评论回复")
        return None


def _posted_at(created_at: str) -> float | None:
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(created_at).timestamp()
    except (TypeError, ValueError):
        return None

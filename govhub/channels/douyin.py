"""Douyin (抖音) through its open platform (open.douyin.com): the one module that talks to it.

A publication that carries a video goes out in steps, each remembered in the message's
``progress`` so a retry continues instead of starting over:

1. the video file is uploaded (``/api/douyin/v1/video/upload_video/``, or in 5–20 MB parts through
   ``init_video_part_upload`` / ``upload_video_part`` / ``complete_video_part_upload`` above
   128 MB) → ``video_id``;
2. the cover image, if the piece has one, is uploaded (``upload_image``) → ``image_id``;
3. the video is created (``create_video``) with the caption as its text → ``item_id``.

Douyin reviews every new video (only its author sees it meanwhile); the figures come back from
``video_data`` (plays, likes, comments, shares — running totals) for supervision. Douyin takes
no idempotency key: after an ambiguous failure of step 3 a retry first asks ``video_list`` for a
video made from our ``video_id`` (Douyin marks ``video_list`` as offline for some apps: then it
cannot be asked, and the retry may create the video twice — see docs/outbox.md). The account is
authorised by the user (OAuth): ``access_token`` lasts 15 days and is renewed with the
``refresh_token`` (30 days); after that an administrator must authorise again.

Limits (open platform, 上传视频): mp4 or webm recommended, at most 4 GB and 15 minutes; the
creator centre shows a title of 30 characters and a description of at most 1,000.
"""

from __future__ import annotations

import datetime as dt
import logging
import os

import requests
from django.conf import settings

from govhub.channels.base import ChannelError, Figures, Finding, Preview, Progress, Sent
from govhub.channels.models import ChannelAccount

log = logging.getLogger(__name__)

TIMEOUT = float(os.environ.get("GOVHUB_DOUYIN_TIMEOUT", "60"))
MAX_BYTES = 4 * 1024**3
SINGLE_UPLOAD_BYTES = 128 * 1024**2  # above this the open platform requires parts
PART_BYTES = 20 * 1024**2
MAX_SECONDS = 15 * 60
CAPTION_LIMIT = 1000
TITLE_SHOWN = 30
FORMATS = {"mp4", "webm", "mov"}

TOKEN_EXPIRED = {28001008, 2190008}  # access_token 过期 (new and old codes)
PERMANENT = {
    28001012: "抖音账号未授权本应用发布视频（video.create），请管理员重新授权",
    28001016: "抖音开放平台应用已被封禁或下线",
    28001019: "抖音发布能力已被封禁或下线",
    28001045: "抖音账号已注销",
    28001046: "抖音账号已被封禁",
    2100005: "抖音接口参数不合法",
    28001007: "抖音接口参数不合法",
}
BUSY = {28001005, 28001006, 2100004, 28001052}
QUOTA = {28003017, 28003018, 2190001}
OFFLINE = 28001056


def api_base(account: ChannelAccount) -> str:
    return (
        account.api_base
        or os.environ.get("GOVHUB_DOUYIN_API_BASE")
        or getattr(settings, "DOUYIN_API_BASE", "https://open.douyin.com")
    ).rstrip("/")


def _error(code: int, description: str) -> ChannelError:
    if code in PERMANENT:
        return ChannelError(PERMANENT[code], permanent=True, code=f"dy{code}")
    if code in QUOTA:
        return ChannelError("抖音接口调用次数或频率超限，稍后重试", retry_after=600, code="quota")
    if code in BUSY:
        return ChannelError("抖音接口繁忙，稍后重试", code=f"dy{code}")
    return ChannelError(f"抖音接口返回错误 {code}：{description}", code=f"dy{code}")


class DouyinClient:
    """Calls of one authorised Douyin account, with one token renewal on expiry."""

    def __init__(self, account: ChannelAccount, timeout: float | None = None) -> None:
        self.account = account
        self.timeout = timeout or TIMEOUT
        self.base = api_base(account)

    def call(self, method: str, path: str, *, json=None, files=None, params=None, _renewed=False):
        query = {"open_id": self.account.remote_id, **(params or {})}
        headers = {"access-token": self.account.access_token}
        try:
            res = requests.request(
                method,
                self.base + path,
                params=query,
                json=json,
                files=files,
                headers=headers,
                timeout=self.timeout,
            )
        except requests.Timeout as exc:
            raise ChannelError(
                "抖音接口响应超时，稍后重试（重试前会先核对是否已发出）",
                ambiguous=True,
                code="timeout",
            ) from exc
        except requests.RequestException as exc:
            raise ChannelError(
                "无法连接抖音接口，稍后重试", ambiguous=True, code="network"
            ) from exc
        if res.status_code >= 500:
            raise ChannelError(
                f"抖音接口暂时故障（HTTP {res.status_code}），稍后重试", ambiguous=True, code="http"
            )
        try:
            body = res.json()
        except ValueError as exc:
            raise ChannelError("抖音接口返回了无法识别的内容", ambiguous=True, code="http") from exc
        data = body.get("data") or {}
        extra = body.get("extra") or {}
        code = int(data.get("error_code") or extra.get("error_code") or 0)
        if code in TOKEN_EXPIRED and not _renewed:
            self.renew_token()
            return self.call(method, path, json=json, files=files, params=params, _renewed=True)
        if code:
            raise _error(code, data.get("description") or extra.get("description") or "")
        return data

    def renew_token(self) -> None:
        """Renew the user's access token with the refresh token (OAuth); saved on the account."""
        account = self.account
        if not account.refresh_token:
            raise ChannelError(
                "抖音授权已过期，请管理员在“渠道账号”中重新授权", permanent=True, code="dy_expired"
            )
        try:
            res = requests.post(
                self.base + "/oauth/refresh_token/",
                data={
                    "client_key": account.app_id,
                    "grant_type": "refresh_token",
                    "refresh_token": account.refresh_token,
                },
                timeout=self.timeout,
            )
            data = res.json().get("data") or {}
        except (requests.RequestException, ValueError) as exc:
            raise ChannelError("无法续期抖音授权，稍后重试", code="dy_refresh") from exc
        if int(data.get("error_code") or 0) or not data.get("access_token"):
            raise ChannelError(
                "抖音授权已过期且无法续期，请管理员在“渠道账号”中重新授权",
                permanent=True,
                code="dy_expired",
            )
        account.access_token = data["access_token"]
        account.refresh_token = data.get("refresh_token") or account.refresh_token
        ChannelAccount.objects.filter(pk=account.pk).update(
            access_token=account.access_token, refresh_token=account.refresh_token
        )

    # --- the calls govhub uses ----------------------------------------------------------
    def upload_video(self, name: str, fh, size: int) -> str:
        if size <= SINGLE_UPLOAD_BYTES:
            data = self.call(
                "POST",
                "/api/douyin/v1/video/upload_video/",
                files={"video": (name, fh.read(), "video/mp4")},
            )
            return data["video"]["video_id"]
        init = self.call("POST", "/api/douyin/v1/video/init_video_part_upload/", json={})
        upload_id = init["upload_id"]
        part = 1
        while chunk := fh.read(PART_BYTES):
            self.call(
                "POST",
                "/api/douyin/v1/video/upload_video_part/",
                params={"upload_id": upload_id, "part_number": part},
                files={"video": (name, chunk, "video/mp4")},
            )
            part += 1
        data = self.call(
            "POST",
            "/api/douyin/v1/video/complete_video_part_upload/",
            params={"upload_id": upload_id},
            json={},
        )
        return data["video"]["video_id"]

    def upload_image(self, name: str, content: bytes) -> str:
        data = self.call(
            "POST",
            "/api/douyin/v1/video/upload_image/",
            files={"image": (name, content, "image/jpeg")},
        )
        return data["image"]["image_id"]

    def create_video(self, body: dict) -> str:
        return str(self.call("POST", "/api/douyin/v1/video/create_video/", json=body)["item_id"])

    def video_list(self, cursor: int = 0, count: int = 20) -> dict:
        return self.call(
            "GET", "/api/douyin/v1/video/video_list/", params={"cursor": cursor, "count": count}
        )

    def video_data(self, item_ids: list[str]) -> list[dict]:
        return self.call("POST", "/api/douyin/v1/video/video_data/", json={"item_ids": item_ids})[
            "list"
        ]


def caption_of(publication) -> str:
    video = getattr(publication, "video", None)
    text = (getattr(video, "caption", "") or "").strip()
    return text or f"{publication.title}"


class DouyinAdapter:
    platform = "douyin"
    can_withdraw = False  # deleting needs the separate video.delete grant: done in the app

    def client(self, account) -> DouyinClient:
        return DouyinClient(account)

    def configured(self, account) -> bool:
        return bool(account is not None and account.access_token and account.remote_id)

    def preview(self, publication, account, *, marker: str = "") -> Preview:
        video = _video_of(publication)
        return Preview(
            "douyin",
            {
                "caption": caption_of(publication),
                "video_url": video.file.url if video else "",
                "cover_url": publication.cover.file.url if publication.cover_id else "",
                "duration": video.duration if video else 0,
                "size": video.size if video else 0,
                "account": account.name if account else "",
            },
        )

    def validate(self, publication, account) -> list:
        return video_limits(
            publication,
            name="抖音",
            max_seconds=MAX_SECONDS,
            max_bytes=MAX_BYTES,
            formats=FORMATS,
            caption_limit=CAPTION_LIMIT,
            title_shown=TITLE_SHOWN,
        ) + (
            [
                Finding(
                    "credential",
                    "blocking",
                    f"抖音账号“{account.name}”未授权（缺少访问令牌或 open_id）",
                )
            ]
            if account is not None and not self.configured(account)
            else []
        )

    def publish(self, message, progress: Progress) -> Sent:
        pub = message.source
        video = _video_of(pub)
        if video is None:
            raise ChannelError("稿件没有视频，无法发布到抖音", permanent=True, code="no_video")
        client = self.client(message.account)
        if not message.progress.get("video_id"):
            with video.file.open("rb") as fh:
                name = os.path.basename(video.file.name)
                progress(video_id=client.upload_video(name, fh, video.size))
        if pub.cover_id and not message.progress.get("image_id"):
            with pub.cover.file.open("rb") as fh:
                name = os.path.basename(pub.cover.file.name)
                progress(image_id=client.upload_image(name, fh.read()))
        body = {"video_id": message.progress["video_id"], "text": caption_of(pub)}
        if message.progress.get("image_id"):
            body["custom_cover_image_url"] = message.progress["image_id"]
        item_id = client.create_video(body)
        return Sent(item_id, "", "已提交抖音，平台审核通过后公开")

    def find_existing(self, message, progress: Progress) -> Sent | None:
        """A video created from our uploaded video_id (video_list, newest first)."""
        video_id = message.progress.get("video_id")
        if not video_id:
            return None  # nothing was uploaded, so nothing can have been created
        client = self.client(message.account)
        since = message.created_at.timestamp() - 60 if message.created_at else 0
        cursor = 0
        for _ in range(10):
            try:
                page = client.video_list(cursor)
            except ChannelError as exc:
                if exc.code == f"dy{OFFLINE}":
                    log.warning("douyin video_list is offline for this app: cannot ask")
                    return None
                raise
            for item in page.get("list", []):
                if item.get("video_id") == video_id:
                    return Sent(str(item["item_id"]), item.get("share_url", ""), "已提交抖音")
            items = page.get("list", [])
            if not page.get("has_more") or (items and int(items[-1].get("create_time", 0)) < since):
                break
            cursor = page.get("cursor", 0)
        return None

    def withdraw(self, message) -> None:
        raise ChannelError(
            "抖音视频请在抖音 App 或创作者中心删除；已记录撤回",
            permanent=True,
            code="dy_no_withdraw",
        )

    def fetch_figures(self, account, deliveries: list, day: dt.date) -> dict[int, Figures]:
        """Running totals per video (plays, likes, comments, shares) from video_data."""
        by_item = {d.remote_id: d.pk for d in deliveries if d.remote_id}
        out: dict[int, Figures] = {}
        ids = list(by_item)
        client = self.client(account)
        for i in range(0, len(ids), 20):
            for row in client.video_data(ids[i : i + 20]):
                pk = by_item.get(str(row.get("item_id")))
                stats = row.get("statistics") or {}
                if pk:
                    plays = int(stats.get("play_count", 0))
                    out[pk] = Figures(
                        reads=plays,
                        plays=plays,
                        likes=int(stats.get("digg_count", 0)),
                        comments=int(stats.get("comment_count", 0)),
                        shares=int(stats.get("share_count", 0))
                        + int(stats.get("forward_count", 0)),
                        is_total=True,
                    )
        return out


def _video_of(publication):
    try:
        return publication.video
    except Exception:  # noqa: BLE001 - no video attached (RelatedObjectDoesNotExist)
        return None


def video_limits(
    publication,
    *,
    name: str,
    max_seconds: float | None,
    max_bytes: int | None,
    formats: set[str],
    caption_limit: int,
    title_shown: int | None = None,
    severity: str = "blocking",
) -> list[Finding]:
    """The limits one video platform puts on a piece's video, cover and caption."""
    out: list[Finding] = []
    video = _video_of(publication) if publication.pk else None
    if video is None:
        return [Finding("channel_limit", "blocking", f"发布到{name}需要视频，请在“视频”中上传")]
    if video.container and video.container not in formats:
        out.append(
            Finding(
                "channel_limit",
                severity,
                f"视频格式 {video.container} 不被{name}支持（限 {'/'.join(sorted(formats))}）",
            )
        )
    if max_seconds and video.duration > max_seconds:
        out.append(
            Finding(
                "channel_limit",
                severity,
                f"视频时长 {video.duration / 60:.1f} 分钟，超过{name} {max_seconds // 60:.0f} 分钟上限",
            )
        )
    if max_bytes and video.size > max_bytes:
        out.append(
            Finding(
                "channel_limit",
                severity,
                f"视频 {video.size / 1024**3:.1f}GB，超过{name} {max_bytes / 1024**3:.0f}GB 上限",
            )
        )
    caption = caption_of(publication)
    if len(caption) > caption_limit:
        out.append(
            Finding(
                "channel_limit",
                severity,
                f"视频文案 {len(caption)} 字，超过{name} {caption_limit} 字上限",
            )
        )
    elif title_shown and len(caption.splitlines()[0] if caption else "") > title_shown:
        out.append(
            Finding(
                "channel_limit",
                "warning",
                f"{name}标题只显示前 {title_shown} 字，文案第一行请控制在 {title_shown} 字以内",
            )
        )
    if publication.cover_id is None:
        out.append(Finding("missing_cover", "warning", f"未上传封面，{name}将截取视频画面作为封面"))
    return out

"""WeChat official-account adapter: cover to permanent material, draft, free publish, status
polling, lookup by marker, delete, article statistics — all through wechatpy's client."""

from __future__ import annotations

import datetime as dt
import os

import requests
from django.conf import settings
from wechatpy.exceptions import WeChatClientException

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
from govhub.channels.wechat_client import make_client

IMAGE_MAX_BYTES = 10 * 1024 * 1024
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".gif", ".bmp"}
CREDENTIAL_ERRORS = {40013, 40125, 40164, 41004, 40002, 61004}
PERMANENT = {
    45166: "内容未通过微信平台审核，请修改后重新提交",
    45003: "标题超过微信限制（64 字）",
    45004: "摘要超过微信限制（120 字）",
    40009: "图片超过微信大小限制（10MB）",
    40004: "图片格式不被微信支持",
    44003: "图文内容为空",
    40003: "用户标识（openid）无效",
    40037: "模板 ID 无效，请在“微信模板消息”中更正",
    43004: "该用户已取消关注公众号，无法发送",
    47003: "模板消息内容不符合模板要求",
}
LOOKUP_PAGES = 100  # at most 2,000 recent articles
TIMEOUT = float(os.environ.get("GOVHUB_WECHAT_TIMEOUT", "10"))


def _translate(exc: Exception) -> ChannelError:
    if isinstance(exc, requests.Timeout):
        return ChannelError(
            "微信接口响应超时，稍后重试（重试前会先核对是否已发出）", ambiguous=True, code="timeout"
        )
    if isinstance(exc, requests.RequestException):
        return ChannelError("无法连接微信接口，稍后重试", ambiguous=True, code="network")
    if isinstance(exc, WeChatClientException):
        code = exc.errcode
        if code is None:
            status = getattr(getattr(exc, "response", None), "status_code", "")
            return ChannelError(
                f"微信接口暂时故障（HTTP {status}），稍后重试", ambiguous=True, code="http"
            )
        code = int(code)
        if code in CREDENTIAL_ERRORS:
            return ChannelError(
                "公众号凭据无效或已过期（AppID/AppSecret 或 IP 白名单），请管理员在“渠道账号”中更新",
                permanent=True,
                code=f"wx{code}",
            )
        if code == 45009:
            return ChannelError(
                "公众号今日接口调用次数已用完（45009），将稍后重试", retry_after=3600, code="quota"
            )
        if code == 45011 or code == -1:
            return ChannelError("微信接口繁忙，稍后重试", code=f"wx{code}")
        if code in PERMANENT:
            return ChannelError(PERMANENT[code], permanent=True, code=f"wx{code}")
        return ChannelError(f"微信接口返回错误 {code}：{exc.errmsg}", code=f"wx{code}")
    return ChannelError(f"微信发布失败：{type(exc).__name__}", ambiguous=True)


class WeChatAdapter:
    platform = "wechat"
    can_withdraw = True

    def client(self, account):
        return make_client(account, timeout=TIMEOUT)

    def configured(self, account) -> bool:
        return bool(account is not None and account.app_id and account.app_secret)

    def preview(self, publication, account, *, marker: str = "") -> Preview:
        site = settings.SITE_URL
        cover = publication.cover
        return Preview(
            "wechat",
            {
                "title": publication.title,
                "digest": render.digest_of(publication),
                "cover_url": cover.file.url if cover else "",
                "content_html": render.absolutise(render.wechat_body(publication.body), site),
                "source_url": link_with_marker(publication.public_url, marker),
                "account": account.name if account else "",
            },
        )

    def validate(self, publication, account) -> list:
        out = []
        sev = "blocking"
        if publication.cover_id is None:
            out.append(Finding("missing_cover", sev, "发布到微信公众号需要封面图，请上传封面"))
        else:
            cover = publication.cover
            ext = os.path.splitext(cover.file.name)[1].lower()
            if ext not in IMAGE_EXTENSIONS:
                out.append(
                    Finding(
                        "channel_limit", sev, f"封面图格式 {ext} 不被微信支持（限 JPG/PNG/GIF/BMP）"
                    )
                )
            size = cover.file_size or 0
            if size > IMAGE_MAX_BYTES:
                out.append(
                    Finding(
                        "channel_limit",
                        sev,
                        f"封面图 {size / 1048576:.1f}MB，超过微信 10MB 上限，请压缩后重新上传",
                    )
                )
        if len(publication.title) > render.WECHAT_TITLE_LIMIT:
            out.append(
                Finding(
                    "channel_limit", sev, f"标题 {len(publication.title)} 字，超过微信 64 字上限"
                )
            )
        if len((publication.digest or "").strip()) > render.WECHAT_DIGEST_LIMIT:
            out.append(
                Finding(
                    "channel_limit",
                    sev,
                    f"摘要 {len(publication.digest.strip())} 字，超过微信 120 字上限",
                )
            )
        if account is not None and not (account.app_id and account.app_secret):
            out.append(Finding("credential", sev, f"公众号“{account.name}”未配置 AppID/AppSecret"))
        return out

    # --- publish ---------------------------------------------------------------------
    def publish(self, delivery, progress: Progress) -> Sent:
        pub, account = delivery.publication, delivery.account
        state = delivery.progress
        try:
            client = self.client(account)
            if not state.get("publish_id"):
                if not state.get("draft_id"):
                    if pub.cover_id is None:
                        raise ChannelError(
                            "缺少封面图，无法发布到微信", permanent=True, code="missing_cover"
                        )
                    with pub.cover.file.open("rb") as fh:
                        data = fh.read()
                    material = client.material.add(
                        "image", (os.path.basename(pub.cover.file.name), data)
                    )
                    preview = self.preview(pub, account, marker=marker_for(delivery)).fields
                    article = {
                        "title": pub.title,
                        "author": account.name[:16],
                        "digest": preview["digest"],
                        "content": preview["content_html"],
                        "content_source_url": preview["source_url"],
                        "thumb_media_id": material["media_id"],
                        "need_open_comment": 1,
                        "only_fans_can_comment": 0,
                    }
                    draft = client.post_json("draft/add", {"articles": [article]})
                    progress(draft_id=draft["media_id"])
                try:
                    submitted = client.post_json(
                        "freepublish/submit", {"media_id": delivery.progress["draft_id"]}
                    )
                except WeChatClientException as exc:
                    if exc.errcode is not None and int(exc.errcode) == 40007:
                        # the draft is gone: an earlier, interrupted submit may have published it
                        raise ChannelError(
                            "草稿已不在草稿箱，核对是否已发布", ambiguous=True, code="wx40007"
                        ) from exc
                    raise
                progress(publish_id=str(submitted["publish_id"]))
            return self._poll(client, delivery)
        except ChannelError:
            raise
        except Exception as exc:  # noqa: BLE001 - every failure becomes a ChannelError the outbox understands
            raise _translate(exc) from exc

    def _poll(self, client, delivery) -> Sent:
        status = client.post_json(
            "freepublish/get", {"publish_id": delivery.progress.get("publish_id", "")}
        )
        code = int(status.get("publish_status", 1))
        if code == 0:
            items = status.get("article_detail", {}).get("item", [])
            return Sent(str(status["article_id"]), items[0]["article_url"] if items else "")
        if code == 1:
            raise ChannelError("微信正在发布，稍后查询结果", retry_after=30, code="publishing")
        messages = {
            2: "原创声明失败",
            3: "常规失败",
            4: "平台审核不通过",
            5: "成功后用户删除所有文章",
            6: "成功后系统封禁所有文章",
        }
        raise ChannelError(
            f"微信发布失败：{messages.get(code, code)}", permanent=True, code=f"publish{code}"
        )

    def find_existing(self, delivery, progress: Progress) -> Sent | None:
        """Ask WeChat whether an earlier attempt already published (or drafted) this delivery."""
        marker = marker_for(delivery)
        try:
            client = self.client(account=delivery.account)
            if delivery.progress.get("publish_id"):
                try:
                    return self._poll(client, delivery)
                except ChannelError as exc:
                    if exc.code == "publishing":
                        raise
                    progress(publish_id="")
            # newest first, back to when the delivery was queued (nothing older can be ours)
            since = int(delivery.created_at.timestamp()) - 60 if delivery.created_at else 0
            for page in range(LOOKUP_PAGES):
                res = client.post_json(
                    "freepublish/batchget", {"offset": page * 20, "count": 20, "no_content": 1}
                )
                items = res.get("item", [])
                for item in items:
                    for news in item.get("content", {}).get("news_item", []):
                        if marker in news.get("content_source_url", "") and not news.get(
                            "is_deleted"
                        ):
                            return Sent(str(item["article_id"]), news.get("url", ""))
                if res.get("item_count", 0) < 20 or (
                    items and int(items[-1].get("update_time", 0)) < since
                ):
                    break
            draft_id = delivery.progress.get("draft_id", "")
            if not draft_id:
                res = client.post_json(
                    "draft/batchget", {"offset": 0, "count": 20, "no_content": 1}
                )
                for item in res.get("item", []):
                    for news in item.get("content", {}).get("news_item", []):
                        if marker in news.get("content_source_url", ""):
                            progress(draft_id=item["media_id"])
                            return None
            else:
                # a draft we recorded that is no longer in the draft box and not published: start over
                res = client.post_json(
                    "draft/batchget", {"offset": 0, "count": 20, "no_content": 1}
                )
                if all(item.get("media_id") != draft_id for item in res.get("item", [])):
                    progress(draft_id="")
            return None
        except ChannelError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise _translate(exc) from exc

    def withdraw(self, delivery) -> None:
        try:
            self.client(delivery.account).post_json(
                "freepublish/delete", {"article_id": delivery.remote_id, "index": 0}
            )
        except Exception as exc:  # noqa: BLE001
            err = _translate(exc)
            if err.code == "wx53600":
                return  # already deleted on WeChat
            raise err from exc

    def fetch_figures(self, account, deliveries: list, day: dt.date) -> dict[int, Figures]:
        """Daily figures from datacube/getarticlesummary (one day per call), matched by msgid."""
        by_article = {d.remote_id: d.pk for d in deliveries if d.remote_id}
        if not by_article:
            return {}
        try:
            res = self.client(account).post_json(
                "/datacube/getarticlesummary",
                {"begin_date": day.isoformat(), "end_date": day.isoformat()},
            )
        except Exception as exc:  # noqa: BLE001
            raise _translate(exc) from exc
        out: dict[int, Figures] = {}
        for row in res.get("list", []):
            article_id = str(row.get("msgid", "")).rsplit("_", 1)[0]
            if article_id in by_article:
                out[by_article[article_id]] = Figures(
                    reads=int(row.get("int_page_read_count", 0)),
                    shares=int(row.get("share_count", 0)),
                    favourites=int(row.get("add_to_fav_count", 0)),
                )
        return out

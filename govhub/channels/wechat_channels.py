"""WeChat Channels (微信视频号), to the extent WeChat's interfaces allow — which for publishing is
not at all.

What the interfaces do NOT allow (WeChat's developer documentation and its own answers in the
developer community, as of writing):

- there is no interface to publish a video (动态) to 视频号, for an official account or for the
  视频号助手 itself; the 视频号助手's open abilities are the shop window (橱窗), sales leads
  (留资), live-stream data and 达人罗盘 — nothing that posts a video;
- an official account's article (draft/add) cannot carry a video: WeChat strips <video> and
  offers no way to embed a 视频号 post through the interface;
- there is no interface that returns a 视频号 post's plays, likes or comments.

So a 视频号 target does what can be done and hands the rest to a person, visibly: the delivery
checks the video, cover and caption against the piece, then waits as “待人工发表” with the
steps; the editor publishes the video in 视频号助手 (channels.weixin.qq.com) and records the link
with “登记已发表”, which makes the delivery 已发送. Its figures are entered by supervision staff
(matrix) from 视频号助手's data pages; none are fetched.
"""

from __future__ import annotations

import datetime as dt

from govhub.channels.base import ChannelError, Figures, Preview, Progress, Sent
from govhub.channels.douyin import _video_of, caption_of, video_limits

CAPTION_LIMIT = 1000  # 视频号助手's description box
FORMATS = {"mp4", "mov"}
ASSISTANT_URL = "https://channels.weixin.qq.com/platform/post/create"


class WeChatChannelsAdapter:
    platform = "wechat_channels"
    can_withdraw = False

    def configured(self, account) -> bool:
        return account is not None  # nothing to call: a person publishes

    def preview(self, publication, account, *, marker: str = "") -> Preview:
        video = _video_of(publication)
        return Preview(
            "wechat_channels",
            {
                "caption": caption_of(publication),
                "video_url": video.file.url if video else "",
                "cover_url": publication.cover.file.url if publication.cover_id else "",
                "duration": video.duration if video else 0,
                "size": video.size if video else 0,
                "account": account.name if account else "",
                "manual": "视频号不开放发表接口：审核通过后由编辑在视频号助手发表，再登记链接",
            },
        )

    def validate(self, publication, account) -> list:
        # only what we know: 视频号助手 checks the rest when the editor uploads
        return video_limits(
            publication,
            name="视频号",
            max_seconds=None,
            max_bytes=None,
            formats=FORMATS,
            caption_limit=CAPTION_LIMIT,
            severity="warning",
        )

    def publish(self, message, progress: Progress) -> Sent:
        if _video_of(message.source) is None:
            raise ChannelError("稿件没有视频，无法发表到视频号", permanent=True, code="no_video")
        return Sent(
            "",
            "",
            "视频号不开放发表接口：请在视频号助手上传本稿视频、封面和文案并发表，"
            "然后在本页点“登记已发表”填入视频号链接",
            manual=True,
        )

    def find_existing(self, message, progress: Progress) -> Sent | None:
        return None

    def withdraw(self, message) -> None:
        raise ChannelError(
            "视频号动态请在视频号助手中删除；已记录撤回", permanent=True, code="sph_no_withdraw"
        )

    def fetch_figures(self, account, deliveries: list, day: dt.date) -> dict[int, Figures]:
        return {}  # no interface returns 视频号 figures

"""Which adapter serves which platform."""

from __future__ import annotations

from govhub.channels.base import Adapter
from govhub.channels.douyin import DouyinAdapter
from govhub.channels.feeds import RssAdapter
from govhub.channels.mail import EmailAdapter
from govhub.channels.portal import PortalAdapter
from govhub.channels.wechat import WeChatAdapter
from govhub.channels.wechat_channels import WeChatChannelsAdapter
from govhub.channels.weibo import WeiboAdapter

ADAPTERS: dict[str, Adapter] = {
    "wechat": WeChatAdapter(),
    "weibo": WeiboAdapter(),
    "rss": RssAdapter(),
    "email": EmailAdapter(),
    "portal": PortalAdapter(),
    "douyin": DouyinAdapter(),
    "wechat_channels": WeChatChannelsAdapter(),
}


def adapter_for(platform: str) -> Adapter:
    return ADAPTERS[platform]

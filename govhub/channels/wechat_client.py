"""The one place govhub builds a WeChat API client (wechatpy), with a configurable API base.

wechatpy fixes https://api.weixin.qq.com in its client and token URL; we subclass it so the
base comes from the account (or GOVHUB_WECHAT_API_BASE), which is how tests reach the fake
server on loopback. The access token is cached in Django's cache (Redis in production), shared
by all workers, and refreshed once when WeChat answers 40001/42001.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from wechatpy import WeChatClient
from wechatpy.session import SessionStorage

from govhub.channels.models import ChannelAccount


class DjangoCacheStorage(SessionStorage):
    """wechatpy session storage on Django's cache, so every process shares one token."""

    prefix = "govhub:wechat:"

    def get(self, key, default=None):
        return cache.get(self.prefix + key, default)

    def set(self, key, value, ttl=None):
        cache.set(self.prefix + key, value, ttl)

    def delete(self, key):
        cache.delete(self.prefix + key)


class GovhubWeChatClient(WeChatClient):
    """wechatpy's client with its API base (and token URL) taken from the account."""

    def __init__(self, appid, secret, *, api_base: str, timeout: float = 10, **kwargs):
        self.API_BASE_URL = api_base.rstrip("/") + "/cgi-bin/"
        self._api_root = api_base.rstrip("/")
        super().__init__(appid, secret, session=DjangoCacheStorage(), timeout=timeout, **kwargs)

    def fetch_access_token(self):
        return self._fetch_access_token(
            url=self._api_root + "/cgi-bin/token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )

    def _request(self, method, url_or_endpoint, **kwargs):
        # Some wechatpy API groups use absolute URLs on the fixed host: point them at our base.
        if url_or_endpoint.startswith("https://api.weixin.qq.com"):
            url_or_endpoint = self._api_root + url_or_endpoint[len("https://api.weixin.qq.com"):]
        return super()._request(method, url_or_endpoint, **kwargs)


def api_base_for(account: ChannelAccount) -> str:
    return account.api_base or settings.WECHAT_API_BASE


def make_client(account: ChannelAccount, *, timeout: float = 10) -> GovhubWeChatClient:
    return GovhubWeChatClient(account.app_id, account.app_secret, api_base=api_base_for(account),
                              timeout=timeout)

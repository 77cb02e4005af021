"""The one place govhub builds a WeChat API client (wechatpy), with a configurable API base.

wechatpy fixes https://api.weixin.qq.com in its client and token URL; we subclass it so the
base comes from the account (or GOVHUB_WECHAT_API_BASE), which is how tests reach the fake
server on loopback. The access token is cached in Django's cache (Redis in production), shared
by all workers, and refreshed once when WeChat answers 40001/42001: the refresh takes a lock
(a thread lock plus a cache lock across processes) and first looks whether another worker has
already replaced the failed token, so a batch of deliveries that meets an expired token causes
one token request, not one per delivery.
"""

from __future__ import annotations

import threading
import time

from django.conf import settings
from django.core.cache import cache
from wechatpy import WeChatClient, WeChatOAuth
from wechatpy.exceptions import WeChatClientException, WeChatOAuthException
from wechatpy.session import SessionStorage

from govhub.channels.models import ChannelAccount

TOKEN_ERRORS = {40001, 40014, 42001}
DEFAULT_API_BASE = "https://api.weixin.qq.com"
OPEN_BASE = "https://open.weixin.qq.com"
_refresh_lock = threading.Lock()


class DjangoCacheStorage(SessionStorage):
    """wechatpy session storage on Django's cache, so every process shares one token."""

    prefix = "govhub:wechat:"

    def get(self, key, default=None):
        return cache.get(self.prefix + key, default)

    def set(self, key, value, ttl=None):
        # keep a safety margin so a token is never used in its last minutes
        cache.set(self.prefix + key, value, max(60, int(ttl) - 300) if ttl else None)

    def delete(self, key):
        cache.delete(self.prefix + key)


class GovhubWeChatOAuth(WeChatOAuth):
    """wechatpy's web authorisation (网页授权) with both of its fixed hosts taken from the
    account: the authorize page (open.weixin.qq.com) and ``sns/oauth2/access_token``
    (api.weixin.qq.com). With the default base they are WeChat's own hosts."""

    def __init__(self, appid, secret, redirect_uri="", *, api_base: str, timeout: float = 10, **kw):
        super().__init__(appid, secret, redirect_uri, **kw)
        root = api_base.rstrip("/")
        self.API_BASE_URL = root + "/"
        self.OAUTH_BASE_URL = (OPEN_BASE if root == DEFAULT_API_BASE else root).rstrip(
            "/"
        ) + "/connect/"
        self._timeout = timeout

    def _request(self, method, url_or_endpoint, **kwargs):
        kwargs.setdefault("timeout", self._timeout)
        return super()._request(method, url_or_endpoint, **kwargs)


class GovhubWeChatClient(WeChatClient):
    """wechatpy's client with its API base (and token URL) taken from the account."""

    def __init__(self, appid, secret, *, api_base: str, timeout: float = 10, **kwargs):
        self.API_BASE_URL = api_base.rstrip("/") + "/cgi-bin/"
        self._api_root = api_base.rstrip("/")
        super().__init__(appid, secret, session=DjangoCacheStorage(), timeout=timeout, **kwargs)

    # --- token -------------------------------------------------------------------------
    def fetch_access_token(self):
        return self._fetch_access_token(
            url=self._api_root + "/cgi-bin/token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )

    @property
    def access_token(self):
        token = self.session.get(self.access_token_key)
        return token or self.refresh_access_token(failed=None)

    def refresh_access_token(self, failed: str | None) -> str:
        """Fetch a new token unless another thread/process already replaced ``failed``."""
        lock_key = f"govhub:wechat:lock:{self.appid}"
        with _refresh_lock:
            deadline = time.monotonic() + 15
            while True:
                current = self.session.get(self.access_token_key)
                if current and current != failed:
                    return current
                if cache.add(lock_key, "1", timeout=20):
                    break
                if time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            try:
                current = self.session.get(self.access_token_key)
                if current and current != failed:
                    return current
                self.fetch_access_token()
                return self.session.get(self.access_token_key)
            finally:
                cache.delete(lock_key)

    _in_token_retry = False

    def _handle_result(self, res, method=None, url=None, result_processor=None, **kwargs):
        result = self._decode_result(res) if not isinstance(res, dict) else res
        errcode = int(result.get("errcode", 0) or 0) if isinstance(result, dict) else 0
        if errcode in TOKEN_ERRORS and not self._in_token_retry:
            failed = kwargs["params"].get("access_token")
            kwargs["params"]["access_token"] = self.refresh_access_token(failed=failed)
            self._in_token_retry = True
            try:
                return self._request(
                    method=method, url_or_endpoint=url, result_processor=result_processor, **kwargs
                )
            finally:
                self._in_token_retry = False
        saved, self.auto_retry = (
            self.auto_retry,
            False,
        )  # wechatpy's own retry would refetch every time
        try:
            return super()._handle_result(res, method, url, result_processor, **kwargs)
        finally:
            self.auto_retry = saved

    def _request(self, method, url_or_endpoint, **kwargs):
        # Some wechatpy API groups use absolute URLs on the fixed host: point them at our base.
        if url_or_endpoint.startswith("https://api.weixin.qq.com"):
            url_or_endpoint = self._api_root + url_or_endpoint[len("https://api.weixin.qq.com") :]
        return super()._request(method, url_or_endpoint, **kwargs)

    def post_json(self, path: str, data: dict) -> dict:
        """POST JSON to ``/cgi-bin/<path>`` or an absolute path under the API root (``/datacube/…``)."""
        url = self._api_root + path if path.startswith("/") else self.API_BASE_URL + path
        return self.post(url, data=data)


__all__ = [
    "GovhubWeChatClient",
    "GovhubWeChatOAuth",
    "WeChatClientException",
    "WeChatOAuthException",
    "api_base_for",
    "make_client",
    "make_oauth",
    "oauth_openid",
]


def api_base_for(account: ChannelAccount) -> str:
    return account.api_base or settings.WECHAT_API_BASE


def make_client(account: ChannelAccount, *, timeout: float = 10) -> GovhubWeChatClient:
    return GovhubWeChatClient(
        account.app_id, account.app_secret, api_base=api_base_for(account), timeout=timeout
    )


def make_oauth(
    account: ChannelAccount, redirect_uri: str = "", *, state: str = "", timeout: float = 5
) -> GovhubWeChatOAuth:
    """The silent (``snsapi_base``) web authorisation of ``account``."""
    return GovhubWeChatOAuth(
        account.app_id,
        account.app_secret,
        redirect_uri,
        scope="snsapi_base",
        state=state,
        api_base=api_base_for(account),
        timeout=timeout,
    )


def oauth_openid(account: ChannelAccount, code: str, *, timeout: float = 5) -> str | None:
    """The openid WeChat gives for an authorisation ``code``, or None when the exchange fails
    (bad or used code 40029, WeChat unreachable): the caller then goes on without it."""
    try:
        res = make_oauth(account, timeout=timeout).fetch_access_token(code)
    except Exception:  # noqa: BLE001 - any failure means "no openid", never a 500
        return None
    openid = str(res.get("openid") or "")
    return openid or None

"""A fake WeChat official-account API (api.weixin.qq.com) on loopback.

Implements what govhub uses, with the real shapes and error codes:
``GET /cgi-bin/token``, ``POST /cgi-bin/material/add_material``, ``/cgi-bin/draft/add``,
``/cgi-bin/draft/batchget``, ``/cgi-bin/freepublish/submit``, ``/cgi-bin/freepublish/get``,
``/cgi-bin/freepublish/batchget``, ``/cgi-bin/freepublish/delete``, ``/datacube/getarticlesummary``,
and web authorisation (网页授权): ``GET /connect/oauth2/authorize`` (open.weixin.qq.com's page:
answers at once with a 302 to ``redirect_uri?code=…&state=…`` for the user in ``oauth_user``, as
``snsapi_base`` does without asking) and ``GET /sns/oauth2/access_token`` (a code once → openid;
40029 invalid code for an unknown or used one, 40125 for a bad secret).
Errors: 40001 invalid credential, 42001 expired token (``expire_tokens()``), 40125 bad secret,
45009 daily quota (``fail_next(n, "errcode", errcode=45009)``), 45166 content rejected (any
article containing a word of ``rejected_words``), 40007 invalid media id, 40009 image too big.

Extend by subclassing with ``@route`` or at run time with ``add_route`` (the WeChat server work
adds message/custom/send, menu/create and template sending that way). Handlers can call
``self.check_token(req)`` which returns an error body or None.
"""

from __future__ import annotations

import itertools
import time

from tests.fakes import FakeApiServer, FakeRequest, route

IMAGE_LIMIT = 10 * 1024 * 1024


class FakeWeChatApi(FakeApiServer):
    def __init__(
        self, port: int = 0, *, appid: str = "wx-fake-app", secret: str = "fake-secret"
    ) -> None:
        super().__init__(port)
        self.credentials = {appid: secret}
        self.tokens: dict[str, str] = {}  # token -> appid
        self.expired: set[str] = set()
        self.token_requests = 0
        self._seq = itertools.count(1000)
        self.materials: dict[str, dict] = {}
        self.drafts: dict[str, dict] = {}  # media_id -> {"articles": [...], "update_time": …}
        self.publishes: dict[str, dict] = {}  # publish_id -> {"status", "article_id"}
        self.articles: dict[str, dict] = {}  # article_id -> {"news_item": [...], "deleted": bool}
        self.rejected_words: set[str] = {"违规测试词"}
        self.stats: dict[tuple[str, str], dict] = {}  # (article_id, "YYYY-MM-DD") -> figures
        self.oauth_user = "o-fake-wx-citizen"  # the openid of whoever opens the authorize page
        self.oauth_codes: dict[str, tuple[str, str]] = {}  # code -> (appid, openid)

    def add_credentials(self, appid: str, secret: str) -> None:
        self.credentials[appid] = secret

    # --- helpers ---------------------------------------------------------------------
    def check_token(self, req: FakeRequest) -> dict | None:
        token = req.query.get("access_token", "")
        if token not in self.tokens:
            if token in self.expired:
                return {"errcode": 42001, "errmsg": "access_token expired rid: fake"}
            return {
                "errcode": 40001,
                "errmsg": "invalid credential, access_token is invalid or not latest",
            }
        return None

    def expire_tokens(self) -> None:
        """Every token issued so far now answers 42001 (as after 7200 s)."""
        with self.lock:
            self.expired.update(self.tokens)
            self.tokens.clear()

    def published_count(self, marker: str | None = None) -> int:
        """How many live (not deleted) articles exist — optionally those whose source URL has ``marker``."""
        with self.lock:
            n = 0
            for art in self.articles.values():
                if art["deleted"]:
                    continue
                if marker is None or any(
                    marker in i.get("content_source_url", "") for i in art["news_item"]
                ):
                    n += 1
            return n

    def _next(self, prefix: str) -> str:
        return f"{prefix}{next(self._seq)}"

    # --- routes ----------------------------------------------------------------------
    @route("GET", "/cgi-bin/token")
    def token(self, req: FakeRequest):
        appid, secret = req.query.get("appid", ""), req.query.get("secret", "")
        if req.query.get("grant_type") != "client_credential":
            return 200, {"errcode": 40002, "errmsg": "invalid grant_type"}
        if self.credentials.get(appid) != secret:
            return 200, {"errcode": 40125, "errmsg": "invalid appsecret"}
        with self.lock:
            self.token_requests += 1
            token = f"tok-{appid}-{self.token_requests}-{time.time_ns()}"
            self.tokens[token] = appid
        return 200, {"access_token": token, "expires_in": 7200}

    @route("GET", "/connect/oauth2/authorize")
    def oauth_authorize(self, req: FakeRequest):
        from urllib.parse import urlencode

        appid, redirect_uri = req.query.get("appid", ""), req.query.get("redirect_uri", "")
        if appid not in self.credentials:
            return 200, {"errcode": 40013, "errmsg": "invalid appid"}
        if req.query.get("response_type") != "code" or req.query.get("scope") not in {
            "snsapi_base",
            "snsapi_userinfo",
        }:
            return 200, {"errcode": 10005, "errmsg": "invalid scope"}
        if not redirect_uri.startswith(("http://", "https://")):
            return 200, {"errcode": 10003, "errmsg": "redirect_uri domain mismatch"}
        code = self._next("code")
        with self.lock:
            self.oauth_codes[code] = (appid, self.oauth_user)
        params = {"code": code, "state": req.query.get("state", "")}
        sep = "&" if "?" in redirect_uri else "?"
        return 302, b"", {"Location": redirect_uri + sep + urlencode(params)}

    @route("GET", "/sns/oauth2/access_token")
    def oauth_access_token(self, req: FakeRequest):
        appid, secret = req.query.get("appid", ""), req.query.get("secret", "")
        if req.query.get("grant_type") != "authorization_code":
            return 200, {"errcode": 40002, "errmsg": "invalid grant_type"}
        if self.credentials.get(appid) != secret:
            return 200, {"errcode": 40125, "errmsg": "invalid appsecret"}
        with self.lock:
            issued = self.oauth_codes.pop(req.query.get("code", ""), None)
        if issued is None or issued[0] != appid:
            return 200, {"errcode": 40029, "errmsg": "invalid code"}
        return 200, {
            "access_token": self._next("sns-tok-"),
            "expires_in": 7200,
            "refresh_token": self._next("sns-ref-"),
            "openid": issued[1],
            "scope": "snsapi_base",
        }

    @route("POST", "/cgi-bin/material/add_material")
    def add_material(self, req: FakeRequest):
        if err := self.check_token(req):
            return 200, err
        if req.query.get("type") not in {"image", "voice", "video", "thumb"}:
            return 200, {"errcode": 40004, "errmsg": "invalid media type"}
        if len(req.body) > IMAGE_LIMIT + 4096:
            return 200, {"errcode": 40009, "errmsg": "invalid image size"}
        media_id = self._next("mat-")
        with self.lock:
            self.materials[media_id] = {"size": len(req.body)}
        return 200, {"media_id": media_id, "url": f"http://mmbiz.qpic.cn/fake/{media_id}/0"}

    @route("POST", "/cgi-bin/draft/add")
    def draft_add(self, req: FakeRequest):
        if err := self.check_token(req):
            return 200, err
        articles = req.json().get("articles") or []
        if not articles:
            return 200, {"errcode": 44003, "errmsg": "empty news data"}
        for art in articles:
            if not art.get("thumb_media_id") or art["thumb_media_id"] not in self.materials:
                return 200, {"errcode": 40007, "errmsg": "invalid media_id (thumb_media_id)"}
            if len(art.get("title", "")) > 64:
                return 200, {"errcode": 45003, "errmsg": "title size out of limit"}
            if len(art.get("digest", "")) > 120:
                return 200, {"errcode": 45004, "errmsg": "description size out of limit"}
            text = art.get("title", "") + art.get("content", "")
            if any(w in text for w in self.rejected_words):
                return 200, {"errcode": 45166, "errmsg": "invalid content hint: content rejected"}
        media_id = self._next("draft-")
        with self.lock:
            self.drafts[media_id] = {"articles": articles, "update_time": int(time.time())}
        return 200, {"media_id": media_id}

    @route("POST", "/cgi-bin/draft/batchget")
    def draft_batchget(self, req: FakeRequest):
        if err := self.check_token(req):
            return 200, err
        data = req.json()
        offset, count = int(data.get("offset", 0)), min(20, int(data.get("count", 20)))
        with self.lock:
            items = sorted(self.drafts.items(), key=lambda kv: -kv[1]["update_time"])
        page = items[offset : offset + count]
        return 200, {
            "total_count": len(items),
            "item_count": len(page),
            "item": [
                {
                    "media_id": mid,
                    "content": {"news_item": d["articles"]},
                    "update_time": d["update_time"],
                }
                for mid, d in page
            ],
        }

    @route("POST", "/cgi-bin/freepublish/submit")
    def freepublish_submit(self, req: FakeRequest):
        if err := self.check_token(req):
            return 200, err
        media_id = req.json().get("media_id", "")
        with self.lock:
            draft = self.drafts.pop(media_id, None)  # a published draft leaves the draft box
            if draft is None:
                return 200, {"errcode": 40007, "errmsg": "invalid media_id"}
            publish_id = self._next("pub-")
            article_id = self._next("art-")
            self.articles[article_id] = {
                "news_item": [
                    dict(
                        a,
                        url=f"https://mp.weixin.qq.com/s/fake-{article_id}-{i + 1}",
                        is_deleted=False,
                    )
                    for i, a in enumerate(draft["articles"])
                ],
                "deleted": False,
                "update_time": int(time.time()),
            }
            self.publishes[publish_id] = {"status": 0, "article_id": article_id}
        return 200, {
            "errcode": 0,
            "errmsg": "ok",
            "publish_id": publish_id,
            "msg_data_id": article_id,
        }

    @route("POST", "/cgi-bin/freepublish/get")
    def freepublish_get(self, req: FakeRequest):
        if err := self.check_token(req):
            return 200, err
        publish_id = str(req.json().get("publish_id", ""))
        with self.lock:
            pub = self.publishes.get(publish_id)
            if pub is None:
                return 200, {"errcode": 53600, "errmsg": "Article ID 无效"}
            art = self.articles[pub["article_id"]]
        return 200, {
            "publish_id": publish_id,
            "publish_status": pub["status"],
            "article_id": pub["article_id"],
            "article_detail": {
                "count": len(art["news_item"]),
                "item": [
                    {"idx": i + 1, "article_url": n["url"]} for i, n in enumerate(art["news_item"])
                ],
            },
            "fail_idx": [],
        }

    @route("POST", "/cgi-bin/freepublish/batchget")
    def freepublish_batchget(self, req: FakeRequest):
        if err := self.check_token(req):
            return 200, err
        data = req.json()
        offset, count = int(data.get("offset", 0)), min(20, int(data.get("count", 20)))
        with self.lock:
            items = sorted(
                ((aid, a) for aid, a in self.articles.items() if not a["deleted"]),
                key=lambda kv: (-kv[1]["update_time"], kv[0]),
            )
        page = items[offset : offset + count]
        return 200, {
            "total_count": len(items),
            "item_count": len(page),
            "item": [
                {
                    "article_id": aid,
                    "content": {"news_item": a["news_item"]},
                    "update_time": a["update_time"],
                }
                for aid, a in page
            ],
        }

    @route("POST", "/cgi-bin/freepublish/delete")
    def freepublish_delete(self, req: FakeRequest):
        if err := self.check_token(req):
            return 200, err
        article_id = req.json().get("article_id", "")
        with self.lock:
            art = self.articles.get(article_id)
            if art is None or art["deleted"]:
                return 200, {"errcode": 53600, "errmsg": "Article ID 无效"}
            art["deleted"] = True
        return 200, {"errcode": 0, "errmsg": "ok"}

    @route("POST", "/datacube/getarticlesummary")
    def article_summary(self, req: FakeRequest):
        if err := self.check_token(req):
            return 200, err
        data = req.json()
        day = data.get("begin_date", "")
        if day != data.get("end_date", ""):
            return 200, {"errcode": 61501, "errmsg": "date range error"}
        rows = []
        with self.lock:
            for (article_id, d), figures in sorted(self.stats.items()):
                if d == day:
                    title = (
                        self.articles[article_id]["news_item"][0]["title"]
                        if article_id in self.articles
                        else ""
                    )
                    rows.append(
                        {
                            "ref_date": d,
                            "msgid": f"{article_id}_1",
                            "title": title,
                            "int_page_read_user": figures.get("reads", 0),
                            "int_page_read_count": figures.get("reads", 0),
                            "ori_page_read_user": 0,
                            "ori_page_read_count": 0,
                            "share_user": figures.get("shares", 0),
                            "share_count": figures.get("shares", 0),
                            "add_to_fav_user": figures.get("favourites", 0),
                            "add_to_fav_count": figures.get("favourites", 0),
                        }
                    )
        return 200, {"list": rows}

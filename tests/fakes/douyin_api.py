"""A fake Douyin open platform (open.douyin.com) on loopback, with the real paths and shapes.

Every answer is ``{"data": {..., "error_code": 0, "description": ""}, "extra": {"error_code": 0,
"description": "", "sub_error_code": 0, "sub_description": "", "logid": …, "now": …}}``; a
failure carries the code in both ``data.error_code`` and ``extra.error_code``. The user's token
comes in the ``access-token`` header and the user in the ``open_id`` query parameter.

Routes: ``POST /oauth/refresh_token/`` (form: client_key, grant_type, refresh_token),
``POST /api/douyin/v1/video/upload_video/`` (multipart ``video`` → data.video.video_id, width,
height), ``/upload_image/`` (multipart ``image`` → data.image.image_id),
``/init_video_part_upload/`` → data.upload_id, ``/upload_video_part/?upload_id&part_number``,
``/complete_video_part_upload/?upload_id`` → data.video.video_id, ``/create_video/`` (JSON
video_id, text, custom_cover_image_url → data.item_id), ``GET /video_list/?cursor&count`` (newest
first, items with item_id, video_id, title, create_time, share_url, statistics, cursor, has_more)
and ``POST /video_data/`` (item_ids → data.list with statistics).
Errors: 28001008 expired token (``expire_token()``), 28001003 invalid token, 28001015 open_id
not matching the token, 2100005 bad parameters (e.g. unknown video_id), 28001056 when
``list_offline`` (Douyin has taken video_list offline for some apps).
"""

from __future__ import annotations

import itertools
import time

from tests.fakes import FakeApiServer, FakeRequest, route

PREFIX = "/api/douyin/v1/video"


class FakeDouyinApi(FakeApiServer):
    def __init__(
        self,
        port: int = 0,
        *,
        client_key: str = "dy-client",
        open_id: str = "dy-open-id-1",
        access_token: str = "act.fake-1",
        refresh_token: str = "rft.fake-1",
    ) -> None:
        super().__init__(port)
        self.client_key = client_key
        self.tokens = {access_token: open_id}
        self.refresh_tokens = {refresh_token: open_id}
        self.expired: set[str] = set()
        self._seq = itertools.count(7_300_000_000_000_000_000)
        self.videos: dict[str, dict] = {}  # video_id -> {"size": …}
        self.images: dict[str, int] = {}
        self.parts: dict[str, list[int]] = {}
        self.items: dict[str, dict] = {}  # item_id -> item
        self.list_offline = False
        self.refreshes = 0

    # --- shapes ----------------------------------------------------------------------
    def ok(self, data: dict) -> tuple[int, dict]:
        return 200, {
            "data": {**data, "error_code": 0, "description": ""},
            "extra": self._extra(0, ""),
        }

    def err(self, code: int, description: str) -> tuple[int, dict]:
        return 200, {
            "data": {"error_code": code, "description": description},
            "extra": self._extra(code, description),
        }

    def _extra(self, code: int, description: str) -> dict:
        return {
            "error_code": code,
            "description": description,
            "sub_error_code": 0,
            "sub_description": "",
            "logid": f"{time.strftime('%Y%m%d%H%M%S')}0101FAKE",
            "now": int(time.time() * 1000),
        }

    def error_body(self, errcode: int, errmsg: str, path: str) -> dict:
        return self.err(errcode, errmsg)[1]

    def check(self, req: FakeRequest):
        token = req.headers.get("access-token", "")
        if token in self.expired:
            return self.err(28001008, "access_token过期,请刷新或重新授权")
        if token not in self.tokens:
            return self.err(28001003, "access_token无效")
        if req.query.get("open_id") != self.tokens[token]:
            return self.err(28001015, "请求参数 access_token 和 openId不匹配")
        return None

    def expire_token(self) -> None:
        with self.lock:
            self.expired.update(self.tokens)
            self.tokens.clear()

    def items_of(self, video_id: str) -> list[dict]:
        with self.lock:
            return [i for i in self.items.values() if i["video_id"] == video_id]

    def _id(self, prefix: str = "") -> str:
        return f"{prefix}{next(self._seq)}"

    # --- routes ----------------------------------------------------------------------
    @route("POST", "/oauth/refresh_token/")
    def refresh(self, req: FakeRequest):
        form = req.form()
        if form.get("client_key") != self.client_key or form.get("grant_type") != "refresh_token":
            return self.err(10013, "client_key 或 grant_type 错误")
        open_id = self.refresh_tokens.get(form.get("refresh_token", ""))
        if open_id is None:
            return self.err(10010, "refresh_token 已过期")
        with self.lock:
            self.refreshes += 1
            token = f"act.fake-r{self.refreshes}"
            self.tokens[token] = open_id
        return self.ok(
            {
                "access_token": token,
                "expires_in": 1296000,
                "open_id": open_id,
                "refresh_expires_in": 2592000,
                "refresh_token": form["refresh_token"],
                "scope": "video.create.bind,video.data.bind,video.list.bind",
            }
        )

    @route("POST", f"{PREFIX}/upload_video/")
    def upload_video(self, req: FakeRequest):
        if err := self.check(req):
            return err
        if "video" not in req.form():
            return self.err(2100005, "Parameter error")
        video_id = self._id("v0200f")
        with self.lock:
            self.videos[video_id] = {"size": len(req.body)}
        return self.ok({"video": {"video_id": video_id, "width": 720, "height": 1280}})

    @route("POST", f"{PREFIX}/upload_image/")
    def upload_image(self, req: FakeRequest):
        if err := self.check(req):
            return err
        if "image" not in req.form():
            return self.err(2100005, "Parameter error")
        image_id = self._id("img")
        with self.lock:
            self.images[image_id] = len(req.body)
        return self.ok({"image": {"image_id": image_id, "width": 720, "height": 960}})

    @route("POST", f"{PREFIX}/init_video_part_upload/")
    def init_part(self, req: FakeRequest):
        if err := self.check(req):
            return err
        upload_id = self._id("up")
        with self.lock:
            self.parts[upload_id] = []
        return self.ok({"upload_id": upload_id})

    @route("POST", f"{PREFIX}/upload_video_part/")
    def upload_part(self, req: FakeRequest):
        if err := self.check(req):
            return err
        upload_id = req.query.get("upload_id", "")
        with self.lock:
            if upload_id not in self.parts:
                return self.err(2100005, "Parameter error: upload_id")
            self.parts[upload_id].append(int(req.query.get("part_number", 0)))
        return self.ok({})

    @route("POST", f"{PREFIX}/complete_video_part_upload/")
    def complete_part(self, req: FakeRequest):
        if err := self.check(req):
            return err
        upload_id = req.query.get("upload_id", "")
        with self.lock:
            parts = self.parts.pop(upload_id, None)
            if not parts or parts != list(range(1, len(parts) + 1)):
                return self.err(2100005, "Parameter error: parts")
            video_id = self._id("v0200f")
            self.videos[video_id] = {"parts": len(parts)}
        return self.ok({"video": {"video_id": video_id, "width": 720, "height": 1280}})

    @route("POST", f"{PREFIX}/create_video/")
    def create_video(self, req: FakeRequest):
        if err := self.check(req):
            return err
        body = req.json()
        video_id = body.get("video_id", "")
        cover = body.get("custom_cover_image_url")
        if video_id not in self.videos or (cover and cover not in self.images):
            return self.err(2100005, "Parameter error")
        item_id = "@" + self._id("9")
        with self.lock:
            self.items[item_id] = {
                "item_id": item_id,
                "video_id": video_id,
                "title": body.get("text", ""),
                "cover": f"https://p3.douyinpic.com/fake/{cover or video_id}.jpeg",
                "create_time": int(time.time()),
                "share_url": f"https://www.iesdouyin.com/share/video/{item_id[1:]}/",
                "is_top": False,
                "media_type": 4,
                "statistics": {
                    "comment_count": 0,
                    "digg_count": 0,
                    "download_count": 0,
                    "forward_count": 0,
                    "play_count": 0,
                    "share_count": 0,
                },
            }
        return self.ok({"item_id": item_id, "video_id": video_id})

    @route("GET", f"{PREFIX}/video_list/")
    def video_list(self, req: FakeRequest):
        if err := self.check(req):
            return err
        if self.list_offline:
            return self.err(28001056, "该能力API已下线,不再支持调用")
        cursor, count = int(req.query.get("cursor", 0)), min(20, int(req.query.get("count", 10)))
        with self.lock:
            items = sorted(self.items.values(), key=lambda i: (-i["create_time"], i["item_id"]))
        page = items[cursor : cursor + count]
        return self.ok(
            {"list": page, "cursor": cursor + len(page), "has_more": cursor + count < len(items)}
        )

    @route("POST", f"{PREFIX}/video_data/")
    def video_data(self, req: FakeRequest):
        if err := self.check(req):
            return err
        ids = req.json().get("item_ids") or []
        with self.lock:
            rows = [dict(self.items[i]) for i in ids if i in self.items]
        return self.ok({"list": rows})

    def add_figures(self, item_id: str, **figures: int) -> None:
        with self.lock:
            self.items[item_id]["statistics"].update(figures)

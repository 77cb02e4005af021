"""Customer-service messages and menus on the fake WeChat API (real paths and shapes).

``POST /cgi-bin/message/custom/send`` answers 45015 (response out of time limit) for users that
the test marks as outside the 48-hour window; ``/cgi-bin/menu/create`` checks WeChat's limits
(≤3 buttons, ≤5 sub-buttons, names ≤16 bytes for top level) and ``/cgi-bin/menu/get`` returns it.
"""

from __future__ import annotations

from tests.fakes import FakeRequest, route
from tests.fakes.wechat_api import FakeWeChatApi


class FakeWeChatMessaging(FakeWeChatApi):
    def __init__(self, port: int = 0, **kw) -> None:
        super().__init__(port, **kw)
        self.sent: list[dict] = []
        self.menu: dict | None = None
        self.out_of_window: set[str] = set()

    @route("POST", "/cgi-bin/message/custom/send")
    def custom_send(self, req: FakeRequest):
        if err := self.check_token(req):
            return 200, err
        data = req.json()
        if data.get("touser") in self.out_of_window:
            return 200, {
                "errcode": 45015,
                "errmsg": "response out of time limit or subscription is canceled",
            }
        if data.get("msgtype") not in {"text", "news", "image"} or not data.get("touser"):
            return 200, {"errcode": 40008, "errmsg": "invalid message type"}
        with self.lock:
            self.sent.append(data)
        return 200, {"errcode": 0, "errmsg": "ok"}

    @route("POST", "/cgi-bin/menu/create")
    def menu_create(self, req: FakeRequest):
        if err := self.check_token(req):
            return 200, err
        buttons = req.json().get("button") or []
        if not buttons or len(buttons) > 3:
            return 200, {"errcode": 40016, "errmsg": "invalid button size"}
        for b in buttons:
            subs = b.get("sub_button") or []
            if len(subs) > 5:
                return 200, {"errcode": 40023, "errmsg": "invalid sub button size"}
            if len(b.get("name", "").encode()) > 16:
                return 200, {"errcode": 40018, "errmsg": "invalid button name size"}
            for s in subs or [b]:
                if s.get("type") == "view" and not s.get("url", "").startswith("http"):
                    return 200, {"errcode": 40055, "errmsg": "invalid button url domain"}
                if s.get("type") == "click" and not s.get("key"):
                    return 200, {"errcode": 40019, "errmsg": "invalid button key size"}
        with self.lock:
            self.menu = {"button": buttons}
        return 200, {"errcode": 0, "errmsg": "ok"}

    @route("GET", "/cgi-bin/menu/get")
    def menu_get(self, req: FakeRequest):
        if err := self.check_token(req):
            return 200, err
        if self.menu is None:
            return 200, {"errcode": 46003, "errmsg": "menu no exist"}
        return 200, {"menu": self.menu}

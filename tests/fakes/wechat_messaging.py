"""Customer-service messages and menus on the fake WeChat API (real paths and shapes).

``POST /cgi-bin/message/custom/send`` answers 45015 (response out of time limit) for users that
the test marks as outside the 48-hour window; ``/cgi-bin/menu/create`` checks WeChat's limits
(≤3 buttons, ≤5 sub-buttons, names ≤16 bytes for top level) and ``/cgi-bin/menu/get`` returns it.
``POST /cgi-bin/message/template/send`` checks the template id (40037 unless in ``templates``),
the user (43004 for users in ``unsubscribed``) and the value limits of the template fields by
key prefix (thing ≤ 20 characters, phrase ≤ 5, character_string ≤ 32 letters/digits, time a date;
47003 otherwise); it answers ``msgid`` and keeps the message in ``template_sent``.
"""

from __future__ import annotations

import itertools
import re

from tests.fakes import FakeRequest, route
from tests.fakes.wechat_api import FakeWeChatApi


class FakeWeChatMessaging(FakeWeChatApi):
    def __init__(self, port: int = 0, **kw) -> None:
        super().__init__(port, **kw)
        self.sent: list[dict] = []
        self.menu: dict | None = None
        self.out_of_window: set[str] = set()
        self.templates: set[str] = set()
        self.unsubscribed: set[str] = set()
        self.template_sent: list[dict] = []
        self._msgids = itertools.count(200_000_000)

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

    @route("POST", "/cgi-bin/message/template/send")
    def template_send(self, req: FakeRequest):
        if err := self.check_token(req):
            return 200, err
        data = req.json()
        if data.get("template_id") not in self.templates:
            return 200, {"errcode": 40037, "errmsg": "invalid template_id"}
        if not data.get("touser") or data["touser"] in self.unsubscribed:
            return 200, {"errcode": 43004, "errmsg": "require subscribe"}
        for key, item in (data.get("data") or {}).items():
            value = str((item or {}).get("value", ""))
            ok = {
                "thing": len(value) <= 20,
                "phrase": len(value) <= 5,
                "character_string": bool(re.fullmatch(r"[A-Za-z0-9_\-]{1,32}", value)),
                "time": bool(re.search(r"\d{4}年\d{1,2}月\d{1,2}日", value)),
            }.get(re.sub(r"\d+$", "", key), True)
            if not ok:
                return 200, {
                    "errcode": 47003,
                    "errmsg": f"argument invalid! data.{key}.value invalid",
                }
        with self.lock:
            self.template_sent.append(data)
            msgid = next(self._msgids)
        return 200, {"errcode": 0, "errmsg": "ok", "msgid": msgid}

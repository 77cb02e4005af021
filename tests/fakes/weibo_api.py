"""A fake Weibo open API (api.weibo.com/2) on loopback.

Routes: ``POST /2/statuses/share.json`` (text ≤ 140 characters that must contain a link of the
app's safe domain, optional ``pic``), ``POST /2/statuses/destroy.json``, ``GET
/2/statuses/user_timeline.json``, ``GET /2/statuses/count.json``, ``GET /2/comments/show.json``.
For citizens writing in: ``GET /2/statuses/mentions.json`` and ``GET /2/direct_messages.json``
(newest first, ``since_id``; tests add items with ``add_mention`` / ``add_private_message``),
``POST /2/comments/create.json`` (comment ≤ 140 characters on an existing post),
``POST /2/comments/reply.json`` (a reply to comment ``cid`` under post ``id``), ``GET
/2/comments/by_me.json`` (the account's own comments, newest first — how a retry asks) and the
fan-service private-message reply ``POST /2/messages/reply.json`` (``type=text``, ``data`` a JSON
string with ``text``, ``receiver_id``; only to a user who has written to the account), kept in
``comments`` and ``replies``.
Errors have Weibo's shape ``{"error": …, "error_code": …, "request": …}`` with HTTP 400/403:
21327 expired_token, 21332 invalid_access_token, 10023 rate limit, 20019 repeated content,
20021 content is illegal (any word of ``rejected_words``), 20012 text too long.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json

from tests.fakes import FakeApiServer, FakeRequest, route

TEXT_LIMIT = 140
BEIJING = dt.timezone(dt.timedelta(hours=8))


def _now() -> str:
    """Weibo's created_at: Beijing time, e.g. "Sun Dec 06 23:05:11 +0800 2026" (whatever the
    machine's own time zone is)."""
    return dt.datetime.now(BEIJING).strftime("%a %b %d %H:%M:%S %z %Y")


class FakeWeiboApi(FakeApiServer):
    def __init__(
        self, port: int = 0, *, access_token: str = "weibo-fake-token", uid: str = "5550001"
    ) -> None:
        super().__init__(port)
        self.tokens = {access_token: uid}
        self.expired: set[str] = set()
        self._seq = itertools.count(4_900_000_000_000_000)
        self.statuses: dict[str, dict] = {}  # idstr -> status
        self.rejected_words: set[str] = {"违规测试词"}
        self.comments: dict[str, list[dict]] = {}
        self.mentions: list[dict] = []
        self.direct_messages: list[dict] = []
        self.replies: list[dict] = []

    def error_body(self, errcode: int, errmsg: str, path: str) -> dict:
        return {"error": errmsg, "error_code": errcode, "request": path}

    def _err(self, req: FakeRequest, code: int, msg: str, status: int = 400):
        return status, self.error_body(code, msg, req.path)

    def check_token(self, req: FakeRequest):
        token = req.query.get("access_token") or req.form().get("access_token", "")
        if token in self.expired:
            return self._err(req, 21327, "expired_token", 401)
        if token not in self.tokens:
            return self._err(req, 21332, "invalid_access_token", 401)
        return None

    def expire_token(self, token: str) -> None:
        with self.lock:
            self.tokens.pop(token, None)
            self.expired.add(token)

    def posted_count(self, marker: str | None = None) -> int:
        with self.lock:
            return sum(
                1
                for s in self.statuses.values()
                if not s["deleted"] and (marker is None or marker in s["text"])
            )

    @route("POST", "/2/statuses/share.json")
    def share(self, req: FakeRequest):
        if err := self.check_token(req):
            return err
        form = req.form()
        text = form.get("status", "")
        if not text:
            return self._err(req, 10016, "miss required parameter (status)")
        if len(text) > TEXT_LIMIT:
            return self._err(
                req, 20012, "Text too long, please input text less than 140 characters!"
            )
        if "http://" not in text and "https://" not in text:
            return self._err(
                req, 10017, "parameter (status)'s value invalid: must contain a safe-domain link"
            )
        if any(w in text for w in self.rejected_words):
            return self._err(req, 20021, "Content is illegal!")
        with self.lock:
            if any(s["text"] == text and not s["deleted"] for s in self.statuses.values()):
                return self._err(req, 20019, "Repeat content!")
            sid = next(self._seq)
            uid = self.tokens[req.query.get("access_token") or form.get("access_token")]
            status = {
                "id": sid,
                "idstr": str(sid),
                "mid": str(sid),
                "text": text,
                "created_at": _now(),
                "user": {"id": int(uid), "idstr": uid},
                "pic": form.get("pic", ""),
                "reposts_count": 0,
                "comments_count": 0,
                "attitudes_count": 0,
                "deleted": False,
            }
            self.statuses[str(sid)] = status
        return 200, {k: v for k, v in status.items() if k != "deleted"}

    @route("POST", "/2/statuses/destroy.json")
    def destroy(self, req: FakeRequest):
        if err := self.check_token(req):
            return err
        sid = req.form().get("id", "")
        with self.lock:
            status = self.statuses.get(sid)
            if status is None or status["deleted"]:
                return self._err(req, 20101, "target weibo does not exist!")
            status["deleted"] = True
        return 200, {k: v for k, v in status.items() if k != "deleted"}

    @route("GET", "/2/statuses/user_timeline.json")
    def user_timeline(self, req: FakeRequest):
        if err := self.check_token(req):
            return err
        count = min(100, int(req.query.get("count", 20)))
        page = max(1, int(req.query.get("page", 1)))
        with self.lock:
            items = sorted(
                (s for s in self.statuses.values() if not s["deleted"]), key=lambda s: -s["id"]
            )
        chunk = items[(page - 1) * count : page * count]
        return 200, {
            "statuses": [{k: v for k, v in s.items() if k != "deleted"} for s in chunk],
            "total_number": len(items),
        }

    @route("GET", "/2/statuses/count.json")
    def count(self, req: FakeRequest):
        if err := self.check_token(req):
            return err
        ids = [i for i in req.query.get("ids", "").split(",") if i][:100]
        out = []
        with self.lock:
            for sid in ids:
                s = self.statuses.get(sid)
                if s:
                    out.append(
                        {
                            "id": s["id"],
                            "idstr": s["idstr"],
                            "comments": s["comments_count"],
                            "reposts": s["reposts_count"],
                            "attitudes": s["attitudes_count"],
                        }
                    )
        return 200, out

    @route("GET", "/2/comments/show.json")
    def comments_show(self, req: FakeRequest):
        if err := self.check_token(req):
            return err
        sid = req.query.get("id", "")
        with self.lock:
            items = [
                {k: v for k, v in c.items() if k != "by_me"} for c in self.comments.get(sid, [])
            ]
        return 200, {"comments": items, "total_number": len(items)}

    def add_figures(
        self, sid: str, *, comments: int = 0, reposts: int = 0, attitudes: int = 0
    ) -> None:
        with self.lock:
            s = self.statuses[sid]
            s["comments_count"], s["reposts_count"], s["attitudes_count"] = (
                comments,
                reposts,
                attitudes,
            )

    # --- citizens writing in -----------------------------------------------------------
    def _user(self, uid: str) -> dict:
        return {"id": int(uid), "idstr": uid, "screen_name": f"用户{uid[-4:]}"}

    def add_mention(self, uid: str, text: str) -> str:
        """A citizen's post that @-mentions the account; returns its id."""
        with self.lock:
            sid = next(self._seq)
            status = {
                "id": sid,
                "idstr": str(sid),
                "mid": str(sid),
                "text": text,
                "created_at": _now(),
                "user": self._user(uid),
                "reposts_count": 0,
                "comments_count": 0,
                "attitudes_count": 0,
                "deleted": False,
            }
            self.mentions.append(status)
            self.statuses[str(sid)] = status
        return str(sid)

    def add_private_message(self, uid: str, text: str) -> str:
        """A private message from a citizen to the account; returns its id."""
        with self.lock:
            mid = next(self._seq)
            self.direct_messages.append(
                {
                    "id": mid,
                    "idstr": str(mid),
                    "text": text,
                    "created_at": _now(),
                    "sender_id": int(uid),
                    "recipient_id": int(next(iter(self.tokens.values()))),
                    "sender": self._user(uid),
                }
            )
        return str(mid)

    def _since(self, req: FakeRequest, items: list[dict]) -> list[dict]:
        since = int(req.query.get("since_id") or 0)
        count = min(200, int(req.query.get("count", 20)))
        with self.lock:
            chosen = [i for i in items if int(i["id"]) > since]
        chosen.sort(key=lambda i: -int(i["id"]))
        return [{k: v for k, v in i.items() if k != "deleted"} for i in chosen[:count]]

    @route("GET", "/2/statuses/mentions.json")
    def mentions_show(self, req: FakeRequest):
        if err := self.check_token(req):
            return err
        items = self._since(req, self.mentions)
        return 200, {"statuses": items, "total_number": len(self.mentions)}

    @route("GET", "/2/direct_messages.json")
    def direct_messages_show(self, req: FakeRequest):
        if err := self.check_token(req):
            return err
        items = self._since(req, self.direct_messages)
        return 200, {"direct_messages": items, "total_number": len(self.direct_messages)}

    @route("POST", "/2/comments/create.json")
    def comments_create(self, req: FakeRequest):
        if err := self.check_token(req):
            return err
        form = req.form()
        text, sid = form.get("comment", ""), form.get("id", "")
        if not text:
            return self._err(req, 10016, "miss required parameter (comment)")
        if len(text) > TEXT_LIMIT:
            return self._err(req, 20012, "Text too long")
        with self.lock:
            status = self.statuses.get(sid)
            if status is None or status["deleted"]:
                return self._err(req, 20101, "target weibo does not exist!")
            cid = next(self._seq)
            comment = {
                "id": cid,
                "idstr": str(cid),
                "text": text,
                "created_at": _now(),
                "status": {"id": status["id"], "idstr": status["idstr"]},
                "by_me": True,
            }
            self.comments.setdefault(sid, []).append(comment)
            status["comments_count"] += 1
        return 200, {k: v for k, v in comment.items() if k != "by_me"}

    def add_comment(self, status_id: str, uid: str, text: str) -> str:
        """A citizen's comment under a post; returns its id."""
        with self.lock:
            cid = next(self._seq)
            self.comments.setdefault(status_id, []).append(
                {
                    "id": cid,
                    "idstr": str(cid),
                    "text": text,
                    "created_at": _now(),
                    "user": self._user(uid),
                    "status": {"id": int(status_id), "idstr": status_id},
                }
            )
        return str(cid)

    def own_comments(self, text: str | None = None) -> list[dict]:
        """Comments the account made (by comments/create or comments/reply)."""
        with self.lock:
            out = [c for cs in self.comments.values() for c in cs if c.get("by_me")]
        return [c for c in out if text is None or c["text"] == text]

    @route("POST", "/2/comments/reply.json")
    def comments_reply(self, req: FakeRequest):
        if err := self.check_token(req):
            return err
        form = req.form()
        text, sid, cid = form.get("comment", ""), form.get("id", ""), form.get("cid", "")
        if not text:
            return self._err(req, 10016, "miss required parameter (comment)")
        if len(text) > TEXT_LIMIT:
            return self._err(req, 20012, "Text too long")
        with self.lock:
            status = self.statuses.get(sid)
            target = [c for c in self.comments.get(sid, []) if c["idstr"] == cid]
            if status is None or not target:
                return self._err(req, 20101, "target weibo does not exist!")
            new = next(self._seq)
            comment = {
                "id": new,
                "idstr": str(new),
                "text": text,
                "created_at": _now(),
                "status": {"id": status["id"], "idstr": status["idstr"]},
                "reply_comment": {"id": target[0]["id"], "idstr": cid},
                "by_me": True,
            }
            self.comments.setdefault(sid, []).append(comment)
        return 200, {k: v for k, v in comment.items() if k != "by_me"}

    @route("GET", "/2/comments/by_me.json")
    def comments_by_me(self, req: FakeRequest):
        if err := self.check_token(req):
            return err
        count = min(200, int(req.query.get("count", 50)))
        with self.lock:
            mine = [c for cs in self.comments.values() for c in cs if c.get("by_me")]
        mine.sort(key=lambda c: -int(c["id"]))
        items = [{k: v for k, v in c.items() if k != "by_me"} for c in mine[:count]]
        return 200, {"comments": items, "total_number": len(mine)}

    @route("POST", "/2/messages/reply.json")
    def messages_reply(self, req: FakeRequest):
        if err := self.check_token(req):
            return err
        form = req.form()
        if form.get("type") != "text":
            return self._err(req, 10008, "param type error")
        try:
            text = json.loads(form.get("data") or "{}").get("text", "")
        except ValueError:
            text = ""
        if not text:
            return self._err(req, 10016, "miss required parameter (data.text)")
        receiver = form.get("receiver_id", "")
        with self.lock:
            wrote = any(str(m["sender_id"]) == receiver for m in self.direct_messages)
            if not wrote:
                return self._err(req, 21602, "receiver has not sent a message to you", 403)
            mid = next(self._seq)
            self.replies.append({"id": mid, "receiver_id": receiver, "text": text})
        return 200, {
            "result": True,
            "id": mid,
            "receiver_id": int(receiver),
            "type": "text",
            "data": form.get("data"),
        }

"""A fake SMS gateway with the plain HTTP interface of ``govhub.channels.sms.HttpSmsGateway``:
``POST /send`` (JSON phone, text, ref; header X-Api-Key) → ``{"id": …}``, the same ref twice →
the first id and nothing sent again; ``GET /lookup?ref=`` → ``{"id": …}`` or 404. Sent texts are
kept in ``sent`` (phone, text, ref)."""

from __future__ import annotations

import itertools

from tests.fakes import FakeApiServer, FakeRequest, route


class FakeSmsApi(FakeApiServer):
    def __init__(self, port: int = 0, *, key: str = "sms-key") -> None:
        super().__init__(port)
        self.key = key
        self.sent: list[tuple[str, str, str]] = []
        self.by_ref: dict[str, str] = {}
        self._ids = itertools.count(1)

    def error_body(self, errcode: int, errmsg: str, path: str) -> dict:
        return {"code": errcode, "message": errmsg}

    @route("POST", "/send")
    def send(self, req: FakeRequest):
        if req.headers.get("x-api-key") != self.key:
            return 401, {"code": 401, "message": "bad key"}
        data = req.json()
        phone, text, ref = data.get("phone", ""), data.get("text", ""), data.get("ref", "")
        if not phone or not text:
            return 400, {"code": 400, "message": "phone and text required"}
        with self.lock:
            if ref and ref in self.by_ref:
                return 200, {"id": self.by_ref[ref], "duplicate": True}
            sid = f"sms-{next(self._ids)}"
            self.sent.append((phone, text, ref))
            if ref:
                self.by_ref[ref] = sid
        return 200, {"id": sid}

    @route("GET", "/lookup")
    def lookup(self, req: FakeRequest):
        with self.lock:
            sid = self.by_ref.get(req.query.get("ref", ""))
        return (200, {"id": sid}) if sid else (404, {"code": 404, "message": "unknown ref"})

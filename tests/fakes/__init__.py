"""Fake platform APIs on loopback, speaking the real request/response shapes.

``FakeApiServer`` is a threading HTTP server with a route table: subclasses declare routes with
``@route("POST", "/path")`` and anyone may add more at run time with ``server.add_route``. Each
server can be told to fail: ``fail_next(n, kind)`` with kind ``"500"`` (HTTP 5xx before doing the
work), ``"timeout"`` (sleep past the client's timeout before doing the work), ``"timeout_after"``
(do the work, then sleep — the ambiguous case), or ``"errcode"`` (answer a platform error code).

    with FakeWeChatApi() as api:          # or api = FakeWeChatApi().start(); …; api.stop()
        account.api_base = api.url
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class FakeRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        try:
            return json.loads(self.body.decode("utf-8") or "{}")
        except (ValueError, UnicodeDecodeError):
            return {}

    def form(self) -> dict[str, str]:
        """urlencoded body, or the plain fields of a multipart body."""
        ctype = self.headers.get("content-type", "")
        if "multipart/form-data" in ctype:
            return _multipart_fields(self.body, ctype)
        parsed = parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        return {k: v[0] for k, v in parsed.items()}


def _multipart_fields(body: bytes, ctype: str) -> dict[str, str]:
    boundary = ctype.split("boundary=", 1)[-1].strip().strip('"').encode()
    out: dict[str, str] = {}
    for part in body.split(b"--" + boundary):
        head, _, data = part.partition(b"\r\n\r\n")
        if b"name=" not in head:
            continue
        name = head.split(b'name="', 1)[1].split(b'"', 1)[0].decode()
        data = data.rstrip(b"\r\n")
        out[name] = (
            f"<file:{len(data)}>" if b"filename=" in head else data.decode("utf-8", "replace")
        )
    return out


@dataclass
class Failure:
    kind: str  # "500", "timeout", "timeout_after", "errcode"
    paths: tuple[str, ...] = ()
    errcode: int = 0
    errmsg: str = ""


def route(method: str, path: str):
    """Declare a handler method on a FakeApiServer subclass: ``def h(self, req) -> (status, body)``."""

    def decorate(fn):
        fn._route = (method.upper(), path)
        return fn

    return decorate


@dataclass
class CallLog:
    calls: list[tuple[str, str]] = field(default_factory=list)

    def count(self, path: str) -> int:
        return sum(1 for _, p in self.calls if p == path)


class FakeApiServer:
    """Base of the fakes: route table, failure injection, call log, start/stop."""

    slow_seconds = 2.0  # how long a "timeout" sleeps; clients in tests use shorter timeouts

    def __init__(self, port: int = 0) -> None:
        self.routes: dict[tuple[str, str], object] = {}
        for name in dir(type(self)):
            fn = getattr(type(self), name, None)
            if callable(fn) and hasattr(fn, "_route"):
                self.routes[fn._route] = getattr(self, name)
        self.lock = threading.RLock()
        self.failures: list[Failure] = []
        self.delay = 0.0
        self.log = CallLog()
        self._port = port
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- control ---------------------------------------------------------------------
    def add_route(self, method: str, path: str, handler) -> None:
        """Add or replace a route: ``handler(req) -> (status, body_dict_or_bytes)``, or
        ``(status, body, headers)`` (e.g. a redirect's Location)."""
        self.routes[(method.upper(), path)] = handler

    def fail_next(
        self,
        n: int,
        kind: str = "500",
        *,
        paths: tuple[str, ...] | list[str] = (),
        errcode: int = 0,
        errmsg: str = "",
    ) -> None:
        """The next ``n`` calls (to ``paths`` only, when given) fail the way ``kind`` says."""
        with self.lock:
            self.failures.extend(Failure(kind, tuple(paths), errcode, errmsg) for _ in range(n))

    def _take_failure(self, path: str) -> Failure | None:
        with self.lock:
            for i, f in enumerate(self.failures):
                if not f.paths or path in f.paths:
                    return self.failures.pop(i)
        return None

    def error_body(self, errcode: int, errmsg: str, path: str) -> dict:
        return {"errcode": errcode, "errmsg": errmsg}

    # --- lifecycle -------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._httpd is not None, "server not started"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeApiServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args):  # keep test output quiet
                pass

            def _serve(self, method: str) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                req = FakeRequest(
                    method, parts.path, query, {k.lower(): v for k, v in self.headers.items()}, body
                )
                status, payload, *extra = server.dispatch(req)
                headers = extra[0] if extra else {}
                data = (
                    payload
                    if isinstance(payload, bytes)
                    else json.dumps(payload, ensure_ascii=False).encode()
                )
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def do_GET(self):  # noqa: N802
                self._serve("GET")

            def do_POST(self):  # noqa: N802
                self._serve("POST")

        self._httpd = ThreadingHTTPServer(("127.0.0.1", self._port), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # --- dispatch --------------------------------------------------------------------
    def dispatch(self, req: FakeRequest) -> tuple:
        with self.lock:
            self.log.calls.append((req.method, req.path))
        if self.delay:
            time.sleep(self.delay)
        handler = self.routes.get((req.method, req.path))
        if handler is None:
            return 404, self.error_body(404, f"unknown api {req.path}", req.path)
        failure = self._take_failure(req.path)
        if failure is not None:
            if failure.kind == "500":
                return 502, b"<html><body>502 Bad Gateway</body></html>"
            if failure.kind == "timeout":
                time.sleep(self.slow_seconds)
                return 504, b"gateway timeout"
            if failure.kind == "errcode":
                return 200, self.error_body(failure.errcode, failure.errmsg or "error", req.path)
            if failure.kind == "timeout_after":
                result = handler(req)
                time.sleep(self.slow_seconds)
                return result
        return handler(req)

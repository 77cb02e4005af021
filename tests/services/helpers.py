"""A fake department backend on loopback (speaks JSON over HTTP like the real ones) and
factories for guides and connectors."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from govhub.channels.query_backend import verify_signature
from govhub.services.models import QueryConnector, ServiceGuide
from govhub.services.validators import id_check_digit
from tests.factories import make_department

VALID_ID = "11010519491231002" + id_check_digit("11010519491231002")


class FakeBackend:
    """mode: ok | slow | error | bad_json | empty | html. Records what it received."""

    def __init__(self, mode: str = "ok", api_key: str = "", hmac_secret: str = ""):
        self.mode, self.api_key, self.hmac_secret = mode, api_key, hmac_secret
        self.received: list[dict] = []
        backend = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                backend.received.append({"headers": dict(self.headers), "body": body})
                if backend.api_key and self.headers.get("X-Api-Key") != backend.api_key:
                    return self._send(401, b'{"error":"unauthorised"}')
                if backend.hmac_secret and not verify_signature(
                    backend.hmac_secret, "POST", self.path, dict(self.headers), body
                ):
                    return self._send(401, b'{"error":"bad signature"}')
                mode = backend.mode
                if mode == "slow":
                    time.sleep(2)
                if mode == "error":
                    return self._send(500, b"Internal Server Error")
                if mode == "bad_json":
                    return self._send(200, b"<html>not json</html>")
                if mode == "empty":
                    return self._send(200, b'{"code":0,"data":null}')
                data = {"code": 0, "data": {"balance": 12345.6, "status": "正常缴存"}}
                return self._send(200, json.dumps(data, ensure_ascii=False).encode())

            def _send(self, status, payload):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/gjj/balance"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def make_guide(department=None, **kw) -> ServiceGuide:
    department = department or make_department(name="县住房公积金管理中心")
    fields = dict(
        name="购买自住住房提取住房公积金",
        code=f"T-{ServiceGuide.objects.count() + 1}",
        matter_type="public_service",
        department=department,
        materials="居民身份证｜1｜原件\n购房合同｜1｜原件",
        steps="申请｜窗口办理\n到账｜3 个工作日",
        keywords="公积金提取,买房提公积金",
        statutory_days=5,
        promised_days=3,
    )
    fields.update(kw)
    from govhub.services import search

    guide = ServiceGuide.objects.create(**fields)
    guide.search_text = search.text_of(guide)
    guide.save(update_fields=["search_text"])
    return guide


def make_connector(url: str, department=None, **kw) -> QueryConnector:
    department = department or make_department(name="县住房公积金管理中心")
    fields = dict(
        name="住房公积金余额查询",
        slug=f"gjj-{QueryConnector.objects.count() + 1}",
        department=department,
        endpoint=url,
        method="POST",
        input_fields="idcard｜身份证号｜身份证号",
        result_mapping="data.status｜账户状态\ndata.balance｜账户余额（元）",
        timeout_seconds=1,
    )
    fields.update(kw)
    return QueryConnector.objects.create(**fields)

"""deploy/nginx.conf serves each published variant (standard, 长者模式, 繁體, both) from its file by
the visitor's cookies, and sends staff, query strings, other cookie values and the variants'
folder itself to the application."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.publishing.test_nginx_media import ROOT, _free_port


class _App(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        body = b"from-app"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_nginx_serves_every_variant_from_its_file_and_the_rest_from_the_app():
    work = Path(tempfile.mkdtemp(prefix="govhub-nginx-", dir="/tmp"))
    os.chmod(work, 0o755)
    for sub in ("media", "static", "raw", "nginx-tmp/body"):
        (work / sub).mkdir(parents=True, exist_ok=True)
    published = work / "published"
    for variant in ("", "elder", "hant", "elder-hant"):
        base = published / ".variants" / variant if variant else published
        (base / "yaowen/a1").mkdir(parents=True)
        (base / "yaowen/a1/index.html").write_text(f"page:{variant or 'standard'}")
        (base / "yaowen/rss.xml").write_text(f"feed:{variant or 'standard'}")
    for path in work.rglob("*"):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    app = ThreadingHTTPServer(("127.0.0.1", 0), _App)
    threading.Thread(target=app.serve_forever, daemon=True).start()
    port = _free_port()
    conf = (
        (ROOT / "deploy/nginx.conf")
        .read_text()
        .replace("__VAR__", str(work))
        .replace("__APP__", f"127.0.0.1:{app.server_address[1]}")
        .replace("__LISTEN_RAW__", f"127.0.0.1:{_free_port()}")
        .replace("__LISTEN__", f"127.0.0.1:{port}")
    )
    (work / "nginx.conf").write_text(conf)
    proc = subprocess.Popen(
        ["nginx", "-c", str(work / "nginx.conf"), "-p", str(work), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )

    def get(path: str, cookie: str = "") -> str:
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
        if cookie:
            request.add_header("Cookie", cookie)
        with urllib.request.urlopen(request, timeout=5) as res:
            return res.read().decode()

    try:
        for _ in range(50):
            try:
                get("/yaowen/a1/")
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError(proc.stderr.read1(2000) if proc.poll() is not None else "down")
        assert get("/yaowen/a1/") == "page:standard"
        assert get("/yaowen/a1/", "gh_elder=1") == "page:elder"
        assert get("/yaowen/a1/", "gh_script=hant") == "page:hant"
        assert get("/yaowen/a1/", "gh_script=hant; gh_elder=1") == "page:elder-hant"
        assert get("/yaowen/a1/", "other=1; gh_elder=1") == "page:elder"
        assert get("/yaowen/rss.xml", "gh_elder=1") == "feed:elder"
        # staff, a query string, a cookie value the app decides about, the folder itself
        assert get("/yaowen/a1/", "sessionid=abc") == "from-app"
        assert get("/yaowen/a1/", "gh_elder=1; sessionid=abc") == "from-app"
        assert get("/yaowen/a1/?page=2", "gh_elder=1") == "from-app"
        assert get("/yaowen/a1/", "gh_elder=0") == "from-app"
        assert get("/.variants/elder/yaowen/a1/") == "from-app"
        assert get("/yaowen/a2/", "gh_script=hant") == "from-app"  # not published
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        app.shutdown()
        shutil.rmtree(work, ignore_errors=True)

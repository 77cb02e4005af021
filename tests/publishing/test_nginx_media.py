"""Production serves uploads with nginx: deploy/nginx.conf answers /media/ from the media folder
(a published article's cover behind nginx), without passing it to the application."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_nginx_serves_uploaded_images_from_the_media_folder():
    # a world-readable folder: nginx's workers do not run as the test's user
    work = Path(tempfile.mkdtemp(prefix="govhub-nginx-", dir="/tmp"))
    os.chmod(work, 0o755)
    for sub in ("media/images", "static", "published", "raw", "nginx-tmp/body"):
        (work / sub).mkdir(parents=True, exist_ok=True)
    picture = b"\x89PNG\r\n\x1a\n" + b"govhub-cover" * 10
    (work / "media/images/cover.width-800.png").write_bytes(picture)
    for path in work.rglob("*"):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    port = _free_port()
    conf = (
        (ROOT / "deploy/nginx.conf")
        .read_text()
        .replace("__VAR__", str(work))
        .replace("__APP__", "127.0.0.1:9")  # no application: /media/ must not need one
        .replace("__LISTEN_RAW__", f"127.0.0.1:{_free_port()}")
        .replace("__LISTEN__", f"127.0.0.1:{port}")
    )
    (work / "nginx.conf").write_text(conf)
    proc = subprocess.Popen(
        ["nginx", "-c", str(work / "nginx.conf"), "-p", str(work), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{port}/media/images/cover.width-800.png"
        for _ in range(50):
            try:
                with urllib.request.urlopen(url, timeout=2) as res:
                    body, headers = res.read(), res.headers
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError(
                proc.stderr.read1(2000) if proc.poll() is not None else "no answer"
            )
        assert body == picture
        assert headers["Content-Type"] == "image/png"
        assert headers["X-Content-Type-Options"] == "nosniff"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)

"""What the servers in front of Django answer by themselves is Chinese too: deploy/nginx.conf and
deploy/gunicorn.conf.py, run as they are in production (nginx → gunicorn), with a stand-in
application behind gunicorn (Django's own pages are tested elsewhere).

A 5,000-character search (45 KB once in the URL) reaches the application; a longer URL, an
upload over 12 MB and an application that does not answer get the county's Chinese pages, not
nginx's or gunicorn's English ones."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
ERRORS = ROOT / "govhub" / "backoffice" / "static" / "errors"

pytestmark = pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")

APP = """
def app(environ, start_response):
    body = ("收到 %d 字节的查询" % len(environ.get("QUERY_STRING", ""))).encode()
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
    return [body]
"""


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(port: int) -> None:
    for _ in range(100):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}")


@pytest.fixture(scope="module")
def servers():
    """gunicorn with the project's config, nginx with the project's config in front of it;
    ``down`` is a second nginx whose application is not running."""
    with tempfile.TemporaryDirectory(prefix="govhub-servers-") as folder:
        work = Path(folder)
        work.chmod(0o755)  # nginx workers (www-data when run as root) read the error pages
        yield from _serve(work)


def _serve(work: Path):
    (work / "stand_in.py").write_text(APP)
    (work / "static").mkdir()
    shutil.copytree(ERRORS, work / "static" / "errors")
    (work / "published").mkdir()
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (work / "nginx-tmp" / sub).mkdir(parents=True)
    app_port, web_port, down_port, raw_port = _port(), _port(), _port(), _port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    procs = [
        subprocess.Popen(
            [
                str(gunicorn),
                "-c",
                str(ROOT / "deploy" / "gunicorn.conf.py"),
                "--chdir",
                str(work),
                "--bind",
                f"127.0.0.1:{app_port}",
                "--workers",
                "1",
                "stand_in:app",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    urls = {"app": f"http://127.0.0.1:{app_port}"}
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    for name, listen, upstream in [
        ("web", web_port, app_port),
        ("down", down_port, _port()),  # an application port nobody listens on
    ]:
        folder = work / name
        folder.mkdir()
        text = (
            conf.replace("__VAR__/published", str(work / "published"))
            .replace("__VAR__/static/", str(work / "static") + "/")
            .replace("__VAR__/nginx-tmp", str(work / "nginx-tmp"))
            .replace("__VAR__", str(folder))
            .replace("__APP__", f"127.0.0.1:{upstream}")
            .replace("__LISTEN_RAW__", f"127.0.0.1:{raw_port if name == 'web' else _port()}")
            .replace("__LISTEN__", f"127.0.0.1:{listen}")
        )
        (folder / "nginx.conf").write_text(text)
        procs.append(
            subprocess.Popen(
                ["nginx", "-c", str(folder / "nginx.conf"), "-p", str(folder), "-g", "daemon off;"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        urls[name] = f"http://127.0.0.1:{listen}"
    try:
        for port in (app_port, web_port, down_port):
            _wait(port)
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=10)


def _search(base: str, chars: int) -> requests.Response:
    return requests.get(base + "/search/?q=" + quote("供暖" * (chars // 2)), timeout=30)


def test_a_5000_character_search_reaches_the_application_through_gunicorn(servers):
    response = _search(servers["app"], 5000)
    assert response.status_code == 200, response.text[:200]
    assert response.text == f"收到 {len('q=') + 5000 * 9} 字节的查询"


def test_a_5000_character_search_reaches_the_application_through_nginx(servers):
    response = _search(servers["web"], 5000)
    assert response.status_code == 200, response.text[:200]
    assert "收到" in response.text


def test_a_url_longer_still_gets_the_chinese_page(servers):
    response = _search(servers["web"], 20000)
    assert response.status_code == 414
    assert "网址太长" in response.text
    assert "缩短搜索词" in response.text
    assert "URI" not in response.text


def test_an_upload_over_the_limit_gets_the_chinese_page(servers):
    response = requests.post(
        servers["web"] + "/admin/images/multiple/add/",
        files={"files[]": ("photo.jpg", b"\xff" * (13 * 1024 * 1024), "image/jpeg")},
        timeout=60,
    )
    assert response.status_code == 413
    assert "上传的文件太大" in response.text
    assert "10 MB" in response.text
    assert "Request Entity" not in response.text


def test_an_application_that_does_not_answer_gets_the_chinese_page(servers):
    response = requests.get(servers["down"] + "/admin/", timeout=30)
    assert response.status_code == 502
    assert "网站暂时无法访问" in response.text
    assert "Bad Gateway" not in response.text
    # its look is a static file nginx serves by itself, under the strict policy (no inline style)
    assert '<link rel="stylesheet" href="/static/errors/errors.css">' in response.text
    assert "<style" not in response.text and "style=" not in response.text
    policy = response.headers["Content-Security-Policy"]
    assert "style-src 'self';" in policy and "unsafe-inline" not in policy, policy
    sheet = requests.get(servers["down"] + "/static/errors/errors.css", timeout=30)
    assert sheet.status_code == 200
    assert sheet.headers["Content-Type"].startswith("text/css")
    assert "border-top" in sheet.text

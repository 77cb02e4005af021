"""The servers' own access logs keep no personal data: deploy/nginx.conf and
deploy/gunicorn.conf.py, run as in production (nginx → gunicorn, a stand-in application), log
the path of a GET form without its query string (/qa/?q=…, /search?q=…), no Referer query, and
gunicorn masks a number left in a path with the project's filter."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from tests.backoffice.test_server_error_pages import APP, _port, _wait

ROOT = Path(__file__).resolve().parents[2]
PHONE, ID_NUMBER = "13987654321", "110105198001011234"

pytestmark = pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")


def _run_servers(work: Path) -> tuple[list[subprocess.Popen], str, str]:
    (work / "stand_in.py").write_text(APP)
    (work / "published").mkdir()
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (work / "nginx-tmp" / sub).mkdir(parents=True)
    app_port, web_port = _port(), _port()
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
                "--access-logfile",
                str(work / "gunicorn-access.log"),
                "stand_in:app",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    conf = (
        (ROOT / "deploy" / "nginx.conf")
        .read_text()
        .replace("buffer=64k flush=5s", "")  # written at once, for the test to read
        .replace("__VAR__", str(work))
        .replace("__APP__", f"127.0.0.1:{app_port}")
        .replace("__LISTEN_RAW__", f"127.0.0.1:{_port()}")
        .replace("__LISTEN__", f"127.0.0.1:{web_port}")
    )
    (work / "nginx.conf").write_text(conf)
    procs.append(
        subprocess.Popen(
            ["nginx", "-c", str(work / "nginx.conf"), "-p", str(work), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    )
    _wait(app_port)
    _wait(web_port)
    return procs, f"http://127.0.0.1:{web_port}", f"http://127.0.0.1:{app_port}"


def test_access_logs_keep_paths_but_not_what_was_typed():
    with tempfile.TemporaryDirectory(prefix="govhub-logs-") as folder:
        work = Path(folder)
        work.chmod(0o755)
        procs, web, app = _run_servers(work)
        try:
            question = quote(f"我的电话{PHONE}身份证{ID_NUMBER}怎么办社保")
            referer = {"Referer": f"{web}/qa/?q={question}"}
            for base in (web, app):
                assert requests.get(f"{base}/qa/?q={question}", timeout=10).status_code == 200
                assert requests.get(f"{base}/search?q={question}", headers=referer, timeout=10)
            # a number in the path itself (a mistyped link): gunicorn's filter masks it
            requests.get(f"{app}/letters/track/{PHONE}/", timeout=10)
            time.sleep(0.5)
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(timeout=10)
        nginx_log = (work / "nginx-access.log").read_text()
        gunicorn_log = (work / "gunicorn-access.log").read_text()
    # nginx logs the portal's own paths (page views are counted from them), gunicorn all
    assert '"GET /search HTTP/1.1" 200' in nginx_log
    assert (
        '"GET /qa/ HTTP/1.1" 200' in gunicorn_log and "/letters/track/139****4321/" in gunicorn_log
    )
    for log in (nginx_log, gunicorn_log):
        assert PHONE not in log and ID_NUMBER not in log and "q=" not in log
        assert quote(PHONE) not in log and "%E6%88%91" not in log  # nor the encoded question

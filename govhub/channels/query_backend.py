"""The one client for 微查询 backends: a department's HTTP system answering a citizen's query.

Apps hand over the connector's settings and the citizen's parameters; this module signs the
request (API key header or HMAC-SHA256), enforces the timeout and turns every failure into
``BackendBusy`` with a kind (timeout, error, bad_answer) so that the caller shows 服务繁忙.
What the citizen typed is never logged: it travels in the JSON body for POST, and the query
string of GET requests is cut from urllib3's log records.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

MAX_ANSWER_BYTES = 512 * 1024
SIGNATURE_WINDOW = 300  # seconds a signed request stays valid


class BackendBusy(Exception):
    """The backend did not give a usable answer; ``kind`` says why (for the figures only)."""

    def __init__(self, kind: str, detail: str = ""):
        self.kind = kind
        super().__init__(f"{kind}: {detail}" if detail else kind)


@dataclass(frozen=True)
class BackendSettings:
    endpoint: str
    method: str = "POST"
    auth_type: str = "none"  # none | api_key | hmac
    auth_header: str = "X-Api-Key"
    app_id: str = ""
    secret: str = ""
    timeout: float = 5.0


class _NoQueryString(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.args and isinstance(record.args, tuple):
            record.args = tuple(
                a.split("?", 1)[0] + "?…" if isinstance(a, str) and "?" in a else a
                for a in record.args
            )
        return True


logging.getLogger("urllib3.connectionpool").addFilter(_NoQueryString())


def signature(secret: str, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    """HMAC-SHA256 over method, path, timestamp, nonce and the body's SHA-256 (hex)."""
    message = "\n".join(
        [method.upper(), path, timestamp, nonce, hashlib.sha256(body).hexdigest()]
    ).encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify_signature(
    secret: str, method: str, path: str, headers: dict, body: bytes, now: float | None = None
) -> bool:
    """What a backend (or our fake of one) checks: a fresh timestamp and the right signature."""
    ts = headers.get("X-Timestamp", "")
    nonce = headers.get("X-Nonce", "")
    given = headers.get("X-Signature", "")
    try:
        age = abs((now or time.time()) - int(ts))
    except ValueError:
        return False
    if age > SIGNATURE_WINDOW or not nonce:
        return False
    return hmac.compare_digest(given, signature(secret, method, path, ts, nonce, body))


def call(cfg: BackendSettings, params: dict[str, str]) -> dict:
    """Ask the backend; its parsed JSON object, or ``BackendBusy``."""
    method = cfg.method.upper()
    body = b""
    url = cfg.endpoint
    kwargs: dict = {"allow_redirects": False, "stream": True}
    headers = {"Accept": "application/json", "User-Agent": "govhub-query/1"}
    if method == "POST":
        body = json.dumps(params, ensure_ascii=False).encode()
        headers["Content-Type"] = "application/json; charset=utf-8"
        kwargs["data"] = body
    else:
        kwargs["params"] = params
    if cfg.auth_type == "api_key":
        headers[cfg.auth_header or "X-Api-Key"] = cfg.secret
    elif cfg.auth_type == "hmac":
        ts, nonce = str(int(time.time())), secrets.token_hex(8)
        path = urlsplit(url).path or "/"
        headers.update(
            {
                "X-App-Id": cfg.app_id,
                "X-Timestamp": ts,
                "X-Nonce": nonce,
                "X-Signature": signature(cfg.secret, method, path, ts, nonce, body),
            }
        )
    deadline = time.monotonic() + cfg.timeout
    try:
        with requests.request(method, url, headers=headers, timeout=cfg.timeout, **kwargs) as resp:
            if resp.status_code >= 300:
                raise BackendBusy("error", f"HTTP {resp.status_code}")
            chunks, size = [], 0
            for chunk in resp.iter_content(16384):
                size += len(chunk)
                if size > MAX_ANSWER_BYTES:
                    raise BackendBusy("bad_answer", "answer too large")
                if time.monotonic() > deadline:
                    raise BackendBusy("timeout", "answer too slow")
                chunks.append(chunk)
    except requests.Timeout:
        raise BackendBusy("timeout") from None
    except requests.RequestException as exc:
        raise BackendBusy("error", type(exc).__name__) from None
    try:
        data = json.loads(b"".join(chunks).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BackendBusy("bad_answer", "not JSON") from None
    if not isinstance(data, dict):
        raise BackendBusy("bad_answer", "not a JSON object")
    return data

"""SMS (短信) behind a pluggable gateway: the one module that sends text messages.

A real provider implements ``SmsGateway.send`` and is named by GOVHUB_SMS_GATEWAY (dotted path
of a class). The default keeps an in-memory outbox and logs the masked number, so the demo and
the tests see what would be sent. A gateway that accepts a caller's reference (most Chinese SMS
providers take one, e.g. an "OutId") is given the message's uid as ``ref``: it can refuse a
second send of the same ref, and ``lookup(ref)`` lets a retry ask whether an earlier, interrupted
attempt got through. One that cannot answer returns None, and a crash between its send and our
record may repeat that one text (docs/outbox.md).
"""

from __future__ import annotations

import logging
import os
import threading
from functools import cache
from typing import Protocol

from django.utils.module_loading import import_string

from govhub.channels.base import ChannelError, Progress, Sent
from govhub.core.pii import mask_phone

log = logging.getLogger(__name__)

SIGN_LIMIT = 70  # characters per SMS segment (Chinese); longer texts are split by the carrier


class SmsGateway(Protocol):
    def send(self, phone: str, text: str, ref: str = "") -> str:
        """Send one message; return the provider's id; raise on failure."""

    def lookup(self, ref: str) -> str | None:
        """The provider's id of an earlier send with ``ref``, None when unknown or unsupported."""


class LoggingSmsGateway:
    """The demo/test gateway: keeps what it would send (phone, text), one per ref."""

    outbox: list[tuple[str, str]] = []
    sent_refs: dict[str, str] = {}
    _lock = threading.Lock()

    def send(self, phone: str, text: str, ref: str = "") -> str:
        with self._lock:
            if ref and ref in self.sent_refs:
                return self.sent_refs[ref]
            self.outbox.append((phone, text))
            provider_id = f"log-{len(self.outbox)}"
            if ref:
                self.sent_refs[ref] = provider_id
        log.info("SMS to %s: %d chars", mask_phone(phone), len(text))
        return provider_id

    def lookup(self, ref: str) -> str | None:
        return self.sent_refs.get(ref)


class HttpSmsGateway:
    """A gateway behind a plain HTTP interface (the shape of many 政务短信平台 front ends):
    ``POST {GOVHUB_SMS_URL}/send`` with JSON ``{"phone", "text", "ref"}`` and the key in
    ``X-Api-Key`` answers ``{"id": …}`` (the same ``ref`` twice answers the first id, nothing is
    sent again); ``GET {GOVHUB_SMS_URL}/lookup?ref=…`` answers ``{"id": …}`` or 404."""

    def __init__(self) -> None:
        self.url = os.environ.get("GOVHUB_SMS_URL", "").rstrip("/")
        self.key = os.environ.get("GOVHUB_SMS_KEY", "")
        self.timeout = float(os.environ.get("GOVHUB_SMS_TIMEOUT", "10"))

    def _request(self, method: str, path: str, **kw):
        import requests

        try:
            res = requests.request(
                method,
                self.url + path,
                headers={"X-Api-Key": self.key},
                timeout=self.timeout,
                **kw,
            )
        except requests.Timeout as exc:
            raise ChannelError(
                "短信网关响应超时，稍后重试（重试前会先核对是否已发出）",
                ambiguous=True,
                code="timeout",
            ) from exc
        except requests.RequestException as exc:
            raise ChannelError(
                "无法连接短信网关，稍后重试", ambiguous=True, code="network"
            ) from exc
        if res.status_code >= 500:
            raise ChannelError(
                f"短信网关暂时故障（HTTP {res.status_code}）", ambiguous=True, code="http"
            )
        return res

    def send(self, phone: str, text: str, ref: str = "") -> str:
        res = self._request("POST", "/send", json={"phone": phone, "text": text, "ref": ref})
        if res.status_code >= 400:
            raise ChannelError(
                f"短信网关拒绝发送（HTTP {res.status_code}）", permanent=True, code="sms_refused"
            )
        return str(res.json().get("id", ""))

    def lookup(self, ref: str) -> str | None:
        res = self._request("GET", "/lookup", params={"ref": ref})
        return str(res.json().get("id")) if res.status_code == 200 else None


@cache
def gateway() -> SmsGateway:
    path = os.environ.get("GOVHUB_SMS_GATEWAY", "")
    return import_string(path)() if path else LoggingSmsGateway()


def _phone_ok(phone: str) -> bool:
    digits = "".join(c for c in phone or "" if c.isdigit())
    return len(digits) == 11 and digits.startswith("1")


class SmsSender:
    """A text to one mobile number: payload ``short`` (or ``text``), signed by the sender."""

    platform = "sms"

    def configured(self, account) -> bool:
        return True

    def send(self, message, progress: Progress) -> Sent:
        if not _phone_ok(message.recipient):
            raise ChannelError("手机号码无效，未发送短信", permanent=True, code="bad_phone")
        payload = message.payload
        text = f"{payload.get('signature', '')}{payload.get('short') or payload.get('text', '')}"
        try:
            provider_id = gateway().send(message.recipient, text, ref=message.uid)
        except ChannelError:
            raise
        except Exception as exc:  # noqa: BLE001 - a provider's failure is retried
            raise ChannelError(
                f"短信网关发送失败：{type(exc).__name__}", ambiguous=True, code="sms"
            ) from exc
        return Sent(str(provider_id), "", "已发送短信")

    def find_existing(self, message, progress: Progress) -> Sent | None:
        lookup = getattr(gateway(), "lookup", None)
        found = lookup(message.uid) if lookup else None
        return Sent(str(found), "", "已发送短信") if found else None

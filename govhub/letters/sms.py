"""SMS behind a pluggable gateway. The default logs (masked) and keeps an in-memory outbox, so
the demo and the tests see what would be sent; a real provider implements ``send`` and is named
by GOVHUB_SMS_GATEWAY (dotted path)."""

from __future__ import annotations

import logging
import os
from functools import cache
from typing import Protocol

from django.utils.module_loading import import_string

from govhub.core.pii import mask_phone

log = logging.getLogger(__name__)


class SmsGateway(Protocol):
    def send(self, phone: str, text: str) -> str:
        """Send one message; return the provider's id; raise on failure."""


class LoggingSmsGateway:
    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> str:
        self.outbox.append((phone, text))
        log.info("SMS to %s: %d chars", mask_phone(phone), len(text))
        return f"log-{len(self.outbox)}"


@cache
def gateway() -> SmsGateway:
    path = os.environ.get("GOVHUB_SMS_GATEWAY", "")
    return import_string(path)() if path else LoggingSmsGateway()

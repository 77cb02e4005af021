"""Personal data (个人信息): encrypted at rest, found by keyed hash, masked on display.

Values are stored as ``pii1:<key id>:<base64(nonce + AES-256-GCM ciphertext)>``. Keys come from
GOVHUB_PII_KEYS as ``id:base64key,id:base64key`` with the newest first; every listed key can still
decrypt, only the newest encrypts, and ``govhub pii rotate`` re-encrypts old values.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import re
import unicodedata
from functools import cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import models

PREFIX = "pii1"


class Grade(models.TextChoices):
    """Sensitivity grade (数据级别): exports and logs respect it."""

    PUBLIC = "public", "公开"
    INTERNAL = "internal", "内部"
    SENSITIVE = "sensitive", "敏感"


class KeyError_(Exception):
    """A value was written with a key this installation no longer has."""


@cache
def _keys() -> list[tuple[str, bytes]]:
    keys = []
    for item in settings.PII_KEYS.split(","):
        key_id, _, b64 = item.strip().partition(":")
        raw = base64.b64decode(b64)
        if len(raw) not in (16, 24, 32):
            raise ValueError(f"GOVHUB_PII_KEYS: key {key_id!r} must be 16, 24 or 32 bytes")
        keys.append((key_id, raw))
    if not keys:
        raise ValueError("GOVHUB_PII_KEYS is empty")
    return keys


def reset_keys() -> None:
    """Forget cached keys (tests that change settings call this)."""
    _keys.cache_clear()


def newest_key_id() -> str:
    return _keys()[0][0]


def encrypt(plain: str) -> str:
    key_id, key = _keys()[0]
    nonce = os.urandom(12)
    blob = AESGCM(key).encrypt(nonce, plain.encode("utf-8"), key_id.encode())
    return f"{PREFIX}:{key_id}:{base64.b64encode(nonce + blob).decode()}"


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX + ":"):
        return stored  # legacy clear value; `govhub pii rotate` encrypts it
    _, key_id, b64 = stored.split(":", 2)
    key = dict(_keys()).get(key_id)
    if key is None:
        raise KeyError_(f"personal-data key {key_id!r} is not configured")
    raw = base64.b64decode(b64)
    return AESGCM(key).decrypt(raw[:12], raw[12:], key_id.encode()).decode("utf-8")


def key_id_of(stored: str) -> str | None:
    return stored.split(":", 2)[1] if stored.startswith(PREFIX + ":") else None


def normalise_for_index(value: str, kind: str) -> str:
    value = unicodedata.normalize("NFKC", value or "").strip()
    if kind == "phone":
        value = re.sub(r"\D", "", value)
        if value.startswith("86") and len(value) == 13:
            value = value[2:]
    elif kind == "id":
        value = value.replace(" ", "").upper()
    elif kind == "email":
        value = value.lower()
    return value


def blind_index(value: str, kind: str) -> str:
    """Keyed hash for exact look-up of a phone, ID or e-mail without storing it in clear."""
    norm = normalise_for_index(value, kind)
    if not norm:
        return ""
    return hmac.new(
        settings.PII_INDEX_KEY.encode(), f"{kind}:{norm}".encode(), hashlib.sha256
    ).hexdigest()


class EncryptedTextField(models.TextField):
    """A text field encrypted with the PII keys; ``grade`` says how sensitive it is and
    ``index_kind`` makes the model keep ``<name>_index`` for exact look-ups."""

    def __init__(self, *args, grade: str = Grade.SENSITIVE, index_kind: str | None = None, **kw):
        self.grade = grade
        self.index_kind = index_kind
        super().__init__(*args, **kw)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["grade"] = str(self.grade)
        if self.index_kind:
            kwargs["index_kind"] = self.index_kind
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if self.index_kind:
            setattr(
                model_instance, f"{self.attname}_index", blind_index(value or "", self.index_kind)
            )
        return value


def pii_fields(model: type[models.Model]) -> list[EncryptedTextField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]


# --- masking -------------------------------------------------------------------------


def mask_phone(value: str) -> str:
    digits = re.sub(r"\D", "", value or "")
    if len(digits) >= 7:
        return f"{digits[:3]}****{digits[-4:]}"
    return "****" if digits else ""


def mask_id_number(value: str) -> str:
    v = (value or "").strip()
    if len(v) >= 8:
        return f"{v[:3]}{'*' * (len(v) - 7)}{v[-4:]}"
    return "****" if v else ""


def mask_name(value: str) -> str:
    v = (value or "").strip()
    if not v:
        return ""
    return v[0] + "*" * max(1, len(v) - 1)


def mask_address(value: str) -> str:
    v = (value or "").strip()
    return (v[:6] + "****") if v else ""


def mask_email(value: str) -> str:
    local, _, domain = (value or "").partition("@")
    return f"{local[:1]}***@{domain}" if domain else ("***" if value else "")


MASKERS = {
    "name": mask_name,
    "phone": mask_phone,
    "id_number": mask_id_number,
    "address": mask_address,
    "email": mask_email,
}


def mask(field_name: str, value: str) -> str:
    return MASKERS.get(field_name, lambda v: "****" if v else "")(value)


def shown_value(user, obj: models.Model, field_name: str) -> str:
    """The value as ``user`` may see it: in full with the right to, masked otherwise."""
    from govhub.core.permissions import can

    value = getattr(obj, field_name) or ""
    if can(user, "view_personal_data", obj):
        return value
    return mask(field_name, value)


def export_row(obj: models.Model, *, max_grade: str = Grade.PUBLIC) -> dict[str, str]:
    """A dict of the object's PII fields for an export: fields above ``max_grade`` are masked."""
    order = [Grade.PUBLIC, Grade.INTERNAL, Grade.SENSITIVE]
    out = {}
    for f in pii_fields(type(obj)):
        value = getattr(obj, f.attname) or ""
        out[f.name] = (
            value if order.index(f.grade) <= order.index(max_grade) else mask(f.name, value)
        )
    return out


# --- logs ----------------------------------------------------------------------------

ID_RE = re.compile(
    r"(?<!\d)\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?!\d)"
)
PHONE_RE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)")
CARD_RE = re.compile(r"(?<!\d)\d{16,19}(?!\d)")


def redact_text(text: str) -> str:
    """Mask ID-card numbers, mobile numbers and card-like numbers in free text."""
    text = ID_RE.sub(lambda m: mask_id_number(m.group()), text)
    text = PHONE_RE.sub(lambda m: mask_phone(m.group()), text)
    return CARD_RE.sub(lambda m: m.group()[:4] + "****" + m.group()[-4:], text)


class RedactingFilter(logging.Filter):
    """Keeps personal data out of logs whatever a caller passes in."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed log call is still logged, just not formatted
            return True
        redacted = redact_text(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True

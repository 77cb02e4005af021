"""Input checks and redaction for letter text."""

from __future__ import annotations

import re

from govhub.core.pii import redact_text

MAX_SUBJECT = 100
MAX_CONTENT = 5000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[A-Za-z]{2,24}$")


def clean_text(value: str | None) -> str:
    """Plain text: control characters removed, line ends unified, outer space trimmed. HTML is
    kept as typed and escaped wherever it is shown, so nothing a citizen writes is lost."""
    value = _CONTROL.sub("", (value or "").replace("\r\n", "\n").replace("\r", "\n"))
    return value.strip()


def normalise_phone(value: str) -> str:
    digits = re.sub(r"[\s()（）]", "", value or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    return digits


def valid_phone(value: str) -> bool:
    return bool(MOBILE_RE.match(value) or LANDLINE_RE.match(value))


# addresses: "XX路12号", "XX小区3栋2单元501", "XX村5组"
ADDRESS_RE = re.compile(
    r"[\u4e00-\u9fa5A-Za-z0-9]{1,12}(?:路|街|大道|巷|弄|小区|花园|家园|公寓|大厦|新村|苑)"
    r"[\u4e00-\u9fa5A-Za-z0-9\-－#]{0,6}(?:号|栋|幢|楼|单元|室|号楼)(?:[0-9一二三四五六七八九十\-－]*(?:号|栋|幢|楼|单元|室))*"
)
VILLAGE_GROUP_RE = re.compile(r"[\u4e00-\u9fa5]{1,6}村[0-9一二三四五六七八九十]{1,3}组")
NAME_INTRO_RE = re.compile(
    r"(我(?:叫|是|姓)|本人|联系人[:：]?|姓名[:：]?)([\u4e00-\u9fa5]{2,4}?)(?=[，,。.；;\s]|$|(?:是|今年|，))"
)


def redact_for_publication(text: str, names: list[str] = ()) -> str:
    """Redact personal data before a letter is published: ID numbers, phone and card numbers
    (core), the writer's own name wherever it appears, self-introductions (我叫张三), and house
    addresses (…路12号, …小区3栋501, …村5组). Staff confirm the result before it goes out."""
    out = redact_text(text or "")
    for name in names:
        name = (name or "").strip()
        if len(name) >= 2:
            out = out.replace(name, name[0] + "某" * (len(name) - 1))
    out = NAME_INTRO_RE.sub(
        lambda m: m.group(1) + m.group(2)[0] + "某" * (len(m.group(2)) - 1), out
    )
    out = ADDRESS_RE.sub("（地址已隐去）", out)
    out = VILLAGE_GROUP_RE.sub("（地址已隐去）", out)
    return out

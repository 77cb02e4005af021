"""Checks for what citizens type into a query: ID number (with its check digit), plate, phone.

Each checker returns the normalised value or raises ``ValueError`` with a Chinese message that
the form shows beside the field.
"""

from __future__ import annotations

import datetime as dt
import re

_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"
_PLATE = re.compile(
    r"^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼]"
    r"[A-HJ-NP-Z]"
    r"(?:[A-HJ-NP-Z0-9]{5}|[DF][A-HJ-NP-Z0-9]{5}|[A-HJ-NP-Z0-9]{5}[DF])$"
)
_PHONE = re.compile(r"^1[3-9]\d{9}$")
_CODE = re.compile(r"^[A-Za-z0-9-]{4,32}$")


def id_check_digit(first17: str) -> str:
    """The 18th character of a resident ID number (GB 11643-1999, ISO 7064 MOD 11-2)."""
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def check_id_number(raw: str) -> str:
    value = re.sub(r"\s", "", raw or "").upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise ValueError("身份证号应为 18 位，前 17 位是数字，最后一位是数字或 X")
    try:
        dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValueError("身份证号中的出生日期不正确，请核对") from None
    if id_check_digit(value[:17]) != value[17]:
        raise ValueError("身份证号校验位不正确，请核对后重新输入")
    return value


def check_plate(raw: str) -> str:
    value = re.sub(r"[\s·.]", "", raw or "").upper()
    if not _PLATE.match(value):
        raise ValueError("车牌号格式不正确，例如：粤A12345 或新能源车牌 粤AD12345")
    return value


def check_phone(raw: str) -> str:
    value = re.sub(r"[\s-]", "", raw or "")
    if value.startswith("+86"):
        value = value[3:]
    if not _PHONE.match(value):
        raise ValueError("手机号应为 11 位数字，以 1 开头")
    return value


def check_code(raw: str) -> str:
    value = (raw or "").strip()
    if not _CODE.match(value):
        raise ValueError("编号应为 4 到 32 位字母、数字或短横线")
    return value


def check_text(raw: str) -> str:
    value = (raw or "").strip()
    if not value:
        raise ValueError("请填写此项")
    if len(value) > 100:
        raise ValueError("不能超过 100 字")
    return value


# kind → (Chinese name, checker, whether the value is personal data)
KINDS: dict[str, tuple[str, object, bool]] = {
    "id_number": ("身份证号", check_id_number, True),
    "plate": ("车牌号", check_plate, True),
    "phone": ("手机号", check_phone, True),
    "code": ("编号", check_code, False),
    "text": ("文本", check_text, True),
}
KIND_BY_LABEL = {label: kind for kind, (label, _, _) in KINDS.items()}

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
from dataclasses import dataclass
from functools import cache, partial

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
    ``index_kind`` makes the model keep ``<name>_index`` for exact look-ups.

    ``redacted_copy`` names a clear-text field the model keeps beside a free-text one (a letter's
    body, a board post): on every save it receives ``redact_text`` of the value, so search,
    routing, duplicate detection and list previews never need the ciphertext — and never see a
    phone, ID or card number. Lookups such as ``icontains`` on the encrypted field itself find
    nothing (the value is ciphertext): query the redacted copy."""

    def __init__(
        self,
        *args,
        grade: str = Grade.SENSITIVE,
        index_kind: str | None = None,
        redacted_copy: str | None = None,
        **kw,
    ):
        self.grade = grade
        self.index_kind = index_kind
        self.redacted_copy = redacted_copy
        super().__init__(*args, **kw)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["grade"] = str(self.grade)
        if self.index_kind:
            kwargs["index_kind"] = self.index_kind
        if self.redacted_copy:
            kwargs["redacted_copy"] = self.redacted_copy
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
        if self.redacted_copy:
            setattr(model_instance, self.redacted_copy, redact_text(value or ""))
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


def shown_text(user, obj: models.Model, field_name: str, *, allowed: bool | None = None) -> str:
    """Free text (a letter's body, a post) as ``user`` may see it: in full with
    ``view_personal_data`` on ``obj``, otherwise with every phone, ID and card number masked
    (the stored redacted copy when the field keeps one). ``allowed`` skips the check when the
    caller already made it for a whole list."""
    if allowed is None:
        from govhub.core.permissions import can

        allowed = can(user, "view_personal_data", obj)
    value = getattr(obj, field_name) or ""
    if allowed:
        return value
    return redacted_value(obj, field_name)


def redacted_value(obj: models.Model, field_name: str) -> str:
    """The field's redacted copy (computed when the row predates it)."""
    field = obj._meta.get_field(field_name)
    copy = getattr(field, "redacted_copy", None)
    if copy and getattr(obj, copy, ""):
        return getattr(obj, copy)
    return redact_text(getattr(obj, field_name) or "")


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


# --- one pattern set for personal data in free text ----------------------------------------
# The pre-publication checker, the nightly sweep, the log filter and audit summaries all call
# ``find_personal``: what is blocked before publication is also what never reaches a log line.

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# first two digits of a resident ID number: the province-level area codes (GB/T 2260)
_PROVINCES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
        "83",
        "91",
    ]
)
_SEP = r"[ \-\u00a0]?"
ID_RE = re.compile(
    r"(?<![0-9A-Za-z])(\d{6})"
    + _SEP
    + r"((?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))"
    + _SEP
    + r"(\d{3}[\dXx])(?![0-9A-Za-z])"
)
ID15_RE = re.compile(
    r"(?<![0-9A-Za-z])\d{6}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?![0-9A-Za-z])"
)
PHONE_RE = re.compile(r"(?<![\d\-])(?:(?:\+|00)?86[ \-]?)?1[3-9](?:[ \-]?\d){9}(?![\d])")
CARD_RE = re.compile(r"(?<![\d\-])\d(?:[ \-]?\d){15,18}(?![\d])")
_ID_CONTEXT = re.compile(r"(?:身份证|公民身份|证件)(?:号码|号)?[:：\s]*$")
_URL_RE = re.compile(
    r"(?:https?://|ftp://|www\.)[^\s<>\"'，。；）)】」]+"
    r"|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z0-9.]+",
    re.I,
)
# 文号 and 代码 are not personal data: 〔2026〕12号, [2019]3号, 统一社会信用代码 91130100…
_DOCNO_RE = re.compile(r"[〔\[［(（]\s*(?:19|20)\d{2}\s*[〕\]］)）]\s*第?\d+\s*号")
_CODE_CONTEXT = re.compile(
    r"(?:信用代码|组织机构代码|税号|纳税人识别号|登记号|编号|批准文号|备案号|案号|ISBN|ISSN)[:：\s]*$",
    re.I,
)
_ADDRESS_CONTEXT = (
    r"(?:家庭住址|家住|住址|住所地?|现住(?:址)?|居住(?:地|在|于)|户籍(?:所在)?地|暂住(?:地|在))"
)
_ADDR_BODY = r"[\u4e00-\u9fa5A-Za-z0-9\-－—#（）()]{2,40}?\d+\s*(?:号楼|号院|号|栋|幢|单元|室|户|组)(?:\s*\d+\s*(?:号楼|号|栋|幢|单元|层|楼|室|户))*"
ADDRESS_RE = re.compile(_ADDRESS_CONTEXT + r"[:：为是\s]*(" + _ADDR_BODY + ")")
UNIT_RE = re.compile(
    r"[\u4e00-\u9fa5]{2,20}?(?:\d+\s*(?:号楼|栋|幢|号院))\s*\d+\s*单元\s*\d+\s*(?:室|号|户)?"
    r"|[\u4e00-\u9fa5]{2,20}?\d+\s*[-－]\s*\d+\s*[-－]\s*\d+\s*(?:室|号|户)"
)
# common surnames (百家姓中最常见的姓氏), to tell a name before an ID number from other words
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔"
    "向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌"
    "毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦"
    "麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩"
    "明佘池查麻苑迟邝"
)
# 申请人, 当事人, 负责人… stand where a name would, but are none
_ROLE_WORD = re.compile(r"[人者员方长号码证书件]$|申请|代表|代理|经办|身份|公民")
_NAME_BEFORE_ID = re.compile(
    r"([\u4e00-\u9fa5]{2,3})(?:同志|先生|女士)?[，,、：:\s（(]*(?:身份证(?:号码|号)?|公民身份号码|证件号码?)?[:：\s]*$"
)


@dataclass(frozen=True)
class PersonalMatch:
    """One piece of personal data in a text: ``kind`` is id_number, mobile, bank_card, address
    or name; ``detail`` says more (``check_digit`` for an ID number whose last digit is wrong)."""

    kind: str
    start: int
    end: int
    value: str
    detail: str = ""


def id_check_digit_ok(number: str) -> bool:
    """True when an 18-digit resident ID number's last character is its ISO 7064 check digit."""
    number = re.sub(r"[ \-\u00a0]", "", number)
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(c) * w for c, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def digits_of(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def _excluded_spans(text: str) -> list[tuple[int, int]]:
    spans = [m.span() for m in _URL_RE.finditer(text)]
    spans += [m.span() for m in _DOCNO_RE.finditer(text)]
    return spans


def _inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(a <= start < b or a < end <= b for a, b in spans)


def _plausible_birth(date8: str) -> bool:
    import datetime as dt

    try:
        born = dt.date(int(date8[:4]), int(date8[4:6]), int(date8[6:]))
    except ValueError:
        return False
    return dt.date(1900, 1, 1) <= born <= dt.date.today()  # noqa: DTZ011 - a calendar date


def find_personal(
    text: str, *, public_numbers: frozenset[str] | set[str] = frozenset()
) -> list[PersonalMatch]:
    """Every piece of personal data in ``text``: resident ID numbers (also with a wrong check
    digit — a leaked number with a typo still identifies a person — and with spaces), mobile
    numbers (plain, spaced or hyphenated, with or without +86), bank-card numbers passing Luhn,
    home addresses down to the house number, and a name written next to an ID number.

    Not personal data: numbers inside a URL or an e-mail address, 文号 (〔2026〕12号), codes
    after 信用代码/编号/备案号…, office landlines and service lines (0311-12345678, 12345),
    dates and amounts, and the numbers in ``public_numbers`` (digits only) that the county
    publishes on purpose."""
    if not text:
        return []
    # which characters lie in an excluded span (URL, 文号) or a match already taken: one look-up
    # per match instead of a scan of every span (a megabyte of numbers took minutes)
    covered = bytearray(len(text) + 1)
    for a, b in _excluded_spans(text):
        covered[a:b] = b"\x01" * (b - a)
    out: list[PersonalMatch] = []

    def take(span: tuple[int, int]) -> None:
        covered[span[0] : span[1]] = b"\x01" * (span[1] - span[0])

    def free(start: int, end: int) -> bool:
        # as _inside: neither the first character nor the last lies in a covered span
        return not covered[start] and not (end > 0 and covered[end - 1])

    def coded(start: int) -> bool:
        return bool(_CODE_CONTEXT.search(text[max(0, start - 12) : start]))

    for m in ID_RE.finditer(text):
        area, born, tail = m.group(1), m.group(2), m.group(3)
        if area[:2] not in _PROVINCES or not _plausible_birth(born) or not free(*m.span()):
            continue
        if coded(m.start()) or digits_of(m.group()) in public_numbers:
            continue
        detail = "" if id_check_digit_ok(area + born + tail) else "check_digit"
        take(m.span())
        out.append(PersonalMatch("id_number", m.start(), m.end(), m.group(), detail))
    for m in ID15_RE.finditer(text):
        if not free(*m.span()) or m.group()[:2] not in _PROVINCES:
            continue
        if _ID_CONTEXT.search(text[max(0, m.start() - 12) : m.start()]):
            take(m.span())
            out.append(PersonalMatch("id_number", m.start(), m.end(), m.group(), "old_format"))
    for m in PHONE_RE.finditer(text):
        if not free(*m.span()) or coded(m.start()):
            continue
        digits = digits_of(m.group())
        if digits[-11:] in public_numbers or digits in public_numbers:
            continue
        take(m.span())
        out.append(PersonalMatch("mobile", m.start(), m.end(), m.group()))
    for m in CARD_RE.finditer(text):
        digits = digits_of(m.group())
        if not (16 <= len(digits) <= 19) or not free(*m.span()) or coded(m.start()):
            continue
        if digits in public_numbers or not luhn_ok(digits):
            continue
        take(m.span())
        out.append(PersonalMatch("bank_card", m.start(), m.end(), m.group()))
    for rx in (ADDRESS_RE, UNIT_RE):
        for m in rx.finditer(text):
            span = m.span(1) if rx is ADDRESS_RE else m.span()
            if not free(*span):
                continue
            take(span)
            out.append(PersonalMatch("address", span[0], span[1], text[span[0] : span[1]]))
    for p in [p for p in out if p.kind == "id_number"]:
        before = text[max(0, p.start - 20) : p.start]
        nm = _NAME_BEFORE_ID.search(before)
        if nm and nm.group(1)[0] in SURNAMES and not _ROLE_WORD.search(nm.group(1)):
            start = p.start - len(before) + nm.start(1)
            name = nm.group(1)
            # 张三身份证号 → the name is the characters right after the surname (2–3 of them)
            out.append(PersonalMatch("name", start, start + len(name), name))
    return sorted(out, key=lambda p: (p.start, p.kind))


# --- logs ----------------------------------------------------------------------------


def _masked(p: PersonalMatch) -> str:
    if p.kind == "id_number":
        return mask_id_number(re.sub(r"[ \-\u00a0]", "", p.value))
    if p.kind == "mobile":
        return mask_phone(digits_of(p.value)[-11:])
    if p.kind == "bank_card":
        d = digits_of(p.value)
        return d[:4] + "****" + d[-4:]
    if p.kind == "address":
        return re.sub(r"\d", "*", p.value)
    return mask_name(p.value)


def redact_text(text: str) -> str:
    """Mask every piece of personal data ``find_personal`` finds (logs, audit summaries)."""
    if not text or not any(ch.isdigit() for ch in text):
        return text
    found = find_personal(text)
    if not found:
        return text
    out, at = [], 0
    for p in sorted(found, key=lambda p: p.start):
        if p.start < at:
            continue
        out.append(text[at : p.start])
        out.append(_masked(p))
        at = p.end
    out.append(text[at:])
    return "".join(out)


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
        if record.exc_info and not record.exc_text:
            # a traceback may quote a value (a database error names the row it refused)
            record.exc_text = redact_text(_TRACEBACKS.formatException(record.exc_info))
        return True


_TRACEBACKS = logging.Formatter()


# --- data migrations -----------------------------------------------------------------------


def encrypt_columns(tables: dict[str, dict[str, str]]):
    """The ``RunPython`` operation of a migration that turned free-text fields into
    ``EncryptedTextField``: forward encrypts the rows still in clear, backward decrypts them;
    safe to re-run. ``tables`` maps a model label to its fields, each field to its redacted
    copy's name or to "" (see `encrypt_existing_rows`)."""
    from django.db import migrations  # only migrations need it; models import this module

    return migrations.RunPython(
        partial(_rewrite_tables, tables, forward=True),
        partial(_rewrite_tables, tables, forward=False),
    )


def _rewrite_tables(tables, apps, schema_editor, *, forward: bool) -> None:
    for label, fields in tables.items():
        _rewrite_rows(apps, schema_editor, label, fields, forward=forward)


def encrypt_existing_rows(apps, schema_editor, label: str, fields: dict[str, str]) -> None:
    """Data migration for free-text fields that became ``EncryptedTextField``: encrypt the
    values still in clear and fill each redacted copy (``fields`` maps a field to its copy's
    name, or to "" without one). Plain SQL by primary key in batches, so it runs the same on
    SQLite and PostgreSQL; rows already encrypted keep their ciphertext (a re-run changes
    nothing but refreshes the copies)."""
    _rewrite_rows(apps, schema_editor, label, fields, forward=True)


def decrypt_existing_rows(apps, schema_editor, label: str, fields: dict[str, str]) -> None:
    """The reverse: the values back in clear (before the column shrinks again)."""
    _rewrite_rows(apps, schema_editor, label, fields, forward=False)


def _rewrite_rows(apps, schema_editor, label, fields, *, forward: bool) -> None:
    model = apps.get_model(label)
    meta = model._meta
    conn = schema_editor.connection
    qn = conn.ops.quote_name
    table, pk = qn(meta.db_table), qn(meta.pk.column)
    cols = [meta.get_field(name).column for name in fields]
    copies = {name: meta.get_field(copy) for name, copy in fields.items() if copy}
    with conn.cursor() as cur:
        cur.execute(f"SELECT {pk} FROM {table} ORDER BY {pk}")
        pks = [row[0] for row in cur.fetchall()]
        for i in range(0, len(pks), 500):
            chunk = pks[i : i + 500]
            marks = ", ".join(["%s"] * len(chunk))
            cur.execute(
                f"SELECT {pk}, {', '.join(qn(c) for c in cols)} FROM {table} WHERE {pk} IN ({marks})",
                chunk,
            )
            for row_pk, *values in cur.fetchall():
                sets: dict[str, str] = {}
                for name, col, value in zip(fields, cols, values, strict=True):
                    if not value:
                        continue
                    plain = decrypt(value)
                    if forward:
                        if not value.startswith(PREFIX + ":"):
                            sets[col] = encrypt(plain)
                        if name in copies:
                            copy = copies[name]
                            limit = getattr(copy, "max_length", None)
                            sets[copy.column] = redact_text(plain)[:limit]
                    elif value != plain:
                        sets[col] = plain
                if sets:
                    assignments = ", ".join(f"{qn(c)} = %s" for c in sets)
                    cur.execute(
                        f"UPDATE {table} SET {assignments} WHERE {pk} = %s",
                        [*sets.values(), row_pk],
                    )

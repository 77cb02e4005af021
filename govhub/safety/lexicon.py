"""The dictionaries (词库): the base edition shipped in ``data/`` plus the county's own entries.

An entry has a kind:

- ``state_name``/``institution``/``place``/``fixed_phrase``: correct forms (国名、机构名、地名、
  规范表述); a text one character off such a form (substituted, dropped or swapped) is reported.
- ``wrong_form``: a known wrong form and its correction (攻府 → 政府).
- ``outdated``: a name no longer valid since ``since``, with its successor (国土资源部 → 自然资源部).
- ``political``: a wrong political expression and the official one (台湾总统 → 台湾地区领导人).
- ``quoted``: a term that may appear only in quotation marks (“台独”).
- ``forbidden``/``sensitive``: words not to publish / to review.
- ``public_number``: a number published on purpose (a service line, an office mobile, a public
  account) that the personal-data check lets through.
- ``blocked_domain``: a web site no government page may link to.

Leaders (领导人姓名和职务) are a separate list with effective dates: ``Leader``.
The base edition is data (CSV) with a source for every entry; the county's additions and
switches live in the database (``safety.models``) and are merged by ``current_lexicon``.
"""

from __future__ import annotations

import csv
import datetime as dt
import threading
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).parent / "data"
BASE_DICTIONARY = DATA / "base_dictionary.csv"
BASE_LEADERS = DATA / "leaders.csv"
BASE_EDITION = "2025.1"

KINDS = {
    "state_name": "国家名称",
    "institution": "机构名称",
    "place": "地名",
    "fixed_phrase": "规范表述",
    "wrong_form": "错误写法",
    "outdated": "过时名称",
    "political": "政治性表述",
    "quoted": "须加引号的词",
    "forbidden": "禁用词",
    "sensitive": "敏感词",
    "public_number": "公开号码",
    "blocked_domain": "屏蔽网站",
}
CORRECT_KINDS = ("state_name", "institution", "place", "fixed_phrase")
LEVELS = {
    "national": "国家",
    "provincial": "省级",
    "city": "市级",
    "county": "县级",
    "town": "乡镇",
}


def _date(value: str | None) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


@dataclass(frozen=True)
class Entry:
    kind: str
    term: str
    correction: str = ""
    severity: str = ""
    since: dt.date | None = None
    note: str = ""
    source: str = ""
    origin: str = "base"  # base / local


@dataclass(frozen=True)
class Leader:
    name: str
    title: str
    level: str = "national"
    start: dt.date | None = None
    end: dt.date | None = None
    source: str = ""
    origin: str = "base"

    def holds_on(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)


@dataclass
class Lexicon:
    entries: list[Entry]
    leaders: list[Leader]
    edition: str = BASE_EDITION
    version: str = ""
    _compiled: object = field(default=None, repr=False)

    def of_kind(self, kind: str) -> list[Entry]:
        return [e for e in self.entries if e.kind == kind]

    @property
    def public_numbers(self) -> frozenset[str]:
        return frozenset(
            "".join(ch for ch in e.term if ch.isdigit()) for e in self.of_kind("public_number")
        )

    @property
    def blocked_domains(self) -> frozenset[str]:
        return frozenset(e.term.strip().lower().lstrip(".") for e in self.of_kind("blocked_domain"))


def read_entries(path: Path, origin: str = "base") -> list[Entry]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [
            Entry(
                kind=(r.get("kind") or "").strip(),
                term=(r.get("term") or "").strip(),
                correction=(r.get("correction") or "").strip(),
                severity=(r.get("severity") or "").strip(),
                since=_date(r.get("since")),
                note=(r.get("note") or "").strip(),
                source=(r.get("source") or "").strip(),
                origin=origin,
            )
            for r in csv.DictReader(fh)
            if (r.get("term") or "").strip() and (r.get("kind") or "").strip() in KINDS
        ]


def read_leaders(path: Path, origin: str = "base") -> list[Leader]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [
            Leader(
                name=r["name"].strip(),
                title=r["title"].strip(),
                level=(r.get("level") or "national").strip(),
                start=_date(r.get("start")),
                end=_date(r.get("end")),
                source=(r.get("source") or "").strip(),
                origin=origin,
            )
            for r in csv.DictReader(fh)
            if (r.get("name") or "").strip() and (r.get("title") or "").strip()
        ]


_base_lock = threading.Lock()
_base: Lexicon | None = None


def base_lexicon() -> Lexicon:
    """The shipped base edition alone (used without a database: the CLI fallback, the bench)."""
    global _base
    with _base_lock:
        if _base is None:
            _base = Lexicon(
                read_entries(BASE_DICTIONARY), read_leaders(BASE_LEADERS), version="base"
            )
        return _base

"""The real government texts the model is trained and measured on (``../shared/data/portal/``).

Documents are split once by a hash of their source and id: 80 % train (the shipped model learns
from these only), 10 % tune (thresholds are chosen on these), 10 % final (the benchmark reports
on these and nothing is tuned on them). Nothing here ships text: the data folder is read at build
and benchmark time only.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DIR = (
    Path(
        os.environ.get(
            "GOVHUB_SHARED_DATA", Path(__file__).resolve().parents[3] / "shared" / "data"
        )
    )
    / "portal"
)


@dataclass(frozen=True)
class Doc:
    key: str
    source: str
    date: dt.date | None
    title: str
    text: str

    @property
    def split(self) -> str:
        return split_of(self.key)


def split_of(key: str) -> str:
    h = int(hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:8], 16) % 100
    return "train" if h < 80 else ("tune" if h < 90 else "final")


def _date(value) -> dt.date | None:
    s = str(value or "")[:10]
    try:
        return dt.date.fromisoformat(s)
    except ValueError:
        if len(s) >= 4 and s[:4].isdigit():
            return dt.date(int(s[:4]), 12, 31)
        return None


def find_data_dir(path: str | Path | None = None) -> Path | None:
    """The portal data folder, or None when it is absent (CI has no shared data)."""
    candidates = [Path(path)] if path else []
    candidates += [DEFAULT_DIR, Path("/work/shared/data/portal")]
    for c in candidates:
        if (c / "hebei_gov_articles.jsonl.gz").exists():
            return c
    return None


def iter_docs(data_dir: Path) -> Iterator[Doc]:
    with gzip.open(data_dir / "hebei_gov_articles.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            text = d.get("content") or ""
            if text and text != "None":
                yield Doc(
                    f"hebei:{d['id']}", "hebei", _date(d.get("date")), d.get("title") or "", text
                )
    with gzip.open(data_dir / "laws_and_regulations.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            text = d.get("content") or ""
            if text and text != "None":
                yield Doc(f"law:{d['id']}", "law", _date(d.get("date")), d.get("title") or "", text)
    reports = data_dir / "government_work_reports.jsonl"
    if reports.exists():
        with open(reports, encoding="utf-8") as fh:
            for line in fh:
                d = json.loads(line)
                text = d.get("content") or ""
                year = str(d.get("year") or "")[:4]
                if text and year.isdigit():
                    yield Doc(
                        f"report:{year}",
                        "report",
                        dt.date(int(year), 3, 15),
                        d.get("title") or "",
                        text,
                    )

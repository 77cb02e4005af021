"""Reading uploaded tables (CSV in UTF-8 or GBK, xlsx, JSON) into rows of strings.

Chinese government offices produce both UTF-8 and GBK files (Excel on Chinese Windows saves CSV
as GBK). We try strict UTF-8 first (a valid UTF-8 file is almost never GBK by accident), then let
chardet name the encoding, reading anything GB-like as GB18030 (its superset)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

import chardet

from govhub.core.errors import DomainError


class TableError(DomainError):
    """The file as a whole cannot be read (message in Chinese)."""


@dataclass
class Table:
    header: list[str]
    rows: list[dict[str, str]]  # each row also has "__line__"
    encoding: str


MAX_ROWS = 200_000


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was read with."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    guess = (chardet.detect(data[:200_000]).get("encoding") or "").lower()
    if guess in {"gb2312", "gbk", "gb18030", "hz-gb-2312", ""} or guess.startswith("iso-8859"):
        guess = "gb18030"
    try:
        return data.decode(guess), guess
    except (UnicodeDecodeError, LookupError):
        raise TableError("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV 文件")


def read_table(data: bytes, filename: str = "") -> Table:
    """Rows of a CSV, xlsx or JSON (list of objects) upload, as stripped strings."""
    name = filename.lower()
    if not data:
        raise TableError("文件为空")
    if data[:2] == b"PK" or name.endswith(".xlsx"):
        return _read_xlsx(data)
    if name.endswith(".json") or data.lstrip()[:1] in (b"[", b"{"):
        text, enc = decode(data)
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise TableError(f"JSON 格式错误（第 {exc.lineno} 行）")
        if isinstance(items, dict):
            items = items.get("items") or items.get("data") or []
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise TableError("JSON 文件应为对象数组")
        header = list(dict.fromkeys(k for i in items for k in i))
        rows = [
            {**{k: "" if v is None else str(v).strip() for k, v in item.items()}, "__line__": n}
            for n, item in enumerate(items[:MAX_ROWS], 1)
        ]
        return Table(header, rows, enc)
    text, enc = decode(data)
    try:
        return _read_csv(text, enc)
    except csv.Error as exc:  # a cell over csv's field limit, a NUL in old Pythons
        raise TableError("文件中有一格超过 128 KB 或格式无法解析，请检查后重新导出 CSV") from exc


def _read_csv(text: str, enc: str) -> Table:
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise TableError("文件为空")
    rows = []
    for line, values in enumerate(reader, 2):
        if not any(v.strip() for v in values):
            continue
        if len(rows) >= MAX_ROWS:
            raise TableError(f"文件超过 {MAX_ROWS} 行，请分批导入")
        row = {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header)}
        row["__line__"] = line
        if len(values) > len(header):
            row["__extra__"] = "1"
        rows.append(row)
    return Table(header, rows, enc)


def _read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise TableError("无法读取 Excel 文件（仅支持 .xlsx）")
    ws = wb.worksheets[0]
    it = ws.iter_rows(values_only=True)
    try:
        header = [str(h or "").strip() for h in next(it)]
    except StopIteration:
        raise TableError("文件为空")
    rows = []
    for line, values in enumerate(it, 2):
        if not values or not any(v not in (None, "") for v in values):
            continue
        row = {}
        for i, h in enumerate(header):
            v = values[i] if i < len(values) else None
            if hasattr(v, "date") and hasattr(v, "isoformat"):
                v = v.date().isoformat() if hasattr(v, "hour") else v.isoformat()
            row[h] = "" if v is None else str(v).strip()
        row["__line__"] = line
        rows.append(row)
    return Table(header, rows, "xlsx")

"""Parsing of the one-item-a-line lists staff type in the back office.

A line's parts are separated by "｜" (or "|"); errors name the line so the form can say where.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from govhub.services.validators import KIND_BY_LABEL, KINDS

_SEP = re.compile(r"\s*[｜|]\s*")
_PARAM = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,39}$")
_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\[\d+\])?(\.[A-Za-z_][A-Za-z0-9_]*(\[\d+\])?)*$")


def _lines(text: str) -> list[tuple[int, list[str]]]:
    out = []
    for no, line in enumerate((text or "").splitlines(), start=1):
        if line.strip():
            out.append((no, _SEP.split(line.strip())))
    return out


@dataclass(frozen=True)
class Material:
    name: str
    quantity: str
    note: str


@dataclass(frozen=True)
class Step:
    name: str
    note: str


@dataclass(frozen=True)
class InputField:
    name: str
    label: str
    kind: str

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind][0]

    @property
    def is_personal(self) -> bool:
        return KINDS[self.kind][2]


@dataclass(frozen=True)
class ResultField:
    path: str
    label: str


def parse_materials(text: str) -> list[Material]:
    out = []
    for no, parts in _lines(text):
        if len(parts) > 3 or not parts[0]:
            raise ValueError(f"第 {no} 行格式不对，应为：材料名称｜份数｜说明")
        qty = parts[1] if len(parts) > 1 else "1"
        if qty and not re.fullmatch(r"\d{1,3}(份|张|页|本|套)?", qty):
            raise ValueError(f"第 {no} 行的份数应为数字，例如 1 或 2份")
        if qty.isdigit():
            qty += "份"
        out.append(Material(parts[0][:100], qty, parts[2][:200] if len(parts) > 2 else ""))
    return out


def parse_steps(text: str) -> list[Step]:
    out = []
    for no, parts in _lines(text):
        if len(parts) > 2 or not parts[0]:
            raise ValueError(f"第 {no} 行格式不对，应为：步骤名称｜说明")
        out.append(Step(parts[0][:60], parts[1][:300] if len(parts) > 1 else ""))
    return out


def parse_input_fields(text: str) -> list[InputField]:
    out: list[InputField] = []
    for no, parts in _lines(text):
        if len(parts) != 3:
            raise ValueError(f"第 {no} 行格式不对，应为：参数名｜显示名称｜类型")
        name, label, kind_label = parts
        if not _PARAM.match(name):
            raise ValueError(f"第 {no} 行的参数名只能用英文字母、数字和下划线，且以字母开头")
        kind = KIND_BY_LABEL.get(kind_label)
        if kind is None:
            allowed = "、".join(KIND_BY_LABEL)
            raise ValueError(f"第 {no} 行的类型“{kind_label}”不认识，可选：{allowed}")
        if any(f.name == name for f in out):
            raise ValueError(f"第 {no} 行的参数名 {name} 重复了")
        out.append(InputField(name, label[:20] or name, kind))
    if not out:
        raise ValueError("至少需要一项查询条件")
    if len(out) > 5:
        raise ValueError("查询条件最多 5 项")
    return out


def parse_result_mapping(text: str) -> list[ResultField]:
    out = []
    for no, parts in _lines(text):
        if len(parts) != 2 or not parts[1]:
            raise ValueError(f"第 {no} 行格式不对，应为：JSON 路径｜显示名称")
        if not _PATH.match(parts[0]):
            raise ValueError(f"第 {no} 行的 JSON 路径写法不对，例如 data.balance 或 items[0].name")
        out.append(ResultField(parts[0], parts[1][:30]))
    if not out:
        raise ValueError("至少需要一项结果显示")
    return out


def resolve_path(data: object, path: str) -> object:
    """The value at ``a.b[0].c`` in parsed JSON, or ``None`` when any step is missing."""
    current = data
    for part in path.split("."):
        m = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+)\])?", part)
        if m is None or not isinstance(current, dict) or m.group(1) not in current:
            return None
        current = current[m.group(1)]
        if m.group(2) is not None:
            idx = int(m.group(2))
            if not isinstance(current, list) or idx >= len(current):
                return None
            current = current[idx]
    return current

"""Changes to the dictionaries and the leaders list: one function per change, each checking the
permission (administrators only), writing a ``DictionaryRevision`` and the audit record in one
transaction, and making every process rebuild its checker after commit."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.db import transaction

from govhub.core import audit
from govhub.core.errors import DomainError, FieldErrors
from govhub.core.permissions import register_action, require
from govhub.safety import store
from govhub.safety.lexicon import KINDS, LEVELS
from govhub.safety.models import DictionaryRevision, LeaderEntry, Term

register_action("manage_dictionary", "维护内容安全词库与领导人名单", ["administrator"])
register_action(
    "view_dictionary",
    "查看内容安全词库与领导人名单",
    ["administrator", "reviewer", "signer", "editor", "supervisor"],
)

TERM_COLUMNS = ["kind", "term", "correction", "severity", "since", "note", "source", "enabled"]
TERM_HEADERS = ["类别", "词语", "正确写法/新名称", "处理方式", "停用日期", "说明", "来源", "启用"]
LEADER_COLUMNS = ["name", "title", "level", "start", "end", "source", "enabled"]
LEADER_HEADERS = ["姓名", "职务", "层级", "任职日期", "离任日期", "来源", "启用"]
_SEVERITY_IN = {
    "": "",
    "阻断": "blocking",
    "阻断发布": "blocking",
    "blocking": "blocking",
    "提醒": "warning",
    "warning": "warning",
}
_KIND_IN = {**{k: k for k in KINDS}, **{v: k for k, v in KINDS.items()}}
_LEVEL_IN = {**{k: k for k in LEVELS}, **{v: k for k, v in LEVELS.items()}}


class DictionaryError(DomainError):
    code = "dictionary"


def _date(value, field: str, errors: dict) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        errors[field] = "日期格式应为 2026-03-01"
        return None


def _bool(value) -> bool:
    return str(value).strip().lower() not in ("0", "false", "否", "停用", "no")


def clean_term(data: dict) -> dict:
    errors: dict[str, str] = {}
    kind = _KIND_IN.get(str(data.get("kind") or "").strip())
    if kind is None:
        errors["kind"] = "类别不正确"
    term = str(data.get("term") or "").strip()
    if not term:
        errors["term"] = "请填写词语"
    elif len(term) > 100:
        errors["term"] = "词语不能超过 100 字"
    severity = _SEVERITY_IN.get(str(data.get("severity") or "").strip())
    if severity is None:
        errors["severity"] = "处理方式应为“阻断”或“提醒”"
    correction = str(data.get("correction") or "").strip()
    if kind in ("wrong_form", "outdated", "political") and not correction:
        errors["correction"] = "请填写正确写法或新名称"
    since = _date(data.get("since"), "since", errors)
    if kind == "outdated" and since is None and "since" not in errors:
        errors["since"] = "请填写从哪天起不再使用"
    if errors:
        raise FieldErrors(errors)
    return {
        "kind": kind,
        "term": term,
        "correction": correction[:200],
        "severity": severity,
        "since": since,
        "note": str(data.get("note") or "").strip()[:200],
        "source": str(data.get("source") or "").strip()[:300],
        "enabled": _bool(data.get("enabled", True)),
    }


def _revision(user, summary: str) -> DictionaryRevision:
    rev = DictionaryRevision.objects.create(actor=user, summary=summary[:300])
    transaction.on_commit(store.forget)
    return rev


def save_term(user, data: dict, term: Term | None = None) -> Term:
    """Add or change a local entry (a base entry is overridden by a local one of the same kind
    and term; ``enabled=False`` switches it off)."""
    require(user, "manage_dictionary")
    values = clean_term(data)
    with transaction.atomic():
        clash = Term.objects.filter(kind=values["kind"], term=values["term"])
        if term is not None:
            clash = clash.exclude(pk=term.pk)
        if clash.exists():
            raise FieldErrors({"term": "本地词库中已有该类别的这个词"})
        rev = _revision(user, f"{'修改' if term else '新增'}词条“{values['term']}”")
        if term is None:
            term = Term(department=_department_of(user))
        for k, v in values.items():
            setattr(term, k, v)
        term.revision = rev
        term.save()
        audit.record(
            actor=user,
            action="safety_term_saved",
            obj=term,
            summary={"kind": term.kind, "term": term.term, "enabled": term.enabled},
        )
    return term


def delete_term(user, term: Term) -> None:
    require(user, "manage_dictionary")
    with transaction.atomic():
        _revision(user, f"删除本地词条“{term.term}”")
        audit.record(
            actor=user, action="safety_term_deleted", obj=term, summary={"term": term.term}
        )
        term.delete()


def clean_leader(data: dict) -> dict:
    errors: dict[str, str] = {}
    name = str(data.get("name") or "").strip()
    title = str(data.get("title") or "").strip()
    if not name:
        errors["name"] = "请填写姓名"
    if not title:
        errors["title"] = "请填写职务"
    level = _LEVEL_IN.get(str(data.get("level") or "county").strip())
    if level is None:
        errors["level"] = "层级不正确"
    start = _date(data.get("start"), "start", errors)
    end = _date(data.get("end"), "end", errors)
    if start and end and end <= start:
        errors["end"] = "离任日期应晚于任职日期"
    if errors:
        raise FieldErrors(errors)
    return {
        "name": name[:20],
        "title": title[:60],
        "level": level,
        "start": start,
        "end": end,
        "source": str(data.get("source") or "").strip()[:300],
        "enabled": _bool(data.get("enabled", True)),
    }


def save_leader(user, data: dict, entry: LeaderEntry | None = None) -> LeaderEntry:
    """Add a leader's title with its effective date, or change one (离任: set the end date)."""
    require(user, "manage_dictionary")
    values = clean_leader(data)
    with transaction.atomic():
        clash = LeaderEntry.objects.filter(
            name=values["name"], title=values["title"], start=values["start"]
        )
        if entry is not None:
            clash = clash.exclude(pk=entry.pk)
        if clash.exists():
            raise FieldErrors({"name": "名单中已有此人此职务的同一任职日期"})
        rev = _revision(
            user, f"{'修改' if entry else '新增'}领导人“{values['title']}{values['name']}”"
        )
        if entry is None:
            entry = LeaderEntry(department=_department_of(user))
        for k, v in values.items():
            setattr(entry, k, v)
        entry.revision = rev
        entry.save()
        audit.record(
            actor=user,
            action="safety_leader_saved",
            obj=entry,
            summary={"title": entry.title, "start": str(entry.start), "end": str(entry.end)},
        )
    return entry


def _department_of(user):
    m = user.memberships.select_related("department").first() if user.pk else None
    return m.department if m else None


# --- import and export ------------------------------------------------------------------------


def read_table(data: bytes, filename: str) -> list[dict]:
    """Rows of a CSV (UTF-8, with or without BOM) or xlsx file as dicts by header."""
    if filename.lower().endswith((".xlsx", ".xlsm")):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - any unreadable workbook gets one message
            raise DictionaryError("file", "无法读取该 Excel 文件，请另存为 .xlsx 后重试") from exc
        rows = list(wb.active.iter_rows(values_only=True))
        if not rows:
            return []
        head = [str(h or "").strip() for h in rows[0]]
        return [
            dict(zip(head, r, strict=False))
            for r in rows[1:]
            if any(c not in (None, "") for c in r)
        ]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise DictionaryError("file", "无法识别文件编码，请保存为 UTF-8 的 CSV") from exc
    try:
        return list(csv.DictReader(io.StringIO(text)))
    except csv.Error as exc:  # a cell over csv's field limit
        raise DictionaryError("file", "文件中有一格超过 128 KB 或格式无法解析") from exc


def _by_column(row: dict, columns: list[str], headers: list[str]) -> dict:
    out = {}
    for col, head in zip(columns, headers, strict=True):
        out[col] = row.get(col, row.get(head, ""))
    return out


def import_terms(user, data: bytes, filename: str) -> dict:
    """Add or update local entries from a CSV/xlsx (columns as the export writes them, English
    or Chinese headers). All valid rows are applied in one revision; invalid rows are listed
    with their line numbers and nothing of them is applied."""
    require(user, "manage_dictionary")
    rows = read_table(data, filename)
    cleaned, errors = [], []
    for n, row in enumerate(rows, start=2):
        try:
            cleaned.append(clean_term(_by_column(row, TERM_COLUMNS, TERM_HEADERS)))
        except FieldErrors as exc:
            errors.append(f"第 {n} 行：" + "；".join(exc.errors.values()))
    if not cleaned:
        return {"added": 0, "updated": 0, "errors": errors or ["文件中没有词条"]}
    added = updated = 0
    with transaction.atomic():
        rev = _revision(user, f"导入词库文件 {filename[:80]}（{len(cleaned)} 条）")
        dept = _department_of(user)
        for v in cleaned:
            obj, created = Term.objects.update_or_create(
                kind=v["kind"], term=v["term"], defaults={**v, "revision": rev}
            )
            if created:
                obj.department = dept
                obj.save(update_fields=["department"])
                added += 1
            else:
                updated += 1
        audit.record(
            actor=user,
            action="safety_terms_imported",
            obj=rev,
            summary={"added": added, "updated": updated, "rejected": len(errors)},
        )
    return {"added": added, "updated": updated, "errors": errors}


def import_leaders(user, data: bytes, filename: str) -> dict:
    require(user, "manage_dictionary")
    rows = read_table(data, filename)
    cleaned, errors = [], []
    for n, row in enumerate(rows, start=2):
        try:
            cleaned.append(clean_leader(_by_column(row, LEADER_COLUMNS, LEADER_HEADERS)))
        except FieldErrors as exc:
            errors.append(f"第 {n} 行：" + "；".join(exc.errors.values()))
    if not cleaned:
        return {"added": 0, "updated": 0, "errors": errors or ["文件中没有条目"]}
    added = updated = 0
    with transaction.atomic():
        rev = _revision(user, f"导入领导人名单 {filename[:80]}（{len(cleaned)} 条）")
        for v in cleaned:
            _obj, created = LeaderEntry.objects.update_or_create(
                name=v["name"], title=v["title"], start=v["start"], defaults={**v, "revision": rev}
            )
            added += created
            updated += not created
        audit.record(
            actor=user,
            action="safety_leaders_imported",
            obj=rev,
            summary={"added": added, "updated": updated, "rejected": len(errors)},
        )
    return {"added": added, "updated": updated, "errors": errors}

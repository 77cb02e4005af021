"""Changes to rules and the knowledge base: one function each, permission-checked and audited."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from govhub.core import audit
from govhub.core.errors import DomainError
from govhub.core.models import Department
from govhub.core.permissions import require
from govhub.qa import engine
from govhub.qa.models import KeywordRule, KnowledgeEntry

COLUMNS = ["question", "variants", "answer", "department", "links", "external_id"]
HEADERS_ZH = {
    "标准问题": "question",
    "相似问法": "variants",
    "答案": "answer",
    "责任部门": "department",
    "相关链接": "links",
    "外部编号": "external_id",
}
MAX_ROWS = 20000


class ImportError_(DomainError):  # noqa: N801 - avoids shadowing the builtin
    """A file that cannot be imported; the message is Chinese and names the row."""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def _check(actor) -> None:
    if actor is not None:
        require(actor, "manage_answers")


def save_rule(actor, rule: KeywordRule) -> KeywordRule:
    _check(actor)
    rule.full_clean()
    with transaction.atomic():
        created = rule.pk is None
        rule.save()
        audit.record(actor=actor, action="qa_rule_saved", obj=rule, summary={"created": created})
        transaction.on_commit(engine.bump_version)
    return rule


def save_entry(actor, entry: KnowledgeEntry) -> KnowledgeEntry:
    _check(actor)
    entry.full_clean()
    with transaction.atomic():
        created = entry.pk is None
        entry.save()
        audit.record(actor=actor, action="qa_entry_saved", obj=entry, summary={"created": created})
        transaction.on_commit(engine.bump_version)
    return entry


def delete_object(actor, obj) -> None:
    _check(actor)
    with transaction.atomic():
        audit.record(
            actor=actor, action="qa_deleted", obj=obj, summary={"model": obj._meta.model_name}
        )
        obj.delete()
        transaction.on_commit(engine.bump_version)


# --- import / export --------------------------------------------------------------------


def read_rows(name: str, data: bytes) -> list[dict]:
    """Rows of a CSV (UTF-8 or GBK), xlsx or JSONL file, keyed by the English column names."""
    suffix = Path(name).suffix.lower()
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:
            raise ImportError_("无法读取 Excel 文件，请确认是 .xlsx 格式") from exc
        ws = wb.active
        it = ws.iter_rows(values_only=True)
        header = [str(h or "").strip() for h in next(it, [])]
        rows = [
            dict(zip(header, ["" if v is None else str(v) for v in r], strict=False)) for r in it
        ]
    elif suffix in {".jsonl", ".json"}:
        rows = []
        for n, line in enumerate(data.decode("utf-8-sig", "replace").splitlines(), 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError as exc:
                raise ImportError_(f"第 {n} 行不是合法的 JSON") from exc
            if not isinstance(obj, dict):
                raise ImportError_(f"第 {n} 行应为对象")
            if isinstance(obj.get("variants"), list):
                obj["variants"] = "\n".join(map(str, obj["variants"]))
            if isinstance(obj.get("links"), list):
                obj["links"] = "\n".join(
                    f"{x.get('title', '')} {x.get('url', '')}".strip()
                    if isinstance(x, dict)
                    else str(x)
                    for x in obj["links"]
                )
            rows.append({k: "" if v is None else str(v) for k, v in obj.items()})
    elif suffix in {".csv", ".txt"}:
        for enc in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ImportError_("无法识别 CSV 文件的编码，请另存为 UTF-8")
        try:
            rows = list(csv.DictReader(io.StringIO(text)))
        except csv.Error as exc:  # a cell over csv's field limit
            raise ImportError_("文件中有一格超过 128 KB 或格式无法解析") from exc
    else:
        raise ImportError_("只支持 CSV、Excel 表格（.xlsx）或每行一条记录的 JSON 文本（.jsonl）")
    if len(rows) > MAX_ROWS:
        raise ImportError_(f"一次最多导入 {MAX_ROWS} 条")
    out = []
    for r in rows:
        out.append(
            {HEADERS_ZH.get(k.strip(), k.strip()): (v or "").strip() for k, v in r.items() if k}
        )
    return out


def import_entries(actor, name: str, data: bytes) -> ImportReport:
    """Create or update entries (matched by external id, else by question). All or nothing."""
    _check(actor)
    rows = read_rows(name, data)
    report = ImportReport()
    depts = {d.name: d for d in Department.objects.all()}
    depts.update({d.code: d for d in Department.objects.exclude(code="")})
    prepared = []
    for n, r in enumerate(rows, 2):
        q, a = r.get("question", ""), r.get("answer", "")
        if not q or not a:
            report.errors.append(f"第 {n} 行：缺少标准问题或答案")
            continue
        if len(q) > 200:
            report.errors.append(f"第 {n} 行：标准问题超过 200 字")
            continue
        dept = None
        if r.get("department"):
            dept = depts.get(r["department"])
            if dept is None:
                report.errors.append(f"第 {n} 行：找不到部门「{r['department'][:20]}」")
                continue
        variants = r.get("variants", "").replace("|", "\n").replace("；", "\n")
        prepared.append((q, variants, a, dept, r.get("links", ""), r.get("external_id", "")[:64]))
    if report.errors:
        return report
    with transaction.atomic():
        by_ext = {e.external_id: e for e in KnowledgeEntry.objects.exclude(external_id="")}
        by_q = {e.question: e for e in KnowledgeEntry.objects.all()}
        for q, variants, a, dept, links, ext in prepared:
            e = by_ext.get(ext) if ext else None
            e = e or by_q.get(q)
            if e is None:
                e = KnowledgeEntry(
                    question=q,
                    variants=variants,
                    answer=a,
                    department=dept,
                    links=links,
                    external_id=ext,
                )
                e.save()
                by_q[q] = e
                report.created += 1
            else:
                e.question, e.variants, e.answer, e.department, e.links = (
                    q,
                    variants,
                    a,
                    dept,
                    links,
                )
                e.external_id = ext or e.external_id
                e.save()
                report.updated += 1
        audit.record(
            actor=actor,
            action="qa_imported",
            obj=None,
            summary={"created": report.created, "updated": report.updated},
        )
        transaction.on_commit(engine.bump_version)
    return report


def export_entries(fmt: str = "csv") -> bytes:
    """The knowledge base as CSV (UTF-8 with BOM, opens in Excel) or xlsx, Chinese headers."""
    header = ["标准问题", "相似问法", "答案", "责任部门", "相关链接", "外部编号"]
    rows = [
        [
            e.question,
            e.variants,
            e.answer,
            e.department.name if e.department_id else "",
            e.links,
            e.external_id,
        ]
        for e in KnowledgeEntry.objects.select_related("department").order_by("id")
    ]
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = "知识库"
        ws.append(header)
        for r in rows:
            ws.append(r)
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


__all__ = [
    "ImportError_",
    "ImportReport",
    "PermissionDenied",
    "ValidationError",
    "delete_object",
    "export_entries",
    "import_entries",
    "read_rows",
    "save_entry",
    "save_rule",
]

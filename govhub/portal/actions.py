"""Changes to the portal's search words: one function each, permission-checked and audited."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from govhub.core import audit
from govhub.core.errors import DomainError
from govhub.core.models import Role
from govhub.core.permissions import register_action, require
from govhub.portal import search_words
from govhub.portal.models import SearchSynonym

register_action("manage_search_words", "维护搜索同义词", [Role.EDITOR, Role.ADMINISTRATOR])
MAX_ROWS = 5000


class SynonymImportError(DomainError):
    """A synonym file that cannot be read at all; the message is Chinese."""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def save_synonyms(actor, synonym: SearchSynonym) -> SearchSynonym:
    """Create or change one synonym group; searches use it at once."""
    if actor is not None:
        require(actor, "manage_search_words")
    synonym.full_clean()
    with transaction.atomic():
        created = synonym.pk is None
        synonym.save()
        audit.record(
            actor=actor,
            action="search_synonyms_saved",
            obj=synonym,
            summary={"created": created, "words": synonym.words},
        )
        transaction.on_commit(search_words.forget)
    return synonym


def delete_synonyms(actor, synonym: SearchSynonym) -> None:
    if actor is not None:
        require(actor, "manage_search_words")
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="search_synonyms_deleted",
            obj=synonym,
            summary={"words": synonym.words},
        )
        synonym.delete()
        transaction.on_commit(search_words.forget)


def import_synonyms(actor, content: bytes) -> ImportReport:
    """A CSV of synonym groups: one group a line, its words in the cells of the line (or in
    one cell, joined by “=”); a header row 同义词 is skipped; a second column 备注 is optional
    when the first cell holds the whole group. A group sharing a word with an existing one
    extends it. All or nothing: with any bad row nothing is imported."""
    if actor is not None:
        require(actor, "manage_search_words")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SynonymImportError("文件编码无法识别，请另存为 UTF-8 编码的 CSV 文件")
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:  # a cell over csv's field limit
        raise SynonymImportError("文件中有一格超过 128 KB 或格式无法解析") from exc
    if len(rows) > MAX_ROWS:
        raise SynonymImportError(f"一次最多导入 {MAX_ROWS} 行，请分批导入")
    report = ImportReport()
    groups: list[tuple[list[str], str]] = []
    for n, row in enumerate(rows, 1):
        cells = [c.strip() for c in row if c.strip()]
        if not cells or (n == 1 and cells[0] in ("同义词", "同义词组", "词语")):
            continue
        note = ""
        if "=" in cells[0] or "＝" in cells[0]:
            words = search_words.split_words(cells[0])
            note = cells[1][:200] if len(cells) > 1 else ""
        else:
            words = search_words.split_words(" ".join(cells))
        if len(words) < 2:
            report.errors.append(f"第 {n} 行：至少要有两个词（如“供暖=供热”）")
        elif any(len(w) > 20 for w in words):
            report.errors.append(f"第 {n} 行：词语过长（每个词不超过 20 个字）")
        else:
            groups.append((words, note))
    if report.errors:
        return report
    with transaction.atomic():
        existing = list(SearchSynonym.objects.all())
        for words, note in groups:
            match = next((s for s in existing if set(s.word_list()) & set(words)), None)
            if match is None:
                match = SearchSynonym(words="=".join(words), note=note)
                existing.append(match)
                report.created += 1
            else:
                merged = list(dict.fromkeys([*match.word_list(), *words]))
                if merged == match.word_list() and (not note or note == match.note):
                    continue
                match.words = "=".join(merged)
                match.note = note or match.note
                report.updated += 1
            try:
                match.full_clean()
            except ValidationError as exc:
                raise SynonymImportError(f"“{match.words}”：{'；'.join(exc.messages)}") from exc
            match.save()
        audit.record(
            actor=actor,
            action="search_synonyms_imported",
            obj=None,
            summary={"created": report.created, "updated": report.updated},
        )
        transaction.on_commit(search_words.forget)
    return report

"""Backups that restore: the database, the uploads and the published pages in one tar.gz.

The database is written table by table as JSON lines, engine-neutral, read *as stored*: the
personal-data columns stay ciphertext (``EncryptedTextField`` is read through a cast, written
back without re-encrypting), timestamps keep their microseconds (the audit chain's MACs cover
them) and primary keys are kept, so Wagtail's page tree (``path``/``depth``), revisions,
renditions and the audit chain come back row for row. Django's ``dumpdata`` was not used: it
decrypts the personal-data columns into the archive and cuts timestamps to milliseconds, which
breaks every audit MAC.

The keys (``GOVHUB_SECRET_KEY``, ``GOVHUB_PII_KEYS``, ``GOVHUB_PII_INDEX_KEY``,
``GOVHUB_AUDIT_KEYS``) are never written: the manifest says so, and a restore needs the same
keys in its environment to read personal data and verify the chain.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.functions import Cast

from govhub.core.errors import DomainError
from govhub.core.pii import EncryptedTextField

FORMAT = "govhub-backup/1"
KEYS_NOT_INCLUDED = [
    "GOVHUB_SECRET_KEY",
    "GOVHUB_PII_KEYS",
    "GOVHUB_PII_INDEX_KEY",
    "GOVHUB_AUDIT_KEYS",
]
KEYS_NOTE = (
    "密钥不在本备份中（GOVHUB_SECRET_KEY、GOVHUB_PII_KEYS、GOVHUB_PII_INDEX_KEY、GOVHUB_AUDIT_KEYS）："
    "请另行保管；恢复时须在环境中提供同一组密钥，否则个人信息无法解密、审计链无法校验。"
)
# Rebuilt rather than restored: sessions are throw-away; the search index holds engine-specific
# models per engine (SQLite FTS, PostgreSQL tsvector) and is rebuilt by ``update_index``.
SKIPPED = {"sessions.session", "wagtailsearch.indexentry"}
# A database holding any of these has been used: ``migrate`` creates no accounts, no audit
# records, no departments and no letters (it does seed content types, permissions, Wagtail's
# root page and site, and some apps' reference tables, which a fresh database may have).
IN_USE_TABLES = ["auth.user", "core.auditrecord", "core.department", "letters.letter"]
FILE_ROOTS = {"media": "MEDIA_ROOT", "published": "PUBLISHED_ROOT"}


class BackupError(DomainError):
    """A backup or restore that cannot go on; the message says why, in Chinese."""

    code = "backup"


def table_label(model: type[models.Model]) -> str:
    """``app_label.model_name``; auto-created many-to-many tables keep their own name."""
    return f"{model._meta.app_label}.{model._meta.model_name}"


def skipped(label: str) -> bool:
    """Sessions, and Wagtail's search index in whichever engine's form (SQLite FTS, PostgreSQL
    tsvector, …): its models differ per engine and ``update_index`` rebuilds it."""
    return label in SKIPPED or (label.startswith("wagtailsearch.") and label.endswith("indexentry"))


def backed_up_models() -> list[type[models.Model]]:
    """Every table Django manages, parents before children (foreign keys first where possible;
    the constraints are deferred to the commit, so cycles and self-references still load)."""
    found = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy and not skipped(table_label(m))
    ]
    by_label = {table_label(m): m for m in found}
    deps: dict[str, set[str]] = {}
    for m in found:
        deps[table_label(m)] = {
            table_label(f.related_model)
            for f in m._meta.local_concrete_fields
            if f.is_relation
            and f.related_model is not m
            and table_label(f.related_model) in by_label
        }
    ordered: list[str] = []
    done: set[str] = set()
    visiting: set[str] = set()

    def visit(label: str) -> None:
        if label in done or label in visiting:
            return
        visiting.add(label)
        for dep in sorted(deps[label]):
            visit(dep)
        visiting.discard(label)
        done.add(label)
        ordered.append(label)

    for label in sorted(by_label):
        visit(label)
    return [by_label[label] for label in ordered]


# --- values to and from JSON ----------------------------------------------------------


def _to_json(value):
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()  # full precision: the audit MAC covers the microseconds
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return value


def _from_json(f: models.Field, value):
    if value is None:
        return None
    if isinstance(f, models.JSONField | EncryptedTextField):
        return value
    if isinstance(f, models.DurationField):
        return dt.timedelta(seconds=value)
    return f.to_python(value)


def _raw_name(f: models.Field) -> str:
    return f"_raw_{f.attname}"


def iter_rows(model: type[models.Model], using: str = "default") -> Iterator[dict]:
    """The table's rows as stored: its own columns only (a Wagtail page type's table holds
    its fields and ``page_ptr_id``; the shared columns are in ``wagtailcore_page``)."""
    fields = model._meta.local_concrete_fields
    plain = [f.attname for f in fields if not isinstance(f, EncryptedTextField)]
    casts = {
        _raw_name(f): Cast(f.attname, models.TextField())
        for f in fields
        if isinstance(f, EncryptedTextField)
    }
    qs = model._base_manager.using(using).order_by("pk").values(*plain, **casts)
    for row in qs.iterator(chunk_size=2000):
        yield {
            f.attname: _to_json(
                row[_raw_name(f) if isinstance(f, EncryptedTextField) else f.attname]
            )
            for f in fields
        }


@contextmanager
def _ciphertext_passes_through():
    """While restoring, an encrypted column's value is already ciphertext: write it as is."""
    original = EncryptedTextField.get_prep_value
    EncryptedTextField.get_prep_value = models.TextField.get_prep_value
    try:
        yield
    finally:
        EncryptedTextField.get_prep_value = original


def insert_rows(model: type[models.Model], rows: list[dict], using: str = "default") -> None:
    """Insert rows raw: no ``save()``, no signals, no ``auto_now``, primary keys as given."""
    fields = model._meta.local_concrete_fields
    objs = []
    for row in rows:
        obj = model.__new__(model)
        obj.__dict__["_state"] = models.base.ModelState()
        obj._state.db = using
        for f in fields:  # a column newer than the backup takes its default
            value = _from_json(f, row[f.attname]) if f.attname in row else f.get_default()
            obj.__dict__[f.attname] = value
        objs.append(obj)
    model._base_manager.using(using)._insert(objs, fields=fields, using=using, raw=True)


# --- files -------------------------------------------------------------------------------


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _files_under(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def applied_migrations(using: str = "default") -> list[str]:
    recorder = MigrationRecorder(connections[using])
    return sorted(f"{a}.{n}" for a, n in recorder.applied_migrations())


# --- backup ------------------------------------------------------------------------------


@dataclass
class Result:
    archive: Path
    tables: dict[str, int] = field(default_factory=dict)
    files: int = 0
    bytes: int = 0


def backup(archive: Path, using: str = "default", say: Callable[[str], None] = print) -> Result:
    """Write one tar.gz: ``db/<table>.jsonl``, ``media/…``, ``published/…`` and
    ``manifest.json`` (row counts per table, SHA-256 per file, no keys)."""
    archive = Path(archive)
    archive.parent.mkdir(parents=True, exist_ok=True)
    result = Result(archive)
    checksums: dict[str, str] = {}
    order: list[str] = []
    tmp = archive.with_name(archive.name + ".partial")
    with tarfile.open(tmp, "w:gz", compresslevel=6) as tar, transaction.atomic(using=using):
        # One transaction: on PostgreSQL a consistent snapshot per statement set (REPEATABLE
        # READ would be stricter; the write lock of jobs is short), on SQLite a read lock.
        for model in backed_up_models():
            label = table_label(model)
            order.append(label)
            with tempfile.TemporaryFile() as buf:
                h = hashlib.sha256()
                n = 0
                for row in iter_rows(model, using):
                    line = (json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n").encode()
                    h.update(line)
                    buf.write(line)
                    n += 1
                size = buf.tell()
                buf.seek(0)
                info = tarfile.TarInfo(f"db/{label}.jsonl")
                info.size = size
                info.mtime = 0
                tar.addfile(info, buf)
            checksums[info.name] = h.hexdigest()
            result.tables[label] = n
        for prefix, setting in FILE_ROOTS.items():
            root = Path(getattr(settings, setting))
            for path in _files_under(root):
                name = f"{prefix}/{path.relative_to(root).as_posix()}"
                checksums[name] = sha256_file(path)
                tar.add(path, arcname=name, recursive=False)
                result.files += 1
        manifest = {
            "format": FORMAT,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "engine": connections[using].vendor,
            "migrations": applied_migrations(using),
            "order": order,
            "skipped": sorted(SKIPPED),
            "tables": result.tables,
            "sha256": checksums,
            "keys_included": False,
            "keys_not_included": KEYS_NOT_INCLUDED,
            "keys_note": KEYS_NOTE,
        }
        data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        info.mtime = 0
        tar.addfile(info, io.BytesIO(data))
    os.chmod(tmp, 0o600)
    tmp.replace(archive)
    result.bytes = archive.stat().st_size
    return result


# --- restore -----------------------------------------------------------------------------


def read_manifest(tar: tarfile.TarFile) -> dict:
    try:
        member = tar.getmember("manifest.json")
    except KeyError:
        raise BackupError("备份文件中没有 manifest.json，不是 govhub 备份") from None
    manifest = json.loads(tar.extractfile(member).read())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"备份格式 {manifest.get('format')!r} 不受支持（应为 {FORMAT}）")
    return manifest


def verify_archive(archive: Path) -> dict:
    """Every member's SHA-256 against the manifest; nothing missing, nothing extra."""
    with tarfile.open(archive, "r:gz") as tar:
        manifest = read_manifest(tar)
        expected = dict(manifest["sha256"])
        for member in tar:
            if member.name == "manifest.json":
                continue
            if not member.isfile():
                raise BackupError(f"备份中有非普通文件 {member.name}，拒绝恢复")
            want = expected.pop(member.name, None)
            if want is None:
                raise BackupError(f"备份中的 {member.name} 不在清单里，拒绝恢复")
            h = hashlib.sha256()
            fh = tar.extractfile(member)
            while chunk := fh.read(1 << 20):
                h.update(chunk)
            if h.hexdigest() != want:
                raise BackupError(f"{member.name} 的校验和与清单不符，备份已损坏或被改动")
        if expected:
            raise BackupError(
                f"清单中的 {len(expected)} 个文件在备份里缺失，例如 {next(iter(expected))}"
            )
    return manifest


def non_empty_tables(using: str = "default") -> dict[str, int]:
    """The tables that show the database has been used, with their row counts."""
    found = {}
    for label in IN_USE_TABLES:
        n = apps.get_model(label)._base_manager.using(using).count()
        if n:
            found[label] = n
    return found


def _empty_dir(root: Path) -> None:
    if root.is_dir():
        for child in root.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()


def restore(
    archive: Path,
    *,
    force: bool = False,
    using: str = "default",
    say: Callable[[str], None] = print,
) -> dict[str, tuple[int, int]]:
    """Verify the archive, replace the database's rows and the two folders with its content,
    and return ``{table: (in archive, in database now)}``."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"找不到备份文件 {archive}")
    manifest = verify_archive(archive)
    say(f"校验和：清单中 {len(manifest['sha256'])} 个文件全部一致")
    mine = set(applied_migrations(using))
    theirs = set(manifest["migrations"])
    if theirs - mine:
        raise BackupError(
            f"备份来自更新的版本：有 {len(theirs - mine)} 个迁移本库未执行（例如 "
            f"{sorted(theirs - mine)[0]}），请先升级代码并执行 govhub migrate"
        )
    if mine - theirs:
        say(
            f"注意：本库比备份多 {len(mine - theirs)} 个迁移；新字段取默认值。"
            "稳妥的做法是用备份时的代码版本恢复，再升级并执行 govhub migrate"
        )
    busy = non_empty_tables(using)
    if busy and not force:
        sample = "、".join(f"{k}（{v} 行）" for k, v in list(busy.items())[:3])
        raise BackupError(f"目标数据库不是空的：{sample} 等；确认要覆盖请加 --force")
    roots = {prefix: Path(getattr(settings, s)) for prefix, s in FILE_ROOTS.items()}
    for root in roots.values():
        if _files_under(root) and not force:
            raise BackupError(f"{root} 中已有文件；确认要覆盖请加 --force")

    models_by_label = {table_label(m): m for m in backed_up_models()}
    unknown = [t for t in manifest["order"] if t not in models_by_label]
    if unknown:
        raise BackupError(f"备份中的表 {unknown[0]} 在本版本中不存在")
    connection = connections[using]
    with tarfile.open(archive, "r:gz") as tar, transaction.atomic(using=using):
        # Foreign keys are DEFERRABLE INITIALLY DEFERRED on PostgreSQL and SQLite: they are
        # checked at the commit, so the old rows can go and the new ones come in any order.
        with connection.cursor() as cursor:
            for label in reversed(list(models_by_label)):
                cursor.execute(
                    f"DELETE FROM {connection.ops.quote_name(models_by_label[label]._meta.db_table)}"  # nosec B608 - table name from model metadata, quoted
                )
        with _ciphertext_passes_through():
            for label in manifest["order"]:
                model = models_by_label[label]
                fh = tar.extractfile(f"db/{label}.jsonl")
                batch: list[dict] = []
                for line in fh:
                    batch.append(json.loads(line))
                    if len(batch) >= 1000:
                        insert_rows(model, batch, using)
                        batch = []
                if batch:
                    insert_rows(model, batch, using)
        sql = connection.ops.sequence_reset_sql(no_style(), list(models_by_label.values()))
        if sql:
            with connection.cursor() as cursor:
                for statement in sql:
                    cursor.execute(statement)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # fail here, not at commit

    for root in roots.values():
        _empty_dir(root)
        root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar:
            prefix = member.name.split("/", 1)[0]
            if prefix not in roots:
                continue
            member.name = member.name.split("/", 1)[1]
            tar.extract(member, roots[prefix], filter="data")
    bad = [
        name
        for name, want in manifest["sha256"].items()
        if name.split("/", 1)[0] in roots
        and sha256_file(roots[name.split("/", 1)[0]] / name.split("/", 1)[1]) != want
    ]
    if bad:
        raise BackupError(f"恢复后的 {len(bad)} 个文件校验和不符，例如 {bad[0]}")
    return {
        label: (n, models_by_label[label]._base_manager.using(using).count())
        for label, n in manifest["tables"].items()
    }

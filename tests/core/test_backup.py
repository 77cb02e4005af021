"""Backups restore: a small county (letters with personal data, a published page and its file,
an image with a rendition, the audit chain) goes through ``govhub backup`` and comes back in a
freshly migrated database — SQLite, and PostgreSQL when one is reachable — with the same rows,
the same files, the personal data still ciphertext in the archive and the audit chain verified."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from govhub.core.backup import KEYS_NOT_INCLUDED, backup, table_label, verify_archive

PHONE = "13912345678"
ROOT = Path(__file__).resolve().parents[2]


def _pg_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.fixture
def folders(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PUBLISHED_ROOT = tmp_path / "published"
    return tmp_path


@pytest.fixture
def small_county(county, folders):
    """The county's staff, two letters from citizens, a published page with its file, an image
    with a rendition and the audit records all of it wrote."""
    from wagtail.models import Page

    from govhub.core import audit
    from govhub.core.models import AuditRecord
    from govhub.portal import publish
    from tests.factories import restore_wagtail_defaults
    from tests.letters.helpers import letter, make_categories
    from tests.publishing.factories import make_image

    restore_wagtail_defaults()  # after a transactional test, migrate's rows are gone
    make_categories(county)
    letter(phone=PHONE, content=f"工资拖欠三个月，请回电{PHONE}。")  # the body is encrypted too
    letter(subject="路灯不亮", content="村口路灯坏了一个月。", phone="13700001111")
    home = Page.get_first_root_node()
    page = home.add_child(instance=Page(title="备份演练通知", slug="backup-drill"))
    page.save_revision(user=county.user("editor")).publish(user=county.user("admin"))
    publish.write("/backup-drill/", "<html><body>备份演练通知</body></html>".encode())
    image = make_image("备份封面")
    image.get_rendition("fill-32x24")
    audit.record(actor=county.user("admin"), action="backup.drill", obj=page, summary={"演练": 1})
    assert AuditRecord.objects.count() > 0
    return county


def _counts() -> dict[str, int]:
    from govhub.core.backup import backed_up_models

    return {table_label(m): m._base_manager.count() for m in backed_up_models()}


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "govhub", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _fresh_env(tmp_path: Path, database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        GOVHUB_DATABASE_URL=database_url,
        GOVHUB_MEDIA_ROOT=str(tmp_path / "restored-media"),
        GOVHUB_PUBLISHED_ROOT=str(tmp_path / "restored-published"),
        GOVHUB_AUDIT_ANCHOR_FILE=str(tmp_path / "restored-anchors.jsonl"),
        GOVHUB_JOBS_BACKEND="immediate",
        PYTHONPATH=str(ROOT),
    )
    env.pop("GOVHUB_TEST_REDIS_URL", None)
    return env


def _round_trip(small_county, tmp_path: Path, database_url: str) -> None:
    archive = tmp_path / "county.tar.gz"
    result = backup(archive, say=lambda s: None)
    before = _counts()
    assert result.tables == before
    assert before["letters.letter"] == 2 and before["core.auditrecord"] > 0
    assert before["wagtailimages.rendition"] == 1

    env = _fresh_env(tmp_path, database_url)
    migrated = _run(["migrate", "--no-input"], env)
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    restored = _run(["restore", str(archive)], env)
    assert restored.returncode == 0, restored.stdout[-3000:] + restored.stderr[-3000:]
    assert "审计日志链校验通过" in restored.stdout
    assert "密钥不在本备份中" in restored.stdout
    assert "不一致" not in restored.stdout

    # counts in the restored database, read by another process, equal those backed up
    dump = _run(["backup", str(tmp_path / "again.tar.gz")], env)
    assert dump.returncode == 0, dump.stderr[-2000:]
    again = verify_archive(tmp_path / "again.tar.gz")
    assert again["tables"] == before
    ours = verify_archive(archive)
    # the same rows byte for byte, whatever the engine: ciphertext, page tree, MACs
    for name, digest in ours["sha256"].items():
        assert again["sha256"][name] == digest, name

    verified = _run(["audit", "verify"], env)
    assert verified.returncode == 0, verified.stderr
    assert "校验通过" in verified.stdout
    # the files are back, checksums equal
    published = tmp_path / "restored-published"
    assert "备份演练通知" in next(published.rglob("*.html")).read_text()
    assert any((tmp_path / "restored-media").rglob("*.png"))

    # a non-empty database is refused without --force, accepted with it
    refused = _run(["restore", str(archive)], env)
    assert refused.returncode != 0 and "不是空的" in refused.stderr
    forced = _run(["restore", str(archive), "--force"], env)
    assert forced.returncode == 0, forced.stderr[-2000:]


def test_archive_has_counts_checksums_ciphertext_and_no_keys(small_county, tmp_path, settings):
    archive = tmp_path / "county.tar.gz"
    backup(archive, say=lambda s: None)
    manifest = verify_archive(archive)
    assert manifest["keys_included"] is False
    assert set(KEYS_NOT_INCLUDED) <= set(manifest["keys_not_included"])
    assert manifest["tables"]["letters.letter"] == 2
    assert any(n.startswith("published/") for n in manifest["sha256"])
    assert any(n.startswith("media/original_images/") for n in manifest["sha256"])
    order = manifest["order"]  # referenced tables first: a department before its letters
    assert order.index("core.department") < order.index("letters.letter")
    assert order.index("wagtailcore.page") < order.index("portal.homepage")
    with tarfile.open(archive) as tar:
        raw = b"".join(tar.extractfile(m).read() for m in tar if m.isfile())
    for secret in (PHONE, settings.SECRET_KEY, settings.PII_INDEX_KEY):
        assert secret.encode() not in raw, "clear personal data or a key in the archive"
    with tarfile.open(archive) as tar:
        lines = tar.extractfile("db/core.citizen.jsonl").read().splitlines()
    citizens = [json.loads(line) for line in lines]
    assert citizens and all(c["phone"].startswith("pii1:") for c in citizens if c["phone"])
    with tarfile.open(archive) as tar:
        lines = tar.extractfile("db/letters.letter.jsonl").read().splitlines()
    letters = [json.loads(line) for line in lines]
    assert all(lt["content"].startswith("pii1:") for lt in letters)
    assert any(f"{PHONE[:3]}****{PHONE[-4:]}" in lt["content_redacted"] for lt in letters)


def test_damaged_archive_is_refused(small_county, tmp_path):
    archive = tmp_path / "county.tar.gz"
    backup(archive, say=lambda s: None)
    bad = tmp_path / "bad.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(bad, "w:gz") as dst:
        for m in src:
            data = src.extractfile(m).read()
            if m.name == "db/letters.letter.jsonl":
                data = data.replace("路灯".encode(), "路桥".encode())
            m.size = len(data)
            dst.addfile(m, io.BytesIO(data))
    with pytest.raises(CommandError, match="校验和与清单不符"):
        call_command("restore", str(bad), "--force")


def test_restore_refuses_a_non_empty_database(small_county, tmp_path):
    archive = tmp_path / "county.tar.gz"
    backup(archive, say=lambda s: None)
    with pytest.raises(CommandError, match="不是空的"):
        call_command("restore", str(archive))


@pytest.mark.django_db(transaction=True)
def test_round_trip_into_a_fresh_sqlite_database(small_county, tmp_path):
    _round_trip(small_county, tmp_path, f"sqlite:///{tmp_path / 'fresh.sqlite3'}")


@pytest.mark.skipif(not _pg_reachable(), reason="PostgreSQL not reachable on 127.0.0.1:5432")
@pytest.mark.django_db(transaction=True)
def test_round_trip_onto_the_other_engine(small_county, tmp_path):
    """From this test database (SQLite, or PostgreSQL under GOVHUB_DB=pg) to a fresh PostgreSQL
    database, or a fresh SQLite file when the source is already PostgreSQL."""
    from django.db import connection

    if connection.vendor == "postgresql":
        target = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    else:
        import psycopg

        name = f"gh_restore_{os.getpid()}"  # one per process: other runs may test at once
        admin = "postgresql://postgres@127.0.0.1:5432/postgres"
        with psycopg.connect(admin, autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {name}")
            c.execute(f"CREATE DATABASE {name}")
        target = f"postgres://postgres@127.0.0.1:5432/{name}"
    try:
        _round_trip(small_county, tmp_path, target)
    finally:
        if target.startswith("postgres"):
            with psycopg.connect(admin, autocommit=True) as c:
                c.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

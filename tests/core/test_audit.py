"""The audit chain detects any edited or deleted record and names it."""

import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from govhub.core import audit
from govhub.core.models import AuditRecord

pytestmark = pytest.mark.django_db


def _write(n=5):
    return [
        audit.record(actor=None, action="thing_changed", obj=("thing", i), summary={"n": i})
        for i in range(1, n + 1)
    ]


def test_intact_chain_verifies(capsys):
    _write()
    assert audit.verify() == []
    call_command("audit", "verify")
    assert "校验通过" in capsys.readouterr().out


def test_editing_one_row_in_the_database_is_detected_and_named():
    recs = _write()
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {AuditRecord._meta.db_table} SET action = %s WHERE seq = %s",
            ["thing_forged", recs[2].seq],
        )
    problems = audit.verify()
    assert [p.seq for p in problems] == [recs[2].seq]
    assert "篡改" in problems[0].message
    with pytest.raises(CommandError):
        call_command("audit", "verify")


def test_deleting_a_middle_row_is_detected():
    recs = _write()
    AuditRecord.objects.filter(seq=recs[1].seq).delete()
    problems = audit.verify()
    assert problems and problems[0].seq == recs[1].seq
    assert "删除" in problems[0].message


def test_deleting_the_newest_rows_is_detected():
    recs = _write()
    AuditRecord.objects.filter(seq__gte=recs[3].seq).delete()
    problems = audit.verify()
    assert len(problems) == 1 and problems[0].seq == recs[3].seq


def test_rehashing_an_edited_row_still_breaks_the_next_link():
    recs = _write()
    forged = AuditRecord.objects.get(seq=recs[1].seq)
    forged.summary = {"n": 999}
    forged.hash = audit.compute_hash(forged)
    AuditRecord.objects.filter(pk=forged.pk).update(summary=forged.summary, hash=forged.hash)
    problems = audit.verify()
    assert [p.seq for p in problems] == [recs[2].seq]


def test_summaries_never_hold_personal_data():
    rec = audit.record(
        actor=None,
        action="letter_received",
        obj=("letter", 1),
        summary={"phone": "13812345678", "note": "来电 13812345678，身份证 110101199003074514"},
    )
    stored = AuditRecord.objects.get(pk=rec.pk)
    assert "phone" not in stored.summary
    assert "13812345678" not in str(stored.summary)
    assert "110101199003074514" not in str(stored.summary)
    assert "138****5678" in stored.summary["note"]


@pytest.mark.django_db(transaction=True)
def test_cli_exits_non_zero_naming_the_record(tmp_path, settings):
    """`govhub audit verify` as an operator runs it, on its own database file."""
    import os

    db = tmp_path / "audit.sqlite3"
    env = {**os.environ, "GOVHUB_MODE": "test", "GOVHUB_DATABASE_URL": f"sqlite:///{db}"}

    def run(*a):
        return subprocess.run(
            [sys.executable, "-m", "govhub", *a],
            env=env,  # noqa: E731
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert run("migrate", "core", "-v0").returncode == 0  # the audit tables and what they need
    code = "from govhub.core import audit\nfor i in range(3): audit.record(actor=None, action='x', obj=('t', i))"
    assert run("shell", "-c", code).returncode == 0
    import sqlite3

    con = sqlite3.connect(db)
    con.execute("UPDATE core_auditrecord SET object_id = 'forged' WHERE seq = 2")
    con.commit()
    con.close()
    result = run("audit", "verify")
    assert result.returncode != 0
    assert "#2" in result.stderr


def test_changes_made_in_wagtail_views_enter_the_chain():
    from wagtail.models import Page

    from tests.factories import make_user

    editor = make_user(superuser=True)
    root = Page.objects.get(depth=1)
    page = root.add_child(instance=Page(title="关于开展秋冬季防火工作的通知", slug="fanghuo"))
    page.save_revision(user=editor, log_action=True).publish(user=editor)
    rec = AuditRecord.objects.filter(action="wagtail:wagtail.publish").last()
    assert rec.object_id == str(page.pk) and rec.actor == editor.username
    assert rec.summary == {"title": "关于开展秋冬季防火工作的通知"}
    assert audit.verify() == []

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


def _forge(seq: int, *, action: str, key: bytes | None, key_id: str | None = None) -> None:
    """What a database administrator can do: edit a row and recompute every MAC after it
    (with a key of his own, or as an unkeyed legacy record), head included."""
    import hashlib
    import hmac

    from govhub.core.models import AuditHead

    prev = None
    for rec in AuditRecord.objects.order_by("seq"):
        if rec.seq >= seq:
            if rec.seq == seq:
                rec.action = action
            if key_id is not None:
                rec.key_id = key_id
            rec.prev_hash = prev
            payload = audit._payload(rec)
            rec.hash = (
                hmac.new(key, payload, hashlib.sha256).hexdigest()
                if key
                else hashlib.sha256(payload).hexdigest()
            )
            AuditRecord.objects.filter(pk=rec.pk).update(
                action=rec.action, prev_hash=rec.prev_hash, hash=rec.hash, key_id=rec.key_id
            )
        prev = rec.hash
    AuditHead.objects.filter(id=1).update(hash=prev)


def test_new_records_carry_a_keyed_mac():
    recs = _write(2)
    assert all(r.key_id == audit.current_key_id() for r in recs)
    assert audit.verify() == []


def test_a_forger_who_recomputes_the_chain_without_the_key_is_caught():
    recs = _write(5)
    _forge(recs[2].seq, action="thing_forged", key=b"not-the-county-key")
    problems = audit.verify()
    assert problems and {p.seq for p in problems} >= {recs[2].seq, recs[4].seq}
    assert all("篡改" in p.message for p in problems)


def test_a_forger_who_makes_the_records_look_older_than_the_key_is_caught():
    recs = _write(5)
    _forge(recs[3].seq, action="thing_forged", key=None, key_id="")
    problems = audit.verify()
    assert [p.seq for p in problems][:1] == [recs[3].seq]
    assert "伪造" in problems[0].message


def test_a_rewrite_with_the_key_still_differs_from_the_anchor(settings, capsys):
    recs = _write(4)
    call_command("audit", "anchor")
    assert "已锚定第" in capsys.readouterr().out
    # someone holding the key (or the unkeyed past) rewrites record 2 and everything after it
    key = audit.audit_keys()[audit.current_key_id()]
    _forge(recs[1].seq, action="thing_forged", key=key)
    problems = audit.verify()
    assert [p.seq for p in problems] == [recs[-1].seq]
    assert "锚点" in problems[0].message
    with pytest.raises(CommandError):
        call_command("audit", "verify")


def test_an_old_key_still_verifies_after_rotation(settings):
    recs = _write(2)
    old = settings.AUDIT_KEYS
    settings.AUDIT_KEYS = "k2:bmV3LWtleS1vZi10aGUtY291bnR5LWF1ZGl0LTAy," + old
    more = _write(2)
    assert more[0].key_id == "k2" and recs[0].key_id != "k2"
    assert audit.verify() == []
    settings.AUDIT_KEYS = "k2:bmV3LWtleS1vZi10aGUtY291bnR5LWF1ZGl0LTAy"  # old key dropped
    assert any("不在密钥列表" in p.message for p in audit.verify())


def test_deferred_records_are_appended_last_in_order_and_verify():
    from django.db import transaction

    audit.record(actor=None, action="before", obj=("thing", 0))
    with transaction.atomic(), audit.deferred():
        audit.record(actor=None, action="first", obj=("thing", 1))
        with audit.deferred():  # nested: appended with the outermost block
            audit.record(actor=None, action="second", obj=("thing", 2))
        assert list(AuditRecord.objects.values_list("action", flat=True)) == ["before"]
        audit.record(actor=None, action="third", obj=("thing", 3))
    actions = list(AuditRecord.objects.order_by("seq").values_list("action", flat=True))
    assert actions == ["before", "first", "second", "third"]
    assert audit.verify() == []


def test_deferred_records_of_a_failed_block_are_dropped():
    from django.db import transaction

    with pytest.raises(ValueError), transaction.atomic(), audit.deferred():
        audit.record(actor=None, action="lost", obj=("thing", 1))
        raise ValueError
    audit.record(actor=None, action="kept", obj=("thing", 2))
    assert list(AuditRecord.objects.values_list("action", flat=True)) == ["kept"]
    assert audit.verify() == []

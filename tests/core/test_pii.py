"""Personal data: encrypted at rest, findable by keyed hash, masked, rotatable."""

import base64
import logging

import pytest
from django.core.management import call_command
from django.db import connection

from govhub.core import pii
from govhub.core.models import Citizen, Role
from tests.factories import make_department, make_user

pytestmark = pytest.mark.django_db

PHONE, ID_NO, NAME, ADDR = "13812345678", "110101199003074514", "张三丰", "示范县人民路88号3单元"


def _raw_rows():
    with connection.cursor() as cur:
        cur.execute("SELECT name, phone, id_number, address, email, phone_index FROM core_citizen")
        return cur.fetchall()


def test_raw_table_holds_no_clear_text():
    Citizen.objects.create(
        name=NAME, phone=PHONE, id_number=ID_NO, address=ADDR, email="zs@example.cn"
    )
    (row,) = _raw_rows()
    dump = " ".join(str(v) for v in row)
    for clear in (PHONE, ID_NO, NAME, ADDR, "zs@example.cn", "5678", "4514"):
        assert clear not in dump
    assert row[1].startswith("pii1:demo1:")
    c = Citizen.objects.get()
    assert (c.name, c.phone, c.id_number, c.address) == (NAME, PHONE, ID_NO, ADDR)


def test_same_value_encrypts_differently_but_is_found_by_keyed_hash():
    a = Citizen.objects.create(phone=PHONE)
    b = Citizen.objects.create(phone="+86 138-1234-5678")
    raw = [r[1] for r in _raw_rows()]
    assert raw[0] != raw[1]
    found = Citizen.objects.filter(phone_index=pii.blind_index("138 1234 5678", "phone"))
    assert set(found) == {a, b}
    assert not Citizen.objects.filter(phone_index=pii.blind_index("13900000000", "phone")).exists()


def test_tampered_ciphertext_is_refused():
    Citizen.objects.create(phone=PHONE)
    with connection.cursor() as cur:
        cur.execute("SELECT phone FROM core_citizen")
        stored = cur.fetchone()[0]
        prefix, key_id, b64 = stored.split(":", 2)
        raw = bytearray(base64.b64decode(b64))
        raw[-1] ^= 1
        cur.execute(
            "UPDATE core_citizen SET phone = %s",
            [f"{prefix}:{key_id}:{base64.b64encode(bytes(raw)).decode()}"],
        )
    from cryptography.exceptions import InvalidTag

    with pytest.raises(InvalidTag):
        Citizen.objects.get()


def test_rotation_re_encrypts_with_the_newest_key_and_keeps_values(settings):
    people = [
        Citizen.objects.create(name=f"居民{i}", phone=f"1390000{i:04d}", id_number=ID_NO)
        for i in range(5)
    ]
    new_key = base64.b64encode(b"n" * 32).decode()
    settings.PII_KEYS = f"k2026:{new_key},{settings.PII_KEYS}"
    pii.reset_keys()
    try:
        call_command("pii", "rotate")
        for row in _raw_rows():
            assert row[0].startswith("pii1:k2026:") and row[1].startswith("pii1:k2026:")
        # The old key can now be removed: every value stays readable with the new key alone.
        settings.PII_KEYS = f"k2026:{new_key}"
        pii.reset_keys()
        for p in people:
            got = Citizen.objects.get(pk=p.pk)
            assert (got.name, got.phone, got.id_number) == (p.name, p.phone, ID_NO)
        assert (
            Citizen.objects.filter(phone_index=pii.blind_index("13900000003", "phone")).count() == 1
        )
    finally:
        pii.reset_keys()


def test_masking_rules():
    assert pii.mask_phone(PHONE) == "138****5678"
    assert pii.mask_id_number(ID_NO) == "110***********4514"
    assert pii.mask_name(NAME) == "张**"
    assert pii.mask_address(ADDR) == "示范县人民路****"


def test_staff_without_the_right_see_masked_values():
    dept = make_department(name="信访局")
    citizen = Citizen.objects.create(name=NAME, phone=PHONE)
    citizen.department = dept  # an object scoped to the department, as a letter is
    dispatcher = make_user(department=dept, role=Role.DISPATCHER)
    editor = make_user(department=dept, role=Role.EDITOR)
    assert pii.shown_value(dispatcher, citizen, "phone") == PHONE
    assert pii.shown_value(editor, citizen, "phone") == "138****5678"
    assert pii.shown_value(editor, citizen, "name") == "张**"


def test_exports_respect_the_grade():
    c = Citizen.objects.create(name=NAME, phone=PHONE, email="zs@example.cn")
    public = pii.export_row(c)
    assert public["phone"] == "138****5678" and public["email"] == "z***@example.cn"
    internal = pii.export_row(c, max_grade=pii.Grade.INTERNAL)
    assert internal["email"] == "zs@example.cn" and internal["phone"] == "138****5678"
    assert pii.export_row(c, max_grade=pii.Grade.SENSITIVE)["phone"] == PHONE


def test_logs_never_carry_clear_personal_data(caplog):
    logger = logging.getLogger("govhub.test")
    handler = logging.StreamHandler()
    handler.addFilter(pii.RedactingFilter())
    records = []
    handler.emit = records.append
    logger.addHandler(handler)
    try:
        logger.warning("来信人电话 %s 身份证 %s", PHONE, ID_NO)
    finally:
        logger.removeHandler(handler)
    message = records[0].getMessage()
    assert PHONE not in message and ID_NO not in message
    assert "138****5678" in message

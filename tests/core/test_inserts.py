"""core.inserts stores a row exactly as the ORM's save would: encrypted personal data, blind
indexes, redacted copies, auto timestamps, signals, and a failed INSERT that rolls back."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Value
from django.db.models.functions import Lower
from django.db.models.signals import post_save

from govhub.core import inserts
from govhub.core.models import Citizen
from govhub.core.pii import blind_index
from govhub.letters.models import Letter, LetterEvent
from tests.letters.helpers import letter as make_letter

pytestmark = pytest.mark.django_db


def _stored(model, pk: int) -> dict:
    """The row as the database holds it (ciphertext and all)."""
    with connection.cursor() as cur:
        cur.execute(f"SELECT * FROM {model._meta.db_table} WHERE id = %s", [pk])
        return dict(zip([c[0] for c in cur.description], cur.fetchone(), strict=True))


def test_a_citizen_is_stored_as_the_orm_stores_it():
    values = dict(name="张三", phone="13912345678", email="zs@example.com", wechat_openid="o-1")
    saved = []

    def receiver(sender, instance, created, **kw):
        saved.append((sender, instance.pk, created))

    post_save.connect(receiver, sender=Citizen, dispatch_uid="test-inserts")
    try:
        fast = inserts.create(Citizen, **values)
        orm = Citizen.objects.create(**values)
    finally:
        post_save.disconnect(dispatch_uid="test-inserts", sender=Citizen)
    assert saved == [(Citizen, fast.pk, True), (Citizen, orm.pk, True)]
    assert fast.pk and not fast._state.adding and fast._state.db == "default"

    row, orm_row = _stored(Citizen, fast.pk), _stored(Citizen, orm.pk)
    assert row["phone"] and "13912345678" not in row["phone"]  # encrypted at rest
    assert row["phone_index"] == orm_row["phone_index"] == blind_index("13912345678", "phone")
    assert row["email_index"] == orm_row["email_index"]
    assert row["created_at"] is not None
    again = Citizen.objects.get(pk=fast.pk)
    for field in ("name", "phone", "email", "wechat_openid", "id_number", "weibo_uid"):
        assert getattr(again, field) == getattr(Citizen.objects.get(pk=orm.pk), field)


def test_a_letter_and_its_state_row_match_the_orms(county):
    first = make_letter(route=False, content="我的电话 13912345678，路灯坏了。")
    event = LetterEvent.objects.filter(letter=first, kind="received").get()
    assert event.to_status == "received" and event.public
    # every column but the keys and the codes is what the ORM writes for the same values
    orm = Letter.objects.get(pk=first.pk)
    orm.pk, orm._state.adding = None, True
    orm.tracking_code, orm.idempotency_key = "ORM0-0000-0001", None
    orm.save()
    fast_row, orm_row = _stored(Letter, first.pk), _stored(Letter, orm.pk)
    differ = {k for k in fast_row if fast_row[k] != orm_row[k]}
    # the encrypted columns differ by their random nonce; their clear copies are equal
    assert differ <= {"id", "tracking_code", "idempotency_key", "subject", "content", "pin_hash"}
    assert "13912345678" not in fast_row["content_redacted"]
    assert fast_row["content_redacted"] == orm_row["content_redacted"]
    assert Letter.objects.get(pk=first.pk).content == "我的电话 13912345678，路灯坏了。"


def test_a_refused_insert_rolls_back_and_an_expression_goes_through_the_orm():
    inserts.create(Citizen, wechat_openid="o-2")
    with pytest.raises(IntegrityError), transaction.atomic():
        inserts.create(Letter, tracking_code="X")  # no intake department: NOT NULL refuses
    assert Citizen.objects.filter(wechat_openid="o-2").exists()  # the outer work is kept

    made = inserts.create(Citizen, name="李四", wechat_openid="o-3")
    computed = inserts.insert(Citizen(weibo_uid=Lower(Value("WB-1"))))  # the ORM compiles it
    computed.refresh_from_db()
    assert computed.weibo_uid == "wb-1" and made.pk < computed.pk


def test_a_model_with_its_own_save_is_saved_by_the_orm():
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    assert user_model.save is not Citizen.save  # AbstractBaseUser.save: its own
    assert inserts._statement(user_model, "default") is None
    user = inserts.create(user_model, username="inserts-orm", password="x")
    assert user_model.objects.get(pk=user.pk).username == "inserts-orm"

"""One INSERT of a new model instance with a statement built once per model, for the rows a
peak writes for every letter (the citizen, the letter, its state row).

Why: ``Model.save()`` builds its INSERT afresh each time — an InsertQuery, its compiler, every
field's quoting and placeholder — about a tenth of a letter's CPU in the web worker for three
rows. ``insert`` keeps what the ORM's INSERT does to the row: every field's ``pre_save`` (auto
timestamps; the encrypted fields' blind indexes and redacted copies) and ``get_db_prep_save``
(encryption, JSON, dates) in field order, the ``pre_save``/``post_save`` signals, the primary key
from ``RETURNING``, an error marking the open transaction for rollback. Only plain models go
this way (no save() of its own, no parent tables, no database-side defaults or generated
columns); any other model is saved by the ORM.
"""

from __future__ import annotations

from typing import TypeVar

from django.db import connections, models, router, transaction
from django.db.models.signals import post_save, pre_save

M = TypeVar("M", bound=models.Model)

_statements: dict[tuple[type[models.Model], str], tuple[list[models.Field], str] | None] = {}


def _statement(model: type[models.Model], using: str) -> tuple[list[models.Field], str] | None:
    key = (model, using)
    if key not in _statements:
        meta = model._meta
        conn = connections[using]
        pk = meta.pk
        fields = [f for f in meta.concrete_fields if f is not pk]
        plain = (
            model.save is models.Model.save  # a model's own save() runs as the ORM's would
            and not meta.parents
            and not meta.auto_created
            and isinstance(pk, models.AutoField)
            and not any(
                f.generated
                or f.has_db_default()
                or getattr(f, "db_returning", False)
                or hasattr(f, "get_placeholder")  # a field that wraps its own placeholder
                for f in fields
            )
            and conn.features.can_return_columns_from_insert
        )
        if not plain:
            _statements[key] = None
        else:
            qn = conn.ops.quote_name
            sql = "INSERT INTO {} ({}) VALUES ({}) RETURNING {}".format(
                qn(meta.db_table),
                ", ".join(qn(f.column) for f in fields),
                ", ".join(["%s"] * len(fields)),
                qn(pk.column),
            )
            _statements[key] = (fields, sql)
    return _statements[key]


def insert(obj: M, using: str | None = None) -> M:
    """Store the new ``obj`` as ``obj.save()`` would, and return it with its primary key."""
    model = type(obj)
    using = using or router.db_for_write(model, instance=obj)
    built = _statement(model, using)
    if built is None or not obj._state.adding or obj.pk is not None:
        obj.save(force_insert=True, using=using)
        return obj
    fields, sql = built
    if any(hasattr(getattr(obj, f.attname), "resolve_expression") for f in fields):
        obj.save(force_insert=True, using=using)  # an F() or a function: the ORM compiles it
        return obj
    conn = connections[using]
    obj._prepare_related_fields_for_save(operation_name="save")
    pre_save.send(sender=model, instance=obj, raw=False, using=using, update_fields=None)
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection=conn) for f in fields]
    with transaction.mark_for_rollback_on_error(using), conn.cursor() as cursor:
        cursor.execute(sql, params)
        pk = cursor.fetchone()[0]
    setattr(obj, model._meta.pk.attname, model._meta.pk.to_python(pk))
    obj._state.adding = False
    obj._state.db = using
    post_save.send(
        sender=model, instance=obj, created=True, update_fields=None, raw=False, using=using
    )
    return obj


def create(model: type[M], **values) -> M:
    """``model.objects.create(**values)`` through ``insert``."""
    return insert(model(**values))

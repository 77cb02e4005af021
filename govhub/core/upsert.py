"""One ``INSERT … ON CONFLICT`` statement, on SQLite and PostgreSQL, for the hot write paths
(the WeChat callback, the inbox). A single statement needs no pre-SELECT and raises no
IntegrityError, so no savepoint inside a caller's transaction. Django's
``bulk_create(update_conflicts=…)`` cannot tell whether the row was new, nor add to a counter."""

from __future__ import annotations

import enum
from collections.abc import Sequence

from django.db import DEFAULT_DB_ALIAS, connections, models

from govhub.core.pii import EncryptedTextField

# values of these types go to the driver as they are (the fields below would pass them unchanged)
_AS_IS = (str, int, bool, type(None))
_SCALAR = frozenset(
    [
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "ForeignKey",
        "IntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SlugField",
        "SmallIntegerField",
        "TextField",
    ]
)
_plans: dict[tuple, tuple[str, list]] = {}


def insert_on_conflict(
    model: type[models.Model],
    values: dict,
    conflict: Sequence[str],
    *,
    update: Sequence[str] = (),
    add: str | None = None,
) -> int | None:
    """Insert ``values`` (field name → value). When a row with the same ``conflict`` columns
    exists, set its ``update`` fields from ``values`` and add the value of its ``add`` field to the
    existing one, or, with neither, leave it alone. Returns the row's id, or None when nothing was
    inserted or updated.

    The statement is built once per shape and cached; values are adapted by their model field
    (as the ORM does) except plain strings, numbers and booleans in fields that take them as
    they are: at one to five inserts a WeChat message, the field machinery cost more than SQL."""
    conn = connections[DEFAULT_DB_ALIAS]
    names = tuple(values)
    key = (model, names, tuple(conflict), tuple(update), add, conn.vendor)
    plan = _plans.get(key)
    if plan is None:
        plan = _plans[key] = _build(conn, model, names, conflict, update, add)
    sql, fields = plan
    params = [
        v
        if f is None and type(v) in _AS_IS
        else (f or model._meta.get_field(n)).get_db_prep_save(
            v.value if isinstance(v, enum.Enum) else v, conn
        )
        for f, n, v in zip(fields, names, values.values(), strict=True)
    ]
    with conn.cursor() as cur:
        cur.execute(sql, params)
        row = cur.fetchone()
    return row[0] if row else None


def _build(conn, model, names, conflict, update, add) -> tuple[str, list]:
    """The statement, and for each value its field (None where the value may pass as it is)."""
    qn = conn.ops.quote_name
    meta = model._meta
    table = qn(meta.db_table)
    fields = [meta.get_field(name) for name in names]
    sets = [
        f"{qn(meta.get_field(n).column)} = excluded.{qn(meta.get_field(n).column)}" for n in update
    ]
    if add:
        col = qn(meta.get_field(add).column)
        sets.append(f"{col} = {table}.{col} + excluded.{col}")
    action = f"DO UPDATE SET {', '.join(sets)}" if sets else "DO NOTHING"  # nosec B608 - column and table names from model metadata, quoted; values are %s parameters
    target = ", ".join(qn(meta.get_field(n).column) for n in conflict)
    columns = ", ".join(qn(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES ({marks}) ON CONFLICT ({target}) {action}"  # nosec B608 - column and table names from model metadata, quoted; values are %s parameters
        f" RETURNING {qn(meta.pk.column)}"
    )
    # an encrypted field is a TextField to the database, but its value must go through it
    return sql, [
        None if f.get_internal_type() in _SCALAR and not isinstance(f, EncryptedTextField) else f
        for f in fields
    ]

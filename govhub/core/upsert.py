"""One ``INSERT … ON CONFLICT`` statement, on SQLite and PostgreSQL, for the hot write paths
(the WeChat callback, the inbox). A single statement needs no pre-SELECT and raises no
IntegrityError, so no savepoint inside a caller's transaction. Django's
``bulk_create(update_conflicts=…)`` cannot tell whether the row was new, nor add to a counter."""

from __future__ import annotations

import enum
from collections.abc import Sequence

from django.db import connection, models


def insert_on_conflict(
    model: type[models.Model],
    values: dict,
    conflict: Sequence[str],
    *,
    update: Sequence[str] = (),
    add_one: str | None = None,
) -> int | None:
    """Insert ``values`` (field name → value). When a row with the same ``conflict`` columns
    exists, set its ``update`` fields from ``values`` and add 1 to its ``add_one`` field, or, with
    neither, leave it alone. Returns the row's id, or None when an existing row was left alone."""
    qn = connection.ops.quote_name
    meta = model._meta
    table = qn(meta.db_table)
    fields = [meta.get_field(name) for name in values]
    params = [
        f.get_db_prep_save(v.value if isinstance(v, enum.Enum) else v, connection)
        for f, v in zip(fields, values.values(), strict=True)
    ]
    sets = [
        f"{qn(meta.get_field(n).column)} = excluded.{qn(meta.get_field(n).column)}" for n in update
    ]
    if add_one:
        col = qn(meta.get_field(add_one).column)
        sets.append(f"{col} = {table}.{col} + 1")
    action = f"DO UPDATE SET {', '.join(sets)}" if sets else "DO NOTHING"
    target = ", ".join(qn(meta.get_field(n).column) for n in conflict)
    sql = (
        f"INSERT INTO {table} ({', '.join(qn(f.column) for f in fields)})"
        f" VALUES ({', '.join(['%s'] * len(fields))}) ON CONFLICT ({target}) {action}"
        f" RETURNING {qn(meta.pk.column)}"
    )
    with connection.cursor() as cur:
        cur.execute(sql, params)
        row = cur.fetchone()
    return row[0] if row else None

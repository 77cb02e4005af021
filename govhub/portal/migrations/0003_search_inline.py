"""PostgreSQL: keep a search row's tsvector inline (no TOAST) and keep more lexeme statistics.

Ranking reads the tsvector of every candidate; out-of-line (TOAST) storage made each read an
index lookup plus decompression, about 0.1 ms a row at 1M articles. Rows up to 4 KB now stay in
the heap page. The larger statistics target gives ``search._pg_df`` document frequencies for
the 10,000 most common words without counting at query time.
"""

from django.db import migrations

PG_UP = [
    "ALTER TABLE portal_searchentry SET (toast_tuple_target = 4080)",
    "ALTER TABLE portal_searchentry ALTER COLUMN search_vector SET STATISTICS 1000",
]
PG_DOWN = [
    "ALTER TABLE portal_searchentry RESET (toast_tuple_target)",
    "ALTER TABLE portal_searchentry ALTER COLUMN search_vector SET STATISTICS -1",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("portal", "0002_search_engines")]

    operations = [migrations.RunPython(_run(PG_UP), _run(PG_DOWN))]

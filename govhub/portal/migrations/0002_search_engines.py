"""Database-specific full-text structures over portal_searchentry (see govhub.portal.search)."""

from django.db import migrations

SQLITE_UP = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS portal_search_fts USING fts5(
        title_terms, body_terms, content='portal_searchentry', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0')""",
    """CREATE TRIGGER IF NOT EXISTS portal_search_ai AFTER INSERT ON portal_searchentry BEGIN
        INSERT INTO portal_search_fts(rowid, title_terms, body_terms)
        VALUES (new.id, new.title_terms, new.body_terms); END""",
    """CREATE TRIGGER IF NOT EXISTS portal_search_ad AFTER DELETE ON portal_searchentry BEGIN
        INSERT INTO portal_search_fts(portal_search_fts, rowid, title_terms, body_terms)
        VALUES ('delete', old.id, old.title_terms, old.body_terms); END""",
    """CREATE TRIGGER IF NOT EXISTS portal_search_au AFTER UPDATE ON portal_searchentry BEGIN
        INSERT INTO portal_search_fts(portal_search_fts, rowid, title_terms, body_terms)
        VALUES ('delete', old.id, old.title_terms, old.body_terms);
        INSERT INTO portal_search_fts(rowid, title_terms, body_terms)
        VALUES (new.id, new.title_terms, new.body_terms); END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS portal_search_au",
    "DROP TRIGGER IF EXISTS portal_search_ad",
    "DROP TRIGGER IF EXISTS portal_search_ai",
    "DROP TABLE IF EXISTS portal_search_fts",
]
PG_UP = [
    """ALTER TABLE portal_searchentry ADD COLUMN IF NOT EXISTS search_vector tsvector
        GENERATED ALWAYS AS (
            setweight(to_tsvector('simple', title_terms), 'A') ||
            setweight(to_tsvector('simple', body_terms), 'B')) STORED""",
    "CREATE INDEX IF NOT EXISTS portal_search_vector_gin ON portal_searchentry USING gin(search_vector)",
]
PG_DOWN = [
    "DROP INDEX IF EXISTS portal_search_vector_gin",
    "ALTER TABLE portal_searchentry DROP COLUMN IF EXISTS search_vector",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": PG_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": PG_DOWN}),
        )
    ]

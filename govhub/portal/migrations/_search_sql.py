"""SQL for the full-text structures over portal_searchentry, shared by the migrations and by
bench/search.py (which drops and rebuilds them around a bulk load)."""

SQLITE_TRIGGERS = [
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
SQLITE_DROP_TRIGGERS = [
    "DROP TRIGGER IF EXISTS portal_search_au",
    "DROP TRIGGER IF EXISTS portal_search_ad",
    "DROP TRIGGER IF EXISTS portal_search_ai",
]
PG_CREATE_INDEXES = [
    "CREATE INDEX IF NOT EXISTS portal_search_vector_gin ON portal_searchentry "
    "USING gin(search_vector)",
]
PG_DROP_INDEXES = ["DROP INDEX IF EXISTS portal_search_vector_gin"]

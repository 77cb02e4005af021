"""Chinese full-text search over the portal, on SQLite (FTS5) and PostgreSQL (tsvector).

Neither database segments Chinese, so we do it ourselves: each page's title and body are cut
by ``govhub.core.text.search_terms`` (rjieba's fine-grained cuts) and stored space-joined in
``SearchEntry``. SQLite mirrors those columns into an external-content FTS5 table (triggers in
the migration) whose unicode61 tokenizer splits on the spaces; PostgreSQL keeps a generated
``tsvector`` with the ``simple`` configuration (title weighted A, body B) under a GIN index.
Queries are cut the same way and OR-ed, so ranking (bm25 / ts_rank_cd) rewards documents that
contain more, rarer, title-placed query words. Query terms reach the engine only as bound
parameters of quoted words, so FTS operators typed by a visitor are plain text.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db import connection, transaction
from django.utils import timezone
from django.utils.html import strip_tags

from govhub.core import text as zh
from govhub.portal.models import ArticlePage, DocType, SearchEntry

MAX_QUERY_CHARS = 100
MAX_TERMS = 24
PER_PAGE = 10
MAX_PAGE = 100
_WORD = re.compile(r"[^\w\u4e00-\u9fff]+", re.UNICODE)


# ---------------------------------------------------------------------------- indexing
def _column_title(page) -> str:
    parent = page.get_parent()
    return parent.title if parent else ""


def entry_values(
    page: ArticlePage, url: str | None = None, column_title: str | None = None
) -> dict:
    """The SearchEntry fields of one article (segmentation happens here)."""
    body_text = html.unescape(strip_tags(page.body or ""))
    summary = (page.summary or "").strip()
    text = body_text if summary and summary[:40] in body_text else f"{summary} {body_text}".strip()
    return {
        "title": page.title,
        "url": url if url is not None else (page.url or ""),
        "text": text[:20000],
        "title_terms": " ".join(zh.search_terms(page.title)),
        "body_terms": " ".join(zh.search_terms(f"{page.doc_number} {text}")),
        "path": page.path,
        "column_title": column_title if column_title is not None else _column_title(page),
        "department_id": page.department_id,
        "date": page.date,
        "doc_type": page.doc_type,
        "doc_number": page.doc_number,
    }


def index_page(page) -> None:
    """Add or refresh one live article in the index; drop it when it is not live."""
    specific = page.specific
    if not isinstance(specific, ArticlePage) or not specific.live:
        remove_page(page.pk)
        return
    SearchEntry.objects.update_or_create(page_id=specific.pk, defaults=entry_values(specific))


def remove_page(page_id: int) -> None:
    SearchEntry.objects.filter(page_id=page_id).delete()


def reindex_all(batch: int = 500) -> int:
    """Rebuild the whole index (used by the demo build and `govhub portal_reindex`)."""
    with transaction.atomic():
        SearchEntry.objects.all().delete()
        pages = ArticlePage.objects.live().select_related("department").order_by("path")
        parents = {}
        rows = []
        for p in pages.iterator(chunk_size=batch):
            parent_path = p.path[: -p.steplen]
            if parent_path not in parents:
                parent = p.get_parent()
                parents[parent_path] = (parent.title, parent.url or "")
            title, parent_url = parents[parent_path]
            rows.append(
                SearchEntry(page_id=p.pk, **entry_values(p, f"{parent_url}{p.slug}/", title))
            )
        SearchEntry.objects.bulk_create(rows, batch_size=batch)
    return len(rows)


# ---------------------------------------------------------------------------- querying
@dataclass
class Filters:
    column_path: str = ""
    department_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    doc_type: str = ""


@dataclass
class Hit:
    entry: SearchEntry
    score: float
    title_html: str
    snippet_html: str


@dataclass
class Result:
    query: str = ""
    terms: list[str] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    page: int = 1
    pages: int = 0
    messages: list[str] = field(default_factory=list)
    elapsed_ms: float = 0.0


def clean_query(raw: str) -> tuple[str, list[str], list[str]]:
    """(query as searched, terms, notices for the visitor). Never raises."""
    notes: list[str] = []
    query = zh.normalise(raw or "")
    if len(query) > MAX_QUERY_CHARS:
        query = query[:MAX_QUERY_CHARS]
        notes.append(f"搜索词过长，已按前 {MAX_QUERY_CHARS} 个字搜索。")
    terms = []
    for t in zh.search_terms(query):
        t = _WORD.sub("", t)
        if t and t not in terms:
            terms.append(t)
    if len(terms) > MAX_TERMS:
        terms = terms[:MAX_TERMS]
    return query, terms, notes


def search(raw_query: str, filters: Filters | None = None, page: int = 1) -> Result:
    """Ranked, filtered, paged hits with highlighted titles and snippets."""
    import time as _time

    started = _time.perf_counter()
    filters = filters or Filters()
    query, terms, notes = clean_query(raw_query)
    result = Result(query=query, terms=terms, messages=notes, page=max(1, page))
    if not terms:
        if query:
            result.messages.append("搜索词中没有可检索的文字，请输入中文词语、数字或字母。")
        return result
    ids_scores, total = _run(terms, filters, PER_PAGE, (result.page - 1) * PER_PAGE)
    result.total = total
    result.pages = min(MAX_PAGE, -(-total // PER_PAGE))
    entries = SearchEntry.objects.select_related("department").in_bulk([i for i, _ in ids_scores])
    for entry_id, score in ids_scores:
        e = entries.get(entry_id)
        if e is not None:
            result.hits.append(
                Hit(e, score, highlight(e.title, terms), highlight(snippet(e.text, terms), terms))
            )
    result.elapsed_ms = (_time.perf_counter() - started) * 1000
    return result


def _filter_sql(filters: Filters, alias: str = "e") -> tuple[str, list]:
    ops = connection.ops
    sql, params = [], []
    if filters.column_path:
        sql.append(f"{alias}.path LIKE %s")
        params.append(filters.column_path + "%")
    if filters.department_id:
        sql.append(f"{alias}.department_id = %s")
        params.append(filters.department_id)
    if filters.doc_type and filters.doc_type in DocType.values:
        sql.append(f"{alias}.doc_type = %s")
        params.append(filters.doc_type)
    tz = timezone.get_current_timezone()
    if filters.date_from:
        sql.append(f"{alias}.date >= %s")
        dt = timezone.make_aware(datetime.combine(filters.date_from, time.min), tz)
        params.append(ops.adapt_datetimefield_value(dt))
    if filters.date_to:
        sql.append(f"{alias}.date <= %s")
        dt = timezone.make_aware(datetime.combine(filters.date_to, time.max), tz)
        params.append(ops.adapt_datetimefield_value(dt))
    return "".join(f" AND {s}" for s in sql), params


def _run(terms: list[str], filters: Filters, limit: int, offset: int) -> tuple[list, int]:
    where, params = _filter_sql(filters)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            weights = _pg_idf(cur, terms)
            tsq = " || ".join(["plainto_tsquery('simple', %s)"] * len(terms))
            base = (
                f"FROM portal_searchentry e, ({'SELECT ' + tsq} AS q) qq "
                f"WHERE e.search_vector @@ qq.q{where}"
            )
            cur.execute(f"SELECT count(*) {base}", [*terms, *params])
            total = cur.fetchone()[0]
            # ts_rank_cd knows no document frequency: weight each word by its IDF so that a
            # rare word (低保) outranks common ones (申请, 条件), as bm25 does on SQLite.
            # A word found in the title counts 3×; ts_rank_cd of the whole query breaks ties.
            score = " + ".join(
                [
                    "%s * (CASE WHEN e.search_vector @@ plainto_tsquery('simple', %s) THEN "
                    "CASE WHEN position(%s in ' ' || e.title_terms || ' ') > 0 THEN 3 ELSE 1 END "
                    "ELSE 0 END)"
                ]
                * len(terms)
            )
            score_params = [x for t in terms for x in (weights[t], t, f" {t} ")]
            cur.execute(
                f"SELECT e.id, ({score} + 0.5 * ts_rank_cd(e.search_vector, qq.q)) AS score "
                f"{base} ORDER BY score DESC, e.date DESC LIMIT %s OFFSET %s",
                [*score_params, *terms, *params, limit, offset],
            )
            rows = [(r[0], float(r[1])) for r in cur.fetchall()]
        else:
            match = " OR ".join(f'"{t}"' for t in terms)
            base = (
                "FROM portal_search_fts f JOIN portal_searchentry e ON e.id = f.rowid "
                f"WHERE portal_search_fts MATCH %s{where}"
            )
            cur.execute(f"SELECT count(*) {base}", [match, *params])
            total = cur.fetchone()[0]
            cur.execute(
                f"SELECT e.id, bm25(portal_search_fts, 6.0, 1.0) AS score {base} "
                "ORDER BY score ASC, e.date DESC LIMIT %s OFFSET %s",
                [match, *params, limit, offset],
            )
            rows = [(r[0], -float(r[1])) for r in cur.fetchall()]
    return rows, total


def _pg_idf(cur, terms: list[str]) -> dict[str, float]:
    """Inverse document frequency of each query word. Document counts are cached for ten
    minutes: they move slowly, and counting a common word costs tens of milliseconds."""
    import math

    from django.core.cache import cache

    keys = {t: "portal:df:" + hashlib.sha1(t.encode()).hexdigest() for t in terms}
    cached = cache.get_many([*keys.values(), "portal:df:__n__"])
    n = cached.get("portal:df:__n__")
    if n is None:
        cur.execute("SELECT count(*) FROM portal_searchentry")
        n = cur.fetchone()[0] or 1
        cache.set("portal:df:__n__", n, 600)
    weights = {}
    for t in terms:
        df = cached.get(keys[t])
        if df is None:
            cur.execute(
                "SELECT count(*) FROM portal_searchentry WHERE search_vector @@ "
                "plainto_tsquery('simple', %s)",
                [t],
            )
            df = cur.fetchone()[0]
            cache.set(keys[t], df, 600)
        weights[t] = math.log(1 + (n - df + 0.5) / (df + 0.5))
    return weights


# ---------------------------------------------------------------------------- display
def _pattern(terms: list[str]) -> re.Pattern | None:
    words = sorted({t for t in terms if t}, key=len, reverse=True)
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)


def snippet(text: str, terms: list[str], width: int = 110) -> str:
    """A window of the text around the first matched word (plain text)."""
    pat = _pattern(terms)
    m = pat.search(text) if pat else None
    start = max(0, (m.start() if m else 0) - 30)
    piece = text[start : start + width]
    return ("…" if start else "") + piece + ("…" if start + width < len(text) else "")


def highlight(text: str, terms: list[str]) -> str:
    """HTML-escaped text with matched words wrapped in <mark>."""
    pat = _pattern(terms)
    if not pat:
        return html.escape(text)
    out, last = [], 0
    for m in pat.finditer(text):
        out.append(html.escape(text[last : m.start()]))
        out.append(f"<mark>{html.escape(m.group(0))}</mark>")
        last = m.end()
    out.append(html.escape(text[last:]))
    return "".join(out)

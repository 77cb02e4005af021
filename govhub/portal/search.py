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
import math
import re
import time as _time
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
# Matches are counted up to this (enough for MAX_PAGE pages); above it the page says "超过".
COUNT_CAP = MAX_PAGE * PER_PAGE + 1
# Only this many candidates per branch are ranked (see _run_sqlite): the newest matches of any
# word plus the newest matches of all words; exact while a query matches fewer.
CANDIDATES = COUNT_CAP
# On a large PostgreSQL index, words in more than this share of documents do not pick candidates.
COMMON_SHARE = 0.1
# Below this many rows PostgreSQL's tsvector statistics are not used for IDF (counted instead).
STATS_MIN_ROWS = 50_000
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
    from govhub.portal import search_words

    transaction.on_commit(search_words.forget)  # the vocabulary is the index's
    search_words.forget()
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
    more: bool = False  # more than ``total`` matches (counting stopped at COUNT_CAP)
    page: int = 1
    pages: int = 0
    messages: list[str] = field(default_factory=list)
    elapsed_ms: float = 0.0
    synonyms: list[str] = field(default_factory=list)  # also searched (同义词)
    pinyin: str = ""  # the pinyin typed, when the query was read as Chinese
    suggestion: str = ""  # 您是不是要找 …
    original: str = ""  # the query as typed, when the suggestion's results are shown


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


def search(
    raw_query: str, filters: Filters | None = None, page: int = 1, *, understand: bool = True
) -> Result:
    """Ranked, filtered, paged hits with highlighted titles and snippets.

    With ``understand`` (the default; the visitor's 仍然搜索 link turns it off) the county's
    words are understood: pinyin is read as Chinese, synonyms are searched too, and a near-miss
    query is put right (您是不是要找), its results shown in place of the miss's."""
    from govhub.portal import search_words as words

    started = _time.perf_counter()
    filters = filters or Filters()
    query, terms, notes = clean_query(raw_query)
    result = Result(query=query, terms=terms, messages=notes, page=max(1, page))
    if understand and terms:
        chinese = words.from_pinyin(query)
        if chinese:
            result.pinyin = query
            result.query, result.terms, _ = clean_query(chinese)
    _run_into(result, filters, expand=understand)
    if understand and result.terms and result.page == 1:
        fixed = words.suggest(result.query, by_shape=result.total == 0)
        if fixed:
            corrected = Result(query=fixed, messages=result.messages, page=result.page)
            corrected.terms = clean_query(fixed)[1]
            corrected.pinyin, corrected.suggestion = result.pinyin, fixed
            corrected.original = result.query
            _run_into(corrected, filters, expand=True)
            if corrected.total:
                result = corrected
    if not result.terms:
        if result.query:
            result.messages.append("搜索词中没有可检索的文字，请输入中文词语、数字或字母。")
        return result
    result.elapsed_ms = (_time.perf_counter() - started) * 1000
    return result


def _run_into(result: Result, filters: Filters, *, expand: bool) -> None:
    """Search ``result.terms`` (and, with ``expand``, their synonyms); fill the hits in."""
    from govhub.portal import search_words as words

    terms = result.terms
    if not terms:
        return
    result.synonyms = words.synonyms_of([*terms, result.query]) if expand else []
    for word in result.synonyms:
        terms = terms + [t for t in clean_query(word)[1] if t not in terms]
    terms = terms[: MAX_TERMS + 8]
    ids_scores, total, result.more = _run(terms, filters, PER_PAGE, (result.page - 1) * PER_PAGE)
    result.total = total
    result.pages = min(MAX_PAGE, -(-total // PER_PAGE))
    entries = (
        SearchEntry.objects.select_related("department")
        .defer("title_terms", "body_terms")
        .in_bulk([i for i, _ in ids_scores])
    )
    result.hits = []
    for entry_id, score in ids_scores:
        e = entries.get(entry_id)
        if e is not None:
            result.hits.append(
                Hit(e, score, highlight(e.title, terms), highlight(snippet(e.text, terms), terms))
            )


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


def _run(terms: list[str], filters: Filters, limit: int, offset: int) -> tuple[list, int, bool]:
    """(page of (entry id, score), number of matches, whether there are more than that)."""
    where, params = _filter_sql(filters)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            return _run_pg(cur, terms, where, params, limit, offset)
        return _run_sqlite(cur, terms, where, params, limit, offset)


def _fts_or(terms: list[str]) -> str:
    return " OR ".join(f'"{t}"' for t in terms)


def _fts_and(terms: list[str]) -> str:
    return " AND ".join(f'"{t}"' for t in terms)


def _run_sqlite(cur, terms, where, params, limit, offset) -> tuple[list, int, bool]:
    # bm25() is computed inside FTS5 from its doclists (no content read). Only the candidate
    # set is ranked: every match when there are fewer than CANDIDATES, else the newest
    # CANDIDATES matching all words plus the newest CANDIDATES matching any word.
    join = " JOIN portal_searchentry e ON e.id = f.rowid" if where else ""
    count_sql = (
        f"SELECT count(*) FROM (SELECT 1 FROM portal_search_fts f{join} "
        f"WHERE portal_search_fts MATCH %s{where} LIMIT {COUNT_CAP})"
    )
    cur.execute(count_sql, [_fts_or(terms), *params])
    total = cur.fetchone()[0]
    if total == 0:
        return [], 0, False

    def branch(match: str) -> tuple[str, list]:
        return (
            f"SELECT * FROM (SELECT f.rowid AS id, bm25(portal_search_fts, 6.0, 1.0) AS score "
            f"FROM portal_search_fts f{join} WHERE portal_search_fts MATCH %s{where} "
            f"ORDER BY f.rowid DESC LIMIT {CANDIDATES})",
            [match, *params],
        )

    parts = [branch(_fts_or(terms))]
    if total >= COUNT_CAP and len(terms) > 1:
        parts.insert(0, branch(_fts_and(terms)))
    sql = " UNION ".join(p for p, _ in parts)
    cur.execute(
        f"SELECT id, score FROM ({sql}) ORDER BY score ASC, id DESC LIMIT %s OFFSET %s",
        [*(x for _, ps in parts for x in ps), limit, offset],
    )
    more = total >= COUNT_CAP
    return [(r[0], -float(r[1])) for r in cur.fetchall()], min(total, COUNT_CAP - 1), more


_TSQ = "(SELECT plainto_tsquery('simple', %s))"


def _run_pg(cur, terms, where, params, limit, offset) -> tuple[list, int, bool]:
    n, df, estimated = _pg_df(cur, terms)
    weights = {t: math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5)) for t in terms}
    # Candidates come from the words that are not in most documents (a word in a tenth of a
    # large index says little and its posting list is the costly part); every query word still
    # counts in the score.
    pick = [t for t in terms if not estimated or df[t] <= COMMON_SHARE * n] or [
        min(terms, key=df.get)
    ]
    # (SELECT …) makes each tsquery an InitPlan, parsed once per statement, not once per row
    tsq = " || ".join([_TSQ] * len(terms))
    # ts_rank_cd knows no document frequency: weight each word by its IDF so that a rare word
    # (低保) outranks common ones (申请, 条件), as bm25 does on SQLite. A word found in the
    # title counts 3×; ts_rank_cd of the whole query breaks ties. Scored only for the
    # candidates, with the filters in the same statement.
    score = " + ".join(
        [
            f"%s * (CASE WHEN e.search_vector @@ {_TSQ} THEN "
            "CASE WHEN position(%s in ' ' || e.title_terms || ' ') > 0 THEN 3 ELSE 1 END "
            "ELSE 0 END)"
        ]
        * len(terms)
    )
    score_params = [x for t in terms for x in (weights[t], t, f" {t} ")]

    def branch(joiner: str) -> tuple[str, list]:
        # the plain call here lets the planner estimate the match count from the statistics
        q = f" {joiner} ".join(["plainto_tsquery('simple', %s)"] * len(pick))
        return (
            f"SELECT e.id, e.date, ({score} + 0.5 * ts_rank_cd(e.search_vector, ({tsq}))) "
            f"AS score FROM portal_searchentry e WHERE e.search_vector @@ ({q}){where} "
            f"LIMIT {CANDIDATES}",
            [*score_params, *terms, *pick, *params],
        )

    any_sql, any_params = branch("||")
    sql = f"WITH o AS MATERIALIZED ({any_sql})"
    union = "SELECT * FROM o"
    all_params: list = []
    if len(pick) > 1:
        all_sql, all_params = branch("&&")
        sql += f", a AS MATERIALIZED ({all_sql})"
        union += " UNION SELECT * FROM a"
    cur.execute(
        f"{sql} SELECT id, score, (SELECT count(*) FROM o) FROM ({union}) u "
        "ORDER BY score DESC, date DESC LIMIT %s OFFSET %s",
        [*any_params, *all_params, limit, offset],
    )
    fetched = cur.fetchall()
    if fetched:
        total = fetched[0][2]
    else:
        cur.execute(f"SELECT count(*) FROM ({any_sql}) o", any_params)
        total = cur.fetchone()[0]
    more = total >= CANDIDATES or len(pick) < len(terms)
    if more and estimated and not where:
        # "about N": the planner statistics' estimate of documents with any query word
        miss = 1.0
        for t in terms:
            miss *= 1 - min(1.0, df[t] / max(n, 1))
        total, more = max(total, int(n * (1 - miss))), False
    return [(r[0], float(r[1])) for r in fetched], total, more


_STATS: dict = {"at": -1e9}


def _pg_df(cur, terms: list[str]) -> tuple[float, dict[str, float], bool]:
    """(documents, document frequency of each query word, whether estimated). On a large index
    the frequencies come from PostgreSQL's own statistics of the tsvector column (its most
    common lexemes and their frequencies, kept by ANALYZE/autovacuum; a word not among them is
    rarer than the rarest listed): nothing is counted at query time. On a small or never
    analysed index they are counted (cheap there) and cached for ten minutes."""
    from django.core.cache import cache

    now = _time.monotonic()
    if now - _STATS["at"] > 300:
        cur.execute(
            "SELECT c.reltuples, s.most_common_elems::text::text[], s.most_common_elem_freqs "
            "FROM pg_class c LEFT JOIN pg_stats s ON s.tablename = c.relname "
            "AND s.attname = 'search_vector' AND s.schemaname = current_schema() "
            "WHERE c.relname = 'portal_searchentry' AND c.relkind = 'r'"
        )
        n, elems, freqs = cur.fetchone() or (0, None, None)
        _STATS.update(at=now, n=max(0.0, float(n or 0)), freqs=None)
        if elems and freqs and _STATS["n"] >= STATS_MIN_ROWS:
            _STATS["freqs"] = dict(zip(elems, freqs[: len(elems)], strict=True))
            _STATS["floor"] = freqs[-3]  # the lowest frequency tracked
    if _STATS["freqs"] is not None:
        n = _STATS["n"]
        return n, {t: _STATS["freqs"].get(t, _STATS["floor"] / 2) * n for t in terms}, True
    keys = {
        t: "portal:df:" + hashlib.sha1(t.encode(), usedforsecurity=False).hexdigest() for t in terms
    }
    cached = cache.get_many([*keys.values(), "portal:df:__n__"])
    n = cached.get("portal:df:__n__")
    if n is None:
        cur.execute("SELECT count(*) FROM portal_searchentry")
        n = cur.fetchone()[0] or 1
        cache.set("portal:df:__n__", n, 600)
    df = {}
    for t in terms:
        df[t] = cached.get(keys[t])
        if df[t] is None:
            cur.execute(
                "SELECT count(*) FROM portal_searchentry WHERE search_vector @@ "
                "plainto_tsquery('simple', %s)",
                [t],
            )
            df[t] = cur.fetchone()[0]
            cache.set(keys[t], df[t], 600)
    return float(n), df, False


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

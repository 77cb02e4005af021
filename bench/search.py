"""Portal search at scale: MRR of the regression query set and p50/p95 latency over generated
corpora of 10k and 1M articles, on SQLite (FTS5) or PostgreSQL (tsvector + GIN).

    .venv/bin/python bench/search.py --sizes 10000 1000000 \
        --db sqlite:////tmp/govhub-search-bench.sqlite3
    .venv/bin/python bench/search.py --sizes 10000 1000000 \
        --db postgres://postgres@127.0.0.1:5432/gh_search_bench

The bench works in a scratch database of its own (``--db``; created and migrated, dropped at the
end unless ``--keep``) — never the site's. Articles are written from the demo's public-service
templates (govhub/portal/demo_text.py), each with a known topic; a query "hits" when a result
carries its expected topic (the rule of tests/portal/test_search_quality.py).

Loading is fast because it goes straight into the tables the site searches — ``portal_searchentry``
with its GIN index (PostgreSQL) or its external-content FTS5 table (SQLite) — instead of creating
Wagtail pages: rows are COPY'd / bulk-inserted with the indexes (or FTS triggers) dropped and
rebuilt afterwards, and each distinct title or paragraph is segmented once. In the scratch
database SearchEntry's foreign keys (page, department) are dropped (there are no million pages
to point at); search never reads the page table. The corpus grows in place: the 10k corpus is the first
10k rows of the 1M one. Nothing generated is written outside the scratch database.
"""

from __future__ import annotations

import argparse
import importlib
import itertools
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhub.settings")

TOWNS = ["城关镇", "东关镇", "西河镇", "南岭镇", "北山乡", "柳林镇"]
KINDS = ["news", "guide", "policy"]
DOC_TYPE = {"news": "news", "guide": "guide", "policy": "policy"}


def topic_keys() -> list[str]:
    from govhub.portal import demo_text as T

    return list(T.TOPICS)


def generate(start: int, stop: int, seed: int = 7):
    """Rows start+1 … stop: (id, topic, kind, title, paragraphs, day offset). Row i depends on
    i only, so a corpus can be extended in place."""
    from govhub.portal import demo_text as T

    keys = topic_keys()
    for i in range(start + 1, stop + 1):
        rng = random.Random(seed * 1_000_003 + i)
        key = keys[i % len(keys)]
        topic = T.TOPICS[key]
        kind = rng.choice(KINDS)
        v = {
            "year": rng.choice([2024, 2025, 2026]),
            "prev": 2018,
            "next_year": 2019,
            "month": rng.randint(1, 12),
            "day": rng.randint(1, 28),
            "town": rng.choice(TOWNS),
            "n": rng.randint(2, 9),
            "dept": "县政府办公室",
            "phone": "0000-6123456",
            **T.figures(rng),
        }
        title = rng.choice(topic[kind]).format(**v)[:255]
        paras = [p.format(**v) for p in rng.sample(topic["paras"], k=min(3, len(topic["paras"])))]
        yield i, key, kind, title, paras, rng.randint(0, 730)


class Segmenter:
    """search_terms with a cache per distinct title / paragraph: the templates repeat, and
    segmenting a million bodies from scratch would take most of the run."""

    def __init__(self) -> None:
        from govhub.core import text as zh

        self.cut = zh.search_terms
        self.cache: dict[str, list[str]] = {}

    def terms(self, *pieces: str) -> str:
        lists = []
        for piece in pieces:
            got = self.cache.get(piece)
            if got is None:
                got = self.cut(piece)
                if len(self.cache) < 2_000_000:
                    self.cache[piece] = got
            lists.append(got)
        return " ".join(dict.fromkeys(itertools.chain.from_iterable(lists)))


COLUMNS = [
    "id",
    "page_id",
    "title",
    "url",
    "text",
    "title_terms",
    "body_terms",
    "path",
    "column_title",
    "date",
    "doc_type",
    "doc_number",
]


def rows(start: int, stop: int, seg: Segmenter, now):
    for i, _key, kind, title, paras, days in generate(start, stop):
        col = i % 4
        yield (
            i,
            i,
            title,
            f"/bench/c{col}/{i}/",
            "".join(paras),
            seg.terms(title),
            seg.terms(*paras),
            f"00010002000{col + 1}" + format(i, "06d"),
            f"栏目{col + 1}",
            now - timedelta(days=days, minutes=i % 1440),
            DOC_TYPE[kind],
            "",
        )


# ------------------------------------------------------------------------- scratch database
def prepare_database(url: str, fresh: bool) -> None:
    """Create (or reuse) the scratch database and point Django at it."""
    parsed = urlparse(url)
    if parsed.scheme.startswith("postgres"):
        import psycopg

        name = parsed.path.lstrip("/")
        admin = parsed._replace(path="/postgres").geturl()
        with psycopg.connect(admin, autocommit=True) as c:
            exists = c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if exists and fresh:
                c.execute(f'DROP DATABASE "{name}"')
                exists = None
            if not exists:
                c.execute(f'CREATE DATABASE "{name}"')
    elif fresh:
        Path(parsed.path).unlink(missing_ok=True)
    os.environ["GOVHUB_DATABASE_URL"] = url


def drop_database(url: str) -> None:
    from django.db import connection

    connection.close()
    parsed = urlparse(url)
    if parsed.scheme.startswith("postgres"):
        import psycopg

        admin = parsed._replace(path="/postgres").geturl()
        with psycopg.connect(admin, autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{parsed.path.lstrip("/")}"')
    else:
        Path(parsed.path).unlink(missing_ok=True)


def current_size() -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT coalesce(max(id), 0) FROM portal_searchentry")
        return cur.fetchone()[0]


def load(start: int, stop: int, batch: int) -> float:
    """Append rows start+1 … stop; rebuild the full-text index; return seconds taken."""
    from django.db import connection
    from django.utils import timezone

    # the FTS5 triggers exactly as migration 0002 creates and drops them (table excluded)
    S = importlib.import_module("govhub.portal.migrations.0002_search_engines")

    started = time.perf_counter()
    seg = Segmenter()
    now = timezone.now()
    cols = ", ".join(COLUMNS)
    if connection.vendor == "postgresql":
        raw = connection.connection  # psycopg 3 connection under Django's wrapper
        with raw.cursor() as cur:
            for (name,) in cur.execute(
                "SELECT conname FROM pg_constraint WHERE conrelid = 'portal_searchentry'::regclass"
                " AND contype = 'f'"
            ).fetchall():
                cur.execute(f'ALTER TABLE portal_searchentry DROP CONSTRAINT "{name}"')
            cur.execute("SET maintenance_work_mem = '1GB'")
            # every secondary index is dropped for the COPY and rebuilt after it
            indexes = cur.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = "
                "'portal_searchentry' AND indexname NOT IN (SELECT conname FROM pg_constraint "
                "WHERE conrelid = 'portal_searchentry'::regclass)"
            ).fetchall()
            for name, _ in indexes:
                cur.execute(f'DROP INDEX "{name}"')
            with cur.copy(f"COPY portal_searchentry ({cols}) FROM STDIN") as copy:
                for n, row in enumerate(rows(start, stop, seg, now), start + 1):
                    copy.write_row(row)
                    if n % 100_000 == 0:
                        print(f"  {n} rows {time.perf_counter() - started:.0f}s", flush=True)
            print(f"  copied, indexing {time.perf_counter() - started:.0f}s", flush=True)
            for _, sql in indexes:
                cur.execute(sql)
            cur.execute(
                "SELECT setval(pg_get_serial_sequence('portal_searchentry','id'), %s)", [stop]
            )
        raw.commit()
        raw.autocommit = True
        with raw.cursor() as cur:
            cur.execute("VACUUM ANALYZE portal_searchentry")
        raw.autocommit = False
    else:
        with connection.cursor() as cur:
            cur.execute("PRAGMA foreign_keys = OFF")
            cur.execute("PRAGMA journal_mode = WAL")
            for sql in S.SQLITE_DOWN[:3]:
                cur.execute(sql)
            marks = ", ".join(["%s"] * len(COLUMNS))
            buf = []
            for n, row in enumerate(rows(start, stop, seg, now), start + 1):
                buf.append(row)
                if len(buf) >= batch:
                    cur.executemany(
                        f"INSERT INTO portal_searchentry ({cols}) VALUES ({marks})", buf
                    )
                    buf.clear()
                if n % 100_000 == 0:
                    print(f"  {n} rows {time.perf_counter() - started:.0f}s", flush=True)
            if buf:
                cur.executemany(f"INSERT INTO portal_searchentry ({cols}) VALUES ({marks})", buf)
            print(f"  inserted, indexing {time.perf_counter() - started:.0f}s", flush=True)
            cur.execute("INSERT INTO portal_search_fts(portal_search_fts) VALUES ('rebuild')")
            cur.execute("INSERT INTO portal_search_fts(portal_search_fts) VALUES ('optimize')")
            for sql in S.SQLITE_UP[1:]:
                cur.execute(sql)
            cur.execute("ANALYZE")
    return time.perf_counter() - started


def measure(size: int, repeat: int) -> dict:
    from django.core.cache import cache

    from govhub.portal import search
    from tests.portal.search_queries import QUERIES

    keys = topic_keys()
    # the generated corpus has the demo's topics only (no hand-written 供热 articles)
    queries = [(q, tag) for q, tag in QUERIES if tag in keys]
    cache.clear()
    search.search("公积金")  # warm the connection and the dictionary
    latencies, rr = [], []
    for rep in range(repeat):
        for query, tag in queries:
            t0 = time.perf_counter()
            result = search.search(query)
            latencies.append((time.perf_counter() - t0) * 1000)
            if rep == 0:
                ranks = [
                    k
                    for k, h in enumerate(result.hits, 1)
                    if keys[h.entry.page_id % len(keys)] == tag
                ]
                rr.append(1 / ranks[0] if ranks else 0.0)
    latencies.sort()
    return {
        "mrr": sum(rr) / len(rr),
        "p50": statistics.median(latencies),
        "p95": latencies[max(0, int(len(latencies) * 0.95) - 1)],
        "queries": len(queries),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000])
    ap.add_argument("--size", type=int, help="one size (same as --sizes N)")
    ap.add_argument(
        "--db",
        default="sqlite:////tmp/govhub-search-bench.sqlite3",
        help="scratch database URL (created, migrated and dropped by the bench)",
    )
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--batch", type=int, default=5000)
    ap.add_argument("--keep", action="store_true", help="keep the scratch database")
    ap.add_argument("--reuse", action="store_true", help="reuse a kept scratch database")
    ap.add_argument("--load-only", action="store_true", help="load, do not measure")
    args = ap.parse_args()
    sizes = sorted([args.size] if args.size else args.sizes)

    prepare_database(args.db, fresh=not args.reuse)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if not args.reuse:
        t0 = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"migrated scratch database in {time.perf_counter() - t0:.0f}s", flush=True)
    out = []
    try:
        for size in sizes:
            have = current_size()
            load_s = 0.0
            if have < size:
                print(f"loading {have + 1}…{size}", flush=True)
                load_s = load(have, size, args.batch)
            elif have > size:
                print(f"scratch database already holds {have} rows; skipping {size}")
                continue
            if args.load_only:
                print(f"loaded {size} in {load_s:.0f}s")
                continue
            fig = measure(size, args.repeat)
            line = (
                f"{connection.vendor:10s} {size:>9,d} articles  load {load_s:6.0f}s  "
                f"MRR {fig['mrr']:.3f}  p50 {fig['p50']:6.1f} ms  p95 {fig['p95']:6.1f} ms"
                f"  ({fig['queries']} queries × {args.repeat})"
            )
            print(line, flush=True)
            out.append(line)
    finally:
        if not args.keep:
            drop_database(args.db)
    print("\n".join(["", *out]))
    print("(shared 2-core machine: latencies are indicative; compare within one run)")
    print("command: .venv/bin/python bench/search.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()

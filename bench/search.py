"""Portal search at scale: MRR of the regression query set and p50/p95 latency over a generated
corpus of N articles (default 10,000; `--size 1000000` for the 1M run).

Articles are written from the demo's public-service templates (govhub/portal/demo_text.py),
each with a known topic; a query "hits" when a result carries its expected topic (the same rule
as tests/portal/test_search_quality.py). Rows are inserted inside a transaction that is rolled
back at the end, so the configured database (SQLite or PostgreSQL, via GOVHUB_DATABASE_URL) is
left as it was. Needs a migrated database (`govhub migrate`).

    .venv/bin/python bench/search.py [--size 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhub.settings")


class Rollback(Exception):
    pass


def int2str(n: int) -> str:
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = alphabet[r] + out
    return out.rjust(4, "0")


def generate(n: int, rng: random.Random):
    from govhub.portal import demo_text as T

    towns = ["城关镇", "东关镇", "西河镇", "南岭镇", "北山乡", "柳林镇"]
    keys = list(T.TOPICS)
    for i in range(n):
        key = keys[i % len(keys)]
        topic = T.TOPICS[key]
        kind = rng.choice(["news", "guide", "policy"])
        v = {
            "year": rng.choice([2024, 2025, 2026]),
            "prev": 2018,
            "next_year": 2019,
            "month": rng.randint(1, 12),
            "day": rng.randint(1, 28),
            "town": rng.choice(towns),
            "n": rng.randint(2, 9),
            "amount": rng.choice([800, 1500, 3000, 12000]),
            "pct": rng.choice([70, 85, 92, 98]),
            "dept": "县政府办公室",
            "phone": "0000-6123456",
        }
        title = rng.choice(topic[kind]).format(**v)
        paras = rng.sample(topic["paras"], k=min(3, len(topic["paras"])))
        yield key, title, "".join(p.format(**v) for p in paras)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--batch", type=int, default=2000)
    args = ap.parse_args()

    import django

    django.setup()
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.utils import timezone
    from wagtail.models import Locale, Page

    from govhub.core import text as zh
    from govhub.portal import search
    from govhub.portal.models import SearchEntry
    from tests.portal.search_queries import QUERIES

    rng = random.Random(7)
    now = timezone.now()
    figures = {}
    try:
        with transaction.atomic():
            SearchEntry.objects.all().delete()
            root = Page.get_first_root_node()
            parent = root.add_child(
                instance=Page(title="bench", slug=f"bench-{rng.randint(0, 10**9)}")
            )
            ctype = ContentType.objects.get_for_model(Page)
            locale = Locale.get_default()
            topic_of: dict[int, str] = {}
            started = time.perf_counter()
            batch_pages, batch_rows = [], []

            def flush() -> None:
                created = Page.objects.bulk_create(batch_pages)
                if created and created[0].pk is None:  # SQLite before RETURNING support
                    ids = dict(
                        Page.objects.filter(path__in=[p.path for p in created]).values_list(
                            "path", "pk"
                        )
                    )
                    for p in created:
                        p.pk = ids[p.path]
                entries = []
                for p, (key, title, body) in zip(created, batch_rows, strict=True):
                    topic_of[p.pk] = key
                    entries.append(
                        SearchEntry(
                            page_id=p.pk,
                            title=title,
                            url=f"/bench/{p.slug}/",
                            text=body,
                            title_terms=" ".join(zh.search_terms(title)),
                            body_terms=" ".join(zh.search_terms(body)),
                            path=p.path,
                            column_title="bench",
                            date=now,
                            doc_type="news",
                        )
                    )
                SearchEntry.objects.bulk_create(entries)
                batch_pages.clear()
                batch_rows.clear()

            for i, row in enumerate(generate(args.size, rng), 1):
                batch_pages.append(
                    Page(
                        title=row[1][:255],
                        slug=f"b{i}",
                        path=parent.path + int2str(i),
                        depth=parent.depth + 1,
                        numchild=0,
                        url_path=f"{parent.url_path}b{i}/",
                        content_type=ctype,
                        locale=locale,
                        live=True,
                    )
                )
                batch_rows.append(row)
                if len(batch_pages) >= args.batch:
                    flush()
                    if i % 50_000 == 0:
                        print(f"  {i} rows, {time.perf_counter() - started:.0f}s", flush=True)
            if batch_pages:
                flush()
            if connection.vendor == "postgresql":
                with connection.cursor() as cur:
                    cur.execute("ANALYZE portal_searchentry")
            figures["load_s"] = time.perf_counter() - started
            latencies, rr = [], []
            for rep in range(args.repeat):
                for query, tag in QUERIES:
                    t0 = time.perf_counter()
                    result = search.search(query)
                    latencies.append((time.perf_counter() - t0) * 1000)
                    if rep == 0:
                        ranks = [
                            k
                            for k, h in enumerate(result.hits, 1)
                            if topic_of.get(h.entry.page_id) == tag
                        ]
                        rr.append(1 / ranks[0] if ranks else 0.0)
            figures["mrr"] = sum(rr) / len(rr)
            latencies.sort()
            figures["p50"] = statistics.median(latencies)
            figures["p95"] = latencies[int(len(latencies) * 0.95) - 1]
            raise Rollback
    except Rollback:
        pass
    print(
        f"search on {connection.vendor}, {args.size} articles, {len(QUERIES)} queries × {args.repeat}"
    )
    print(f"  load+segment {figures['load_s']:.1f}s")
    print(f"  MRR {figures['mrr']:.3f}   p50 {figures['p50']:.1f} ms   p95 {figures['p95']:.1f} ms")
    print("command: .venv/bin/python bench/search.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()

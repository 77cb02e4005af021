"""Search regression MRR over the demo portal, before and after the county's words (synonyms,
您是不是要找, pinyin) are understood: ``search(q, understand=False)`` is the engine as it was.

    .venv/bin/python bench/search_words.py            # builds the demo portal in a scratch DB
    .venv/bin/python bench/search_words.py --verbose  # one line per query of WORDS_QUERIES

Works in a scratch SQLite database of its own (created, migrated, dropped at the end).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def mrr(queries, tags, understand: bool) -> tuple[float, list[tuple[str, int, str]]]:
    from govhub.portal import search

    rows, rr = [], []
    for query, tag in queries:
        result = search.search(query, understand=understand)
        ranks = [i for i, h in enumerate(result.hits, 1) if tag in tags.get(h.entry.page_id, ())]
        rr.append(1 / ranks[0] if ranks else 0.0)
        rows.append(
            (query, ranks[0] if ranks else 0, result.hits[0].entry.title if result.hits else "")
        )
    return sum(rr) / len(rr), rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="govhub-words-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="govhub.settings",
        GOVHUB_MODE="test",
        GOVHUB_DATABASE_URL=f"sqlite:///{scratch / 'bench.sqlite3'}",
        GOVHUB_VAR_DIR=str(scratch),
    )
    import django

    django.setup()
    from django.core.management import call_command

    from govhub.core.demo import build_core
    from govhub.portal import demo
    from govhub.portal.models import ArticlePage
    from tests.portal.search_queries import QUERIES, WORDS_QUERIES

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    demo.build(build_core(), publish_files=False)
    print(f"demo portal built in {time.perf_counter() - t0:.0f}s", flush=True)
    tags = {
        p.pk: set(p.tags.names()) for p in ArticlePage.objects.prefetch_related("tagged_items__tag")
    }
    base = [q for q in QUERIES if q not in WORDS_QUERIES]
    lines = []
    for label, queries in (
        (f"original set ({len(base)} queries)", base),
        (f"county's words ({len(WORDS_QUERIES)} queries)", WORDS_QUERIES),
        (f"whole set ({len(QUERIES)} queries)", QUERIES),
    ):
        before, rows_b = mrr(queries, tags, understand=False)
        after, rows_a = mrr(queries, tags, understand=True)
        lines.append(f"{label:<34} MRR before {before:.3f}  after {after:.3f}")
        if args.verbose and queries is WORDS_QUERIES:
            for (q, rb, _), (_, ra, title) in zip(rows_b, rows_a, strict=True):
                print(f"  {q:<16} rank before {rb or '-':>2}  after {ra or '-':>2}  {title[:30]}")
    print("\n".join(lines))
    print("command: .venv/bin/python bench/search_words.py " + " ".join(sys.argv[1:]))
    import shutil

    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()

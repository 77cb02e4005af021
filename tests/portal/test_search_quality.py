"""Search ranking regression over the demo content: a drop fails the suite."""

from __future__ import annotations

import pytest

from govhub.portal import demo, search
from govhub.portal.models import ArticlePage
from tests.portal.search_queries import QUERIES

pytestmark = pytest.mark.django_db


def test_query_set_finds_the_expected_articles_first(county, published_root):
    demo.build(county, publish_files=False)
    assert ArticlePage.objects.live().count() >= 350
    tags = {
        p.pk: set(p.tags.names()) for p in ArticlePage.objects.prefetch_related("tagged_items__tag")
    }
    misses, rr = [], []
    for query, tag in QUERIES:
        result = search.search(query)
        ranks = [i for i, h in enumerate(result.hits, 1) if tag in tags[h.entry.page_id]]
        rr.append(1 / ranks[0] if ranks else 0.0)
        if not ranks or ranks[0] > 3:
            misses.append((query, tag, [h.entry.title for h in result.hits[:3]]))
    mrr = sum(rr) / len(rr)
    assert len(QUERIES) >= 50
    assert not misses, misses
    assert mrr >= 0.9, mrr

"""Other apps' content found by the portal's site search beside its articles (办事指南 …).

Here, low in the graph, so that the portal reads it and services registers with it without
either importing the other."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class SectionHit:
    title: str
    url: str
    text: str = ""


_SECTIONS: list[tuple[str, str, object]] = []


def register_section(label: str, more_url: str, find) -> None:
    """Another app's content shown beside the articles (办事指南 …): ``find(query, limit)``
    returns SectionHits best first; ``more_url`` is followed by the query to list them all.
    Apps register in ``ready()``, so the portal never imports them."""
    _SECTIONS.append((label, more_url, find))


def sections_for(query: str, limit: int = 3) -> list[dict]:
    """The registered sections that found something for ``query``."""
    from urllib.parse import quote

    out = []
    for label, more_url, find in _SECTIONS:
        hits = list(find(query, limit))
        if hits:
            out.append({"label": label, "hits": hits, "more": more_url + quote(query)})
    return out

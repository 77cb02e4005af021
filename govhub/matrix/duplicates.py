"""Duplicates across accounts (重复内容): which posts near-duplicate an earlier post of another
account, the clusters they form and who published first — the "80 % repeated" of seed 002,
measured. Runs nightly over a rolling window of posts (default 60 days) so that the arrays stay
in memory at province scale."""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from govhub.matrix import dedup
from govhub.matrix.models import DuplicateLink, Post

WINDOW_DAYS = 60
LINK_BUCKET_CAP = 32


def link_duplicates(
    post_ids: np.ndarray,
    accounts: np.ndarray,
    times: np.ndarray,
    texts: list[str],
    threshold: float = dedup.THRESHOLD,
) -> list[tuple[int, int, float, int]]:
    """(post, original, similarity, cluster) for each post that repeats an earlier post of
    another account. Pure function over arrays; the Spark job calls it per partition.
    Only clusters matter here, so a big LSH bucket (one text re-posted by hundreds of accounts)
    is linked as a star and a chain rather than all its pairs; the similarity of each post to
    its original is then measured exactly, all pairs at once."""
    res = dedup.near_duplicates(texts, threshold, bucket_cap=LINK_BUCKET_CAP)
    orig = dedup.originals(res.cluster, accounts, times)
    k = np.flatnonzero(orig >= 0)
    if not len(k):
        return []
    o = orig[k]
    sim = res.sets.jaccard(k, o)
    return list(
        zip(
            post_ids[k].tolist(),
            post_ids[o].tolist(),
            np.round(sim, 3).tolist(),
            res.cluster[k].tolist(),
            strict=True,
        )
    )


def run_duplicates(today: dt.date | None = None, window_days: int = WINDOW_DAYS) -> dict:
    """Recompute duplicate links for the posts of the window (idempotent)."""
    today = today or timezone.localdate()
    since = timezone.make_aware(
        dt.datetime.combine(today - dt.timedelta(days=window_days), dt.time())
    )
    rows = list(
        Post.objects.filter(published_at__gte=since)
        .order_by("published_at", "id")
        .values_list("id", "account_id", "published_at", "title", "text")
    )
    if not rows:
        DuplicateLink.objects.filter(post__published_at__gte=since).delete()
        return {"posts": 0, "duplicates": 0}
    ids = np.array([r[0] for r in rows], np.int64)
    accs = np.array([r[1] for r in rows], np.int64)
    times = np.array([r[2].timestamp() for r in rows])
    texts = [f"{r[3]}{r[4]}" for r in rows]
    links = link_duplicates(ids, accs, times, texts)
    with transaction.atomic():
        DuplicateLink.objects.filter(post__published_at__gte=since).delete()
        DuplicateLink.objects.bulk_create(
            [
                DuplicateLink(post_id=p, original_id=o, similarity=s, cluster=c)
                for p, o, s, c in links
            ],
            batch_size=2000,
        )
    return {"posts": len(rows), "duplicates": len(links)}


def duplicate_shares(accounts_qs, since: dt.datetime) -> list[dict]:
    """Per account: posts in the period, how many repeat another account's earlier post, share."""
    rows = (
        Post.objects.filter(account__in=accounts_qs, published_at__gte=since)
        .values("account_id", "account__name", "account__platform")
        .annotate(total=Count("id"), dup=Count("id", filter=Q(duplicate_of__isnull=False)))
        .order_by("-dup")
    )
    return [{**r, "share": round(r["dup"] / r["total"], 3) if r["total"] else 0.0} for r in rows]


def clusters(accounts_qs, since: dt.datetime, limit: int = 30) -> list[dict]:
    """The largest duplicate clusters: the original (first published) and the copies."""
    links = (
        DuplicateLink.objects.filter(post__account__in=accounts_qs, post__published_at__gte=since)
        .select_related("post__account", "original__account")
        .order_by("cluster", "post__published_at")
    )
    groups: dict[int, dict] = {}
    for link in links:
        g = groups.setdefault(link.cluster, {"original": link.original, "copies": []})
        if link.original.published_at < g["original"].published_at:
            g["original"] = link.original
        g["copies"].append(link)
    return sorted(groups.values(), key=lambda g: -len(g["copies"]))[:limit]

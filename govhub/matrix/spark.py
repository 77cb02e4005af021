"""The nightly computations as Apache Spark jobs (PySpark), for a country (~100,000 accounts)
that outgrows one machine. They run the *same* functions as the in-process run: the inspection
rules (govhub.matrix.rules), the index formulas (govhub.matrix.indices) and the MinHash/LSH and
exact-Jaccard code (govhub.matrix.dedup), applied on the executors.

Inputs are plain rows (exported from the database or read from Parquet):
accounts (id, platform, opened_on, has_interaction, closed), posts (id, account_id, local date,
epoch seconds, reads, likes, looks, shares, comments, is_headline, text), messages (account_id,
received local date, answered flag)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import numpy as np


def session(app: str = "govhub-matrix", cores: int = 2):
    """A local Spark session (production passes a cluster master via SPARK_MASTER)."""
    import os

    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master(os.environ.get("SPARK_MASTER", f"local[{cores}]"))
        .appName(app)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", str(max(2, cores * 2)))
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )


ACCOUNT_COLS = ["id", "platform", "opened_on", "has_interaction"]
POST_COLS = [
    "id",
    "account_id",
    "day",
    "ts",
    "reads",
    "likes",
    "looks",
    "shares",
    "comments",
    "is_headline",
    "text",
]
MESSAGE_COLS = ["account_id", "day", "answered"]


def inspection_findings(
    spark, accounts, posts, messages, today: dt.date, silent_days: int, unanswered_days: int
):
    """(account_id, rule, severity, message) for every open account, like run_inspection."""
    from pyspark.sql import functions as F  # noqa: N812

    from govhub.matrix.rules import AccountFacts, account_rules

    acc = spark.createDataFrame(accounts, ACCOUNT_COLS)
    pst = spark.createDataFrame([(p[1], p[2]) for p in posts], ["account_id", "day"])
    msg = spark.createDataFrame(messages, MESSAGE_COLS)
    cutoff = today - dt.timedelta(days=unanswered_days)
    last = pst.groupBy("account_id").agg(F.max("day").alias("last_post"))
    old = (
        msg.filter((~F.col("answered")) & (F.col("day") < F.lit(cutoff)))
        .groupBy("account_id")
        .agg(F.min("day").alias("oldest"), F.count("*").alias("n"))
    )
    joined = acc.join(last, acc.id == last.account_id, "left").drop("account_id")
    joined = joined.join(old, joined.id == old.account_id, "left")
    cfg = SimpleNamespace(silent_days=silent_days, unanswered_days=unanswered_days)

    def rules(row):
        facts = AccountFacts(
            row.id, row.opened_on, row.has_interaction, row.last_post, row.oldest, row.n or 0
        )
        return [(row.id, *r) for r in account_rules(facts, today, cfg)]

    return sorted(joined.rdd.flatMap(rules).collect())


def month_indices(
    spark, accounts, posts, messages_3d, month_start: dt.date, month_end: dt.date, days: int
):
    """{account_id: (index, components)} for the month, like influence.compute_month.
    ``messages_3d``: (account_id, day, answered_within_3_days)."""
    from pyspark.sql import functions as F  # noqa: N812

    from govhub.matrix.indices import MonthTotals, index_of

    df = spark.createDataFrame([p[:10] for p in posts], POST_COLS[:10])
    df = df.filter((F.col("day") >= F.lit(month_start)) & (F.col("day") < F.lit(month_end)))
    h = F.col("is_headline")
    aggs = [F.count("*").alias("n")]
    aggs += [F.sum(c).alias(c) for c in ("reads", "looks", "likes", "shares", "comments")]
    aggs += [F.count(F.when(h, 1)).alias("h_n")]
    aggs += [
        F.sum(F.when(h, F.col(c)).otherwise(0)).alias(f"h_{c}")
        for c in ("reads", "looks", "likes", "shares")
    ]
    aggs += [F.max(c).alias(f"max_{c}") for c in ("reads", "looks", "likes", "shares")]
    totals = df.groupBy("account_id").agg(*aggs)
    msg = spark.createDataFrame(messages_3d, ["account_id", "day", "fast"]).filter(
        (F.col("day") >= F.lit(month_start)) & (F.col("day") < F.lit(month_end))
    )
    m = msg.groupBy("account_id").agg(
        F.count("*").alias("messages"), F.count(F.when(F.col("fast"), 1)).alias("answered_3d")
    )
    totals = totals.join(m, "account_id", "left")
    platform = dict((a[0], a[1]) for a in accounts)
    bplat = spark.sparkContext.broadcast(platform)
    fields = [
        "n",
        "reads",
        "looks",
        "likes",
        "shares",
        "comments",
        "h_n",
        "h_reads",
        "h_looks",
        "h_likes",
        "h_shares",
        "max_reads",
        "max_looks",
        "max_likes",
        "max_shares",
    ]

    def index(row):
        t = MonthTotals(
            days=days,
            **{f: int(row[f] or 0) for f in fields},
            messages=int(row.messages or 0),
            answered_3d=int(row.answered_3d or 0),
        )
        return row.account_id, index_of(bplat.value[row.account_id], t)

    return dict(totals.rdd.map(index).collect())


def duplicate_links(
    spark,
    posts,
    threshold: float | None = None,
    num_perm: int | None = None,
    bands: int | None = None,
):
    """(post, original, similarity, cluster-representative) like duplicates.link_duplicates:
    signatures per partition, LSH buckets by a shuffle, exact Jaccard of candidates on the
    executors, connected components and "who was first" on the driver (pairs are few)."""
    from govhub.matrix import dedup

    threshold = threshold or dedup.THRESHOLD
    num_perm = num_perm or dedup.NUM_PERM
    bands = bands or dedup.BANDS
    rows = spark.sparkContext.parallelize([(p[0], p[10]) for p in posts], 4)

    def sign(part):
        part = list(part)
        if not part:
            return []
        sig = dedup.signatures([t for _i, t in part], num_perm)
        r = num_perm // bands
        out = []
        for k, (pid, _t) in enumerate(part):
            for b in range(bands):
                out.append(((b, sig[k, b * r : (b + 1) * r].tobytes()), pid))
        return out

    buckets = (
        rows.mapPartitions(sign)
        .groupByKey()
        .mapValues(sorted)
        .values()
        .filter(lambda m: len(m) > 1)
    )

    def pairs(members):
        m = list(members)
        if len(m) <= 400:
            return [(m[i], m[j]) for i in range(len(m)) for j in range(i + 1, len(m))]
        return [(m[0], x) for x in m[1:]] + list(zip(m[:-1], m[1:], strict=True))

    cand = buckets.flatMap(pairs).distinct()
    texts = rows
    with_a = cand.join(texts).map(lambda kv: (kv[1][0], (kv[0], kv[1][1])))
    with_b = with_a.join(texts).map(lambda kv: (kv[1][0][0], kv[0], kv[1][0][1], kv[1][1]))

    def verify(part):
        part = list(part)
        if not part:
            return []
        docs = [t for _a, _b, ta, tb in part for t in (ta, tb)]
        keys, doc, bits = dedup._pack(docs)
        sets = dedup.ShingleSets(keys, doc, bits, len(docs))
        idx = np.arange(len(part))
        sims = sets.jaccard(2 * idx, 2 * idx + 1)
        return [
            (a, b, float(s))
            for (a, b, _ta, _tb), s in zip(part, sims, strict=True)
            if s >= threshold
        ]

    verified = with_b.mapPartitions(verify).collect()
    # clusters and originals on the driver, with the same functions as in-process
    ids = np.array([p[0] for p in posts], np.int64)
    pos = {int(pid): k for k, pid in enumerate(ids)}
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components

    n = len(posts)
    if verified:
        i = np.array([pos[a] for a, _b, _s in verified])
        j = np.array([pos[b] for _a, b, _s in verified])
    else:
        i = j = np.zeros(0, int)
    _, labels = connected_components(
        sparse.coo_matrix((np.ones(len(i)), (i, j)), shape=(n, n)), directed=False
    )
    owners = np.array([p[1] for p in posts], np.int64)
    times = np.array([p[3] for p in posts], float)
    orig = dedup.originals(labels.astype(np.int64), owners, times)
    sim_of = {(min(pos[a], pos[b]), max(pos[a], pos[b])): s for a, b, s in verified}
    out = []
    for k in np.flatnonzero(orig >= 0):
        o = int(orig[k])
        s = sim_of.get((min(k, o), max(k, o)))
        if s is None:  # linked through the cluster: measure directly, as in-process
            pair = [posts[k][10], posts[o][10]]
            sets = dedup.ShingleSets(*dedup._pack(pair), 2)
            s = float(sets.jaccard(np.array([0]), np.array([1]))[0])
        out.append((int(ids[k]), int(ids[o]), round(s, 3)))
    return sorted(out)


def export_rows(since: dt.datetime | None = None):
    """Accounts, posts and messages from the database as the rows the jobs take (the driver of a
    real deployment reads Parquet exports instead)."""
    from django.db.models import F
    from django.utils import timezone

    from govhub.matrix.models import Account, Message, Post

    accounts = [
        (a.pk, a.platform, a.opened_on, a.has_interaction)
        for a in Account.objects.filter(closed_on__isnull=True).exclude(platform="portal")
    ]
    qs = Post.objects.order_by("published_at", "id")
    if since is not None:
        qs = qs.filter(published_at__gte=since)
    posts = [
        (
            p.pk,
            p.account_id,
            timezone.localtime(p.published_at).date(),
            p.published_at.timestamp(),
            p.reads,
            p.likes,
            p.looks,
            p.shares,
            p.comments,
            p.is_headline,
            f"{p.title}{p.text}",
        )
        for p in qs
    ]
    msgs = Message.objects.annotate(limit=F("received_at") + dt.timedelta(days=3))
    messages = [
        (m.account_id, timezone.localtime(m.received_at).date(), m.answered_at is not None)
        for m in msgs
    ]
    fast = [
        (
            m.account_id,
            timezone.localtime(m.received_at).date(),
            m.answered_at is not None and m.answered_at <= m.limit,
        )
        for m in msgs
    ]
    return accounts, posts, messages, fast

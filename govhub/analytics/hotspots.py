"""Hot topics (热点话题) of what citizens wrote in a period: letters (from govhub.letters when it
is installed), and the messages and comments collected by the matrix.

Texts are segmented (rjieba search terms), weighted by TF-IDF and grouped by agglomerative
clustering on cosine distance (scikit-learn) — no number of topics to guess. Each topic gets a
label from its top terms and a heat index:

    heat = volume · (1 + growth⁺) · (1 + ln(1 + support) / 5) · (1 + (towns − 1) / 5)

volume = items in the period, growth = relative change against the previous period of equal
length (items of that period assigned to the nearest topic), support = likes/supports and merged
letters, towns = how many towns the items come from. A topic that was already hot in the
previous period (its top terms overlap) is suggested for a special topic (开设专题)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
from django.db import transaction
from django.utils import timezone

from govhub.core.models import Department
from govhub.core.pii import redact_text
from govhub.core.text import STOPWORDS, segment

MAX_ITEMS = 3000
DISTANCE = 0.85
HOT_HEAT = 8.0


@dataclass
class Item:
    kind: str  # "letter" / "message"
    pk: int
    title: str
    text: str
    at: dt.datetime
    town: str
    support: int = 0


@dataclass
class Topic:
    label: str
    terms: list[str]
    items: list[Item]
    previous: int = 0
    heat: float = 0.0
    growth: float = 0.0
    support: int = 0
    towns: list[str] = field(default_factory=list)
    stays_hot: bool = False

    @property
    def volume(self) -> int:
        return len(self.items)


def _in_region(qs, region: Department | None, field_name: str):
    if region is None:
        return qs
    return qs.filter(**{f"{field_name}__path__startswith": region.path})


def gather_items(
    start: dt.datetime, end: dt.datetime, region: Department | None = None
) -> list[Item]:
    """Letters and messages received in [start, end) within the region."""
    items: list[Item] = []
    try:
        from django.db.models import Count

        from govhub.letters.models import Letter
    except ImportError:
        Letter = None  # noqa: N806
    if Letter is not None:
        qs = Letter.objects.filter(
            received_at__gte=start, received_at__lt=end, merged_into__isnull=True
        )
        if region is not None and region.depth > 1:
            from django.db.models import Q

            qs = qs.filter(
                Q(town__path__startswith=region.path) | Q(department__path__startswith=region.path)
            )
        qs = (
            qs.annotate(merged=Count("merged_letters", distinct=True))
            if hasattr(Letter, "merged_letters")
            else qs
        )
        for lt in qs.select_related("town").order_by("-received_at")[:MAX_ITEMS]:
            items.append(
                Item(
                    "letter",
                    lt.pk,
                    lt.subject_redacted,
                    lt.content_redacted,
                    lt.received_at,
                    lt.town.name if lt.town else "",
                    getattr(lt, "merged", 0),
                )
            )
    from govhub.matrix.models import Message

    mq = _in_region(
        Message.objects.filter(received_at__gte=start, received_at__lt=end),
        region,
        "account__department",
    )
    for m in mq.select_related("town").order_by("-received_at")[: MAX_ITEMS - len(items)]:
        items.append(
            Item("message", m.pk, "", m.text, m.received_at, m.town.name if m.town else "", m.likes)
        )
    return items


def topic_terms(text: str) -> list[str]:
    """Content words with repetitions (a word written twice weighs more), no stopwords."""
    return [
        w for w in segment(text.lower()) if len(w) > 1 and w not in STOPWORDS and not w.isdigit()
    ]


def _cluster(texts: list[str]):
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(
        tokenizer=topic_terms, lowercase=False, token_pattern=None, min_df=1, sublinear_tf=True
    )
    try:
        x = vec.fit_transform(texts)
    except ValueError:  # not one content word in any text ("x", "1234"): no topic
        return None, None, np.arange(len(texts))
    # a text without a content word is a zero vector, which cosine distance cannot place: each
    # such text is a cluster of its own (too small to be a topic)
    worded = np.flatnonzero(x.getnnz(axis=1) > 0)
    labels = np.arange(len(texts)) + len(texts)
    if len(worded) == 1:
        labels[worded] = 0
    elif len(worded) > 1:
        model = AgglomerativeClustering(
            n_clusters=None, metric="cosine", linkage="average", distance_threshold=DISTANCE
        )
        labels[worded] = model.fit_predict(x[worded].toarray())
    return vec, x, labels


def find_topics(
    start: dt.datetime, end: dt.datetime, region: Department | None = None, *, min_size: int = 3
) -> list[Topic]:
    """Topics of the period, hottest first."""
    items = gather_items(start, end, region)
    items = [i for i in items if (i.title + i.text).strip()]
    if len(items) < min_size:
        return []
    texts = [f"{i.title} {i.title} {i.text}" for i in items]
    vec, x, labels = _cluster(texts)
    if vec is None:
        return []
    vocab = np.array(vec.get_feature_names_out())
    topics: list[Topic] = []
    centroids = []
    for lab in np.unique(labels):
        idx = np.flatnonzero(labels == lab)
        if len(idx) < min_size:
            continue
        centroid = np.asarray(x[idx].mean(axis=0)).ravel()
        top = [t for t in vocab[np.argsort(-centroid)[:12]] if len(t) > 1][:5]
        members = [items[i] for i in idx]
        topics.append(
            Topic(
                label="·".join(top[:3]),
                terms=top,
                items=sorted(members, key=lambda i: i.at, reverse=True),
            )
        )
        centroids.append(centroid / (np.linalg.norm(centroid) or 1))
    if not topics:
        return []
    # previous period, assigned to the nearest topic
    span = end - start
    prev = gather_items(start - span, start, region)
    if prev:
        px = vec.transform([f"{i.title} {i.title} {i.text}" for i in prev])
        sims = px @ np.vstack(centroids).T
        best = np.asarray(sims.argmax(axis=1)).ravel()
        ok = (
            np.asarray(
                sims.max(axis=1).toarray() if hasattr(sims, "toarray") else sims.max(axis=1)
            ).ravel()
            >= 0.3
        )
        for b in best[ok]:
            topics[int(b)].previous += 1
    earlier = _previous_snapshots(region, start)
    for t in topics:
        t.support = sum(i.support for i in t.items)
        t.towns = sorted({i.town for i in t.items if i.town})
        t.growth = (t.volume - t.previous) / max(1, t.previous)
        t.heat = round(
            t.volume
            * (1 + max(0.0, t.growth))
            * (1 + math.log1p(t.support) / 5)
            * (1 + max(0, len(t.towns) - 1) / 5),
            1,
        )
        t.stays_hot = t.heat >= HOT_HEAT and any(
            len(set(t.terms[:5]) & set(terms)) >= 2 for terms in earlier
        )
    return sorted(topics, key=lambda t: -t.heat)


def _previous_snapshots(region: Department | None, start: dt.datetime) -> list[list[str]]:
    from govhub.analytics.models import TopicSnapshot

    if region is None:
        return []
    day = timezone.localtime(start).date()
    qs = TopicSnapshot.objects.filter(
        region=region,
        period_end__lte=day,
        period_end__gt=day - dt.timedelta(days=40),
        heat__gte=HOT_HEAT,
    )
    return [s.terms for s in qs]


def save_snapshots(
    region: Department, start: dt.datetime, end: dt.datetime, topics: list[Topic]
) -> int:
    """Keep this period's topics so that the next period can tell which stayed hot."""
    from govhub.analytics.models import TopicSnapshot

    s, e = timezone.localtime(start).date(), timezone.localtime(end).date()
    with transaction.atomic():
        TopicSnapshot.objects.filter(region=region, period_start=s, period_end=e).delete()
        TopicSnapshot.objects.bulk_create(
            [
                TopicSnapshot(
                    region=region,
                    period_start=s,
                    period_end=e,
                    label=t.label[:100],
                    terms=t.terms,
                    heat=t.heat,
                    size=t.volume,
                )
                for t in topics[:30]
            ]
        )
    return min(30, len(topics))


def excerpt(item: Item, n: int = 80) -> str:
    """A redacted excerpt for display (no phone or ID numbers)."""
    text = (item.title + "：" if item.title else "") + item.text
    return redact_text(text[:n]) + ("…" if len(text) > n else "")

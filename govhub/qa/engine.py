"""The answers engine: keyword rules first, then the knowledge base, then "no answer".

Shared by the WeChat callback, the portal chat widget, the /qa/ page and ``/api/qa/ask``.
The rule list and the retrieval index are built once per process and rebuilt when the
knowledge-base version (a counter in Django's cache, bumped by every change in
``govhub.qa.actions``) moves, so every worker sees an edit at its next question.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import time
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import F, Q
from django.utils import timezone

from govhub.core.pii import redact_text
from govhub.core.text import normalise
from govhub.core.upsert import insert_on_conflict
from govhub.qa.models import KeywordRule, KnowledgeEntry, MatchType, ReplyType, UnansweredQuestion
from govhub.qa.retrieval import Index, default_scorer

VERSION_KEY = "govhub:qa:version"
MAX_QUESTION = 500


@dataclass
class Answer:
    kind: str  # "rule", "kb" or "none"
    text: str = ""
    title: str = ""
    url: str = ""
    image: str = ""
    news: bool = False
    entry_id: int | None = None
    rule_id: int | None = None
    confidence: float = 0.0
    department: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)
    suggestions: list[dict] = field(default_factory=list)

    @property
    def answered(self) -> bool:
        return self.kind != "none"

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "answered": self.answered,
            "text": self.text,
            "title": self.title,
            "url": self.url,
            "entry_id": self.entry_id,
            "confidence": round(self.confidence, 3),
            "department": self.department,
            "links": [{"title": t, "url": u} for t, u in self.links],
            "suggestions": self.suggestions,
        }


@dataclass
class _Rule:
    id: int
    account_id: int | None
    match: str
    keywords: list[str]
    patterns: list[re.Pattern]
    starts_at: object
    ends_at: object
    reply_type: str
    text: str
    title: str
    description: str
    url: str
    image: str


@dataclass
class _Entry:
    id: int
    question: str
    answer: str
    department: str
    links: list[tuple[str, str]]


class _State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.version: object = None
        self.rules: list[_Rule] = []
        self.entries: dict[int, _Entry] = {}
        self.index: Index | None = None
        self.exact: dict[str, int | None] = {}


_state = _State()

_NOT_WORDS = re.compile(r"[\W_]+")


def exact_key(text: str) -> str:
    """A question as staff wrote it, minus case, width, 繁/简, spaces and punctuation."""
    return _NOT_WORDS.sub("", normalise(text).lower())


VERSION_READ_EVERY = 1.0  # seconds: how long another worker's edit may take to show here
_seen: list = [None, 0.0]  # the version last read from the shared cache, and when


def bump_version() -> None:
    """Tell every process that rules or the knowledge base changed (this one at once, the
    others within ``VERSION_READ_EVERY``)."""
    v = time.time_ns()
    cache.set(VERSION_KEY, v, None)
    _seen[:] = [v, time.monotonic()]


def forget_seen_version() -> None:
    """Read the version from the shared cache at the next question (tests that clear it)."""
    _seen[:] = [None, 0.0]


def current_version() -> object:
    """The engine's version, read from the shared cache at most once a ``VERSION_READ_EVERY``:
    the WeChat callback asks for it with every message (a Redis round trip in production)."""
    v, at = _seen
    now = time.monotonic()
    if v is not None and now - at < VERSION_READ_EVERY:
        return v
    v = cache.get(VERSION_KEY)
    if v is None:
        v = time.time_ns()
        cache.add(VERSION_KEY, v, None)
        v = cache.get(VERSION_KEY, v)
    _seen[:] = [v, now]
    return v


def is_ready() -> bool:
    """Is the index of this process built and current (so an answer takes milliseconds)?"""
    return _state.index is not None and _state.version == current_version()


def _load() -> None:
    version = current_version()
    if _state.index is not None and version == _state.version:
        return
    with _state.lock:
        if _state.index is not None and version == _state.version:
            return
        rules = []
        for r in KeywordRule.objects.filter(enabled=True).order_by("-priority", "id"):
            kws = [normalise(k).lower() for k in r.keyword_list()]
            pats = []
            if r.match_type == MatchType.REGEX:
                for k in r.keyword_list():
                    try:
                        pats.append(re.compile(k))
                    except re.error:
                        continue
            rules.append(
                _Rule(
                    r.id,
                    r.account_id,
                    r.match_type,
                    kws,
                    pats,
                    r.starts_at,
                    r.ends_at,
                    r.reply_type,
                    r.reply_text,
                    r.news_title,
                    r.news_description,
                    r.news_url,
                    r.news_image,
                )
            )
        entries: dict[int, _Entry] = {}
        docs = []
        exact: dict[str, int | None] = {}
        for e in KnowledgeEntry.objects.filter(enabled=True).select_related("department"):
            entries[e.id] = _Entry(
                e.id,
                e.question,
                e.answer,
                e.department.name if e.department_id else "",
                e.link_list(),
            )
            docs.append((e.id, e.question))
            docs += [(e.id, v) for v in e.variant_list()]
            for q in [e.question, *e.variant_list()]:
                k = exact_key(q)
                if k:  # the same wording under two entries is ambiguous: leave it to ranking
                    exact[k] = e.id if exact.get(k, e.id) == e.id else None
        index = Index(docs, scorer=default_scorer())
        _state.rules, _state.entries, _state.index, _state.version = rules, entries, index, version
        _state.exact = exact


def warm_up() -> None:
    """Build the index now (server start, or before a benchmark)."""
    _load()


def match_rule(text: str, account_id: int | None = None) -> _Rule | None:
    _load()
    norm = normalise(text).lower()
    now = timezone.now()
    for r in _state.rules:
        if r.account_id is not None and r.account_id != account_id:
            continue
        if (r.starts_at and now < r.starts_at) or (r.ends_at and now > r.ends_at):
            continue
        if r.match == MatchType.EXACT:
            hit = norm in r.keywords
        elif r.match == MatchType.CONTAINS:
            hit = any(k and k in norm for k in r.keywords)
        else:
            hit = any(p.search(text) or p.search(norm) for p in r.patterns)
        if hit:
            return r
    return None


DEFAULT_THRESHOLD = 0.5


def threshold() -> float:
    """Confidence an answer needs. With the default reranker 0.5 answers 73% of the demo
    paraphrases right (top-1 97%) and none of the must-not-answer questions; the tree models of
    ``data/reranker_trees.json`` (GOVHUB_QA_RERANKER) need the threshold stored with them.
    Set GOVHUB_QA_THRESHOLD to change it."""
    raw = os.environ.get("GOVHUB_QA_THRESHOLD", "")
    try:
        return float(raw) if raw else DEFAULT_THRESHOLD
    except ValueError:
        return DEFAULT_THRESHOLD


def answer(
    text: str, *, account_id: int | None = None, channel: str = "web", record: bool = True
) -> Answer:
    """Answer a citizen's question; records hits and unanswered questions."""
    text = (text or "").strip()[:MAX_QUESTION]
    if not text:
        return Answer("none")
    rule = match_rule(text, account_id)
    if rule is not None:
        if record:
            KeywordRule.objects.filter(pk=rule.id).update(hits=F("hits") + 1)
        if rule.reply_type == ReplyType.NEWS and rule.title:
            return Answer(
                "rule",
                text=rule.description or rule.text,
                title=rule.title,
                url=rule.url,
                image=rule.image,
                news=True,
                rule_id=rule.id,
                confidence=1.0,
            )
        return Answer("rule", text=rule.text, rule_id=rule.id, confidence=1.0)
    index = _state.index
    cands = index.search(text, k=10) if index is not None else []
    suggestions = [
        {"entry_id": c.entry_id, "question": _state.entries[c.entry_id].question}
        for c in cands[:3]
        if c.entry_id in _state.entries
    ]
    # a question asked exactly as an entry (or one of its variants) is worded is that entry,
    # however close its neighbours ("…怎么办理" / "…需要什么材料") make the ranking margin
    exact_id = _state.exact.get(exact_key(text))
    if exact_id is not None and exact_id in _state.entries:
        confident_id, confidence = exact_id, 1.0
    elif cands and cands[0].confidence >= threshold() and cands[0].entry_id in _state.entries:
        confident_id, confidence = cands[0].entry_id, cands[0].confidence
    else:
        confident_id, confidence = None, 0.0
    if confident_id is not None:
        e = _state.entries[confident_id]
        suggestions = [x for x in suggestions if x["entry_id"] != e.id]
        if record:
            KnowledgeEntry.objects.filter(pk=e.id).update(hits=F("hits") + 1)
        return Answer(
            "kb",
            text=e.answer,
            title=e.question,
            entry_id=e.id,
            confidence=confidence,
            department=e.department,
            links=e.links,
            suggestions=suggestions[:2],
        )
    if record:
        record_unanswered(text, channel)
    return Answer("none", confidence=cands[0].confidence if cands else 0.0, suggestions=suggestions)


def record_unanswered(text: str, channel: str, times: int = 1) -> None:
    """Count a question nobody answered (grouped by its normalised text), ``times`` over.

    One upsert: no UPDATE-then-INSERT, no savepoint inside a caller's transaction."""
    # Only the redacted question is kept: improving the knowledge base never needs the phone or
    # ID number someone typed, and questions differing only in such a number count as one.
    text = redact_text(text)
    norm = normalise(text).lower()
    key = hashlib.sha1(norm.encode("utf-8"), usedforsecurity=False).hexdigest()
    now = timezone.now()
    values = {
        "key": key,
        "text": text[:300],
        "count": times,
        "channel": channel,
        "first_asked_at": now,
        "last_asked_at": now,
        "resolved": False,
    }
    update = ["channel", "last_asked_at", "resolved"]
    insert_on_conflict(UnansweredQuestion, values, ["key"], update=update, add="count")


def top_unanswered(limit: int = 50):
    return UnansweredQuestion.objects.filter(~Q(resolved=True)).order_by(
        "-count", "-last_asked_at"
    )[:limit]

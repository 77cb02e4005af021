"""The county's words in search: synonyms editors keep (供暖=供热=暖气), 您是不是要找 for
near-miss queries (公基金 → 公积金) and pinyin typed without switching input (gongjijin).

All three work from the index's own vocabulary: the words of the newest titles
(``VOCAB_ROWS``) and texts (``VOCAB_BODIES``), so a million-article index costs no more than a
small one,
each with the number of entries it appears in. A near miss is a run of characters that is no
word of the vocabulary but sounds like one (same toneless pinyin: the usual slip of a pinyin
input method) or differs from one in a single character; pinyin input is matched against the
vocabulary's pinyin, longest word first. Built lazily, cached per process for a few minutes.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass

from pypinyin import Style, lazy_pinyin

VOCAB_ROWS = 5000
VOCAB_BODIES = 800
VOCAB_TTL = 300.0
_SEPARATORS = re.compile(r"[=＝,，、;；\s/|]+")
_HAN = re.compile(r"[\u4e00-\u9fff]+")
_PINYIN_QUERY = re.compile(r"^[a-zA-Z][a-zA-Z' ]*$")


def split_words(text: str) -> list[str]:
    """'供暖=供热，暖气' → ['供暖', '供热', '暖气'] (order kept, duplicates dropped)."""
    return list(dict.fromkeys(w.strip() for w in _SEPARATORS.split(text or "") if w.strip()))


def pinyin_of(word: str) -> str:
    return "".join(lazy_pinyin(word, style=Style.NORMAL, errors="ignore")).lower()


# ---------------------------------------------------------------------------- synonyms
_SYN: dict = {"at": -1e9}


def synonym_groups() -> list[list[str]]:
    """Enabled synonym groups (cached briefly; saving a group clears the cache)."""
    from govhub.portal.models import SearchSynonym

    now = time.monotonic()
    if now - _SYN["at"] > 60:
        _SYN["groups"] = [s.word_list() for s in SearchSynonym.objects.filter(enabled=True)]
        _SYN["at"] = now
    return _SYN["groups"]


def forget() -> None:
    """Drop cached synonyms and vocabulary (after an edit or import)."""
    _SYN["at"] = -1e9
    _VOCAB.clear()


def synonyms_of(terms: list[str]) -> list[str]:
    """The other words of every group one of ``terms`` (or the query's text) belongs to."""
    found: list[str] = []
    have = set(terms)
    for group in synonym_groups():
        if have.intersection(group):
            found += [w for w in group if w not in have and w not in found]
    return found


# ---------------------------------------------------------------------------- vocabulary
@dataclass
class Vocabulary:
    df: Counter
    by_pinyin: dict[str, str]  # toneless pinyin → the most frequent word that sounds so
    longest: int
    # '公积?' / '公?金' / '?积金' → the words of that shape, for one-character slips
    by_shape: dict[str, list[str]]


_VOCAB: dict = {}


def vocabulary() -> Vocabulary:
    from govhub.portal.models import SearchEntry

    now = time.monotonic()
    if _VOCAB and now - _VOCAB["at"] < VOCAB_TTL:
        return _VOCAB["v"]
    df: Counter = Counter()
    newest = SearchEntry.objects.order_by("-id")
    titles = newest.values_list("id", "title_terms")[:VOCAB_ROWS]
    bodies = dict(newest.values_list("id", "body_terms")[:VOCAB_BODIES])
    for entry_id, title_terms in titles:
        text = f"{title_terms} {bodies.get(entry_id, '')}"
        df.update({t for t in text.split() if _HAN.fullmatch(t)})
    for group in synonym_groups():
        for w in group:
            df[w] += 0  # known words, even before any page uses them
    by_pinyin: dict[str, str] = {}
    for word, _n in sorted(df.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0])):
        if len(word) >= 2:
            by_pinyin.setdefault(pinyin_of(word), word)
    by_shape: dict[str, list[str]] = {}
    for word in df:
        if 3 <= len(word) <= 6:
            for k in range(len(word)):
                by_shape.setdefault(f"{word[:k]}?{word[k + 1 :]}", []).append(word)
    v = Vocabulary(df, by_pinyin, max((len(p) for p in by_pinyin), default=0), by_shape)
    _VOCAB.update(at=now, v=v)
    return v


# ---------------------------------------------------------------------------- pinyin input
def from_pinyin(query: str) -> str | None:
    """'gongjijin' / 'gongjijin tiqu' → '公积金 提取'; None unless every letter is read."""
    if not _PINYIN_QUERY.match(query.strip()):
        return None
    v = vocabulary()
    out = []
    for chunk in query.lower().replace("'", " ").split():
        i, words = 0, []
        while i < len(chunk):
            for j in range(min(len(chunk), i + v.longest), i + 1, -1):
                word = v.by_pinyin.get(chunk[i:j])
                if word:
                    words.append(word)
                    i = j
                    break
            else:
                return None
        out.append("".join(words))
    return " ".join(out) or None


# ---------------------------------------------------------------------------- did you mean
MAX_SUGGEST_CHARS = 30


def suggest(query: str, *, by_shape: bool = False) -> str | None:
    """The query with its near-miss words put right ('公基金提取' → '公积金提取'), or None.

    A run of characters is a near miss when it is no vocabulary word and a vocabulary word used
    in at least two entries sounds the same (公基金/公积金: the slip a pinyin input method
    makes). With ``by_shape`` (the query found nothing), a word of three characters or more that
    differs in one character (公积全/公积金) counts too."""
    if not query or len(query) > MAX_SUGGEST_CHARS:
        return None
    v = vocabulary()
    changed = False
    out = []
    pos = 0
    for m in _HAN.finditer(query):
        out.append(query[pos : m.start()])
        run = m.group(0)
        fixed = _fix_run(run, v, by_shape)
        changed |= fixed != run
        out.append(fixed)
        pos = m.end()
    out.append(query[pos:])
    return "".join(out) if changed else None


def _fix_run(run: str, v: Vocabulary, by_shape: bool) -> str:
    """Replace the longest non-word stretches of a run of Chinese characters."""
    i, out = 0, []
    while i < len(run):
        for size in range(min(6, len(run) - i), 1, -1):
            piece = run[i : i + size]
            if v.df.get(piece):
                out.append(piece)
                i += size
                break
            better = _near(piece, v, by_shape)
            if better:
                out.append(better)
                i += size
                break
        else:
            out.append(run[i])
            i += 1
    return "".join(out)


def _near(piece: str, v: Vocabulary, by_shape: bool) -> str | None:
    sounds = v.by_pinyin.get(pinyin_of(piece))
    if sounds and sounds != piece and len(sounds) == len(piece) and v.df[sounds] >= 2:
        return sounds
    if not by_shape or len(piece) < 3:
        return None
    shapes = (f"{piece[:k]}?{piece[k + 1 :]}" for k in range(len(piece)))
    words = {w for shape in shapes for w in v.by_shape.get(shape, ())}
    best = max(words, key=lambda w: (v.df[w], w), default=None)
    return best if best and v.df[best] >= 2 else None

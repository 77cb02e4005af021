"""Typos and confusable characters (错别字、同音/形近字、五笔/拼音输入错误) found by the language model.

For each character whose neighbourhood the model finds unusual (its centred trigram or one of
its bigrams was never seen in government text), every confusable character is tried in its
place; when one makes the surrounding n-grams more probable by at least ``threshold`` (log10
units) the position is reported with that character as the suggestion. Real-word errors in
the wrong place (市委书记辞职 where 致辞 fits) are caught the same way when a confusable or a
neighbouring swap fits the context much better. All look-ups are vectorised over the text.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from govhub.safety import lm

CONFUSION_PATH = Path(__file__).parent / "data" / "confusion.txt"
NUMERALS = "〇零一二三四五六七八九十百千万亿两壹贰叁肆伍陆柒捌玖拾佰仟"
TAGS = {"P": "同音字", "N": "近音字", "T": "拼音输入错误", "W": "五笔输入错误", "S": "形近字"}


@dataclass(frozen=True)
class TypoHit:
    pos: int
    suggestion: str
    gain: float
    tag: str  # which confusion set the suggestion came from
    swap: bool = False  # the characters at pos and pos+1 were swapped


class Confusion:
    """Confusable characters of each model id, as CSR arrays (offsets into one id array)."""

    def __init__(self, model: lm.CharLM, lines: list[str], per_char: int = 80):
        n = len(model.vocab)
        pairs: dict[int, dict[int, str]] = {}
        numerals = {model.id_of(c) for c in NUMERALS}
        for line in lines:
            parts = line.rstrip("\n").split("\t")
            if not parts or not parts[0]:
                continue
            cid = model.id_of(parts[0])
            if cid < lm.FIRST_ID or model.char_of(cid) != parts[0]:
                continue
            for field in parts[1:]:
                tag, _, chars = field.partition(":")
                for ch in chars:
                    oid = model.id_of(ch)
                    if oid < lm.FIRST_ID or oid == cid or model.char_of(oid) != ch:
                        continue
                    if cid in numerals and oid in numerals:
                        continue  # 八六三 is no typo of 五六三
                    # confusion goes both ways: 岁 typed for 死 and 死 for 岁
                    pairs.setdefault(cid, {}).setdefault(oid, tag)
                    pairs.setdefault(oid, {}).setdefault(cid, tag)
        counts = model.unigram_counts
        lists: list[list[int]] = [[] for _ in range(n)]
        tags: list[list[str]] = [[] for _ in range(n)]
        for cid, others in pairs.items():
            ranked = sorted(others, key=lambda o: -int(counts[o]))[:per_char]
            lists[cid] = ranked
            tags[cid] = [others[o] for o in ranked]
        self.offsets = np.zeros(n + 1, dtype=np.int64)
        self.offsets[1:] = np.cumsum([len(x) for x in lists])
        self.values = np.array([v for x in lists for v in x], dtype=np.int64)
        self.tags = np.array([t for x in tags for t in x] or [""], dtype="<U1")
        self.sizes = np.diff(self.offsets)

    @classmethod
    def load(cls, model: lm.CharLM, path: Path = CONFUSION_PATH) -> Confusion:
        """From the arrays stored beside the model at build time, else from the text table."""
        extra = getattr(model, "extra", {})
        if "x_conf_offsets" in extra:
            obj = cls.__new__(cls)
            obj.offsets = extra["x_conf_offsets"].astype(np.int64)
            obj.values = extra["x_conf_values"].astype(np.int64)
            obj.tags = extra["x_conf_tags"].astype("<U1")
            obj.sizes = np.diff(obj.offsets)
            return obj
        return cls(model, path.read_text(encoding="utf-8").splitlines())

    def arrays(self) -> dict[str, np.ndarray]:
        return {
            "x_conf_offsets": self.offsets.astype(np.int32),
            "x_conf_values": self.values.astype(np.uint16),
            "x_conf_tags": self.tags,
        }


class TypoDetector:
    def __init__(self, model: lm.CharLM, confusion: Confusion, threshold: float = 3.0):
        self.model = model
        self.confusion = confusion
        self.threshold = threshold
        self.n = model.order

    # how much lower the bar is where both bigrams of a character are unseen (measured on the
    # tune split: +1.5 bought 5 points of recall for twice the false alarms, so it is off)
    STRONG_MARGIN = 0.0

    # P(character | left neighbour) or P(right neighbour | character) above this (log10) makes
    # the character part of a word; such positions need REAL_WORD_MARGIN more gain. Chosen on the
    # tune split: 14 % fewer false alarms for the same typo recall.
    REAL_WORD_LOGP = -1.5
    REAL_WORD_MARGIN = 3.0

    def _wordy(self, ids: np.ndarray, positions: np.ndarray) -> np.ndarray:
        n = self.n
        pad = np.concatenate([[0], ids, [lm.SPACE]]).astype(np.int64)
        p = positions + 1
        k = len(positions)
        w = np.zeros((2 * k, n), dtype=np.int64)
        w[:k, n - 2], w[:k, n - 1] = pad[p - 1], pad[p]
        w[k:, n - 2], w[k:, n - 1] = pad[p], pad[p + 1]
        lp = self.model.logprob_windows(w)
        return np.maximum(lp[:k], lp[k:]) > self.REAL_WORD_LOGP

    def _unseen_both(self, ids: np.ndarray, positions: np.ndarray) -> np.ndarray:
        m = self.model
        pad = np.concatenate([[lm.SPACE], ids, [lm.SPACE]]).astype(np.uint64)
        b = np.uint64(lm.BITS)
        p = positions + 1
        left = m.contains(2, (pad[p - 1] << b) | pad[p])
        right = m.contains(2, (pad[p] << b) | pad[p + 1])
        return ~left & ~right

    def _suspicious(self, ids: np.ndarray) -> np.ndarray:
        """Positions whose centred trigram or either bigram is unseen (and that have
        confusable characters at all)."""
        m = self.model
        T = len(ids)
        pad = np.concatenate([[lm.SPACE], ids, [lm.SPACE]])
        left = m.contains(
            2, (pad[:-2].astype(np.uint64) << np.uint64(lm.BITS)) | pad[1:-1].astype(np.uint64)
        )
        right = m.contains(
            2, (pad[1:-1].astype(np.uint64) << np.uint64(lm.BITS)) | pad[2:].astype(np.uint64)
        )
        tri = m.contains(
            3,
            (pad[:-2].astype(np.uint64) << np.uint64(2 * lm.BITS))
            | (pad[1:-1].astype(np.uint64) << np.uint64(lm.BITS))
            | pad[2:].astype(np.uint64),
        )
        has = self.confusion.sizes[ids] > 0
        sus = has & ~(left & right & tri)
        return np.nonzero(sus)[0][: max(T, 0)]

    def _scores(self, windows: np.ndarray) -> np.ndarray:
        """Sum of log10 P over the positions a change at the centre of each row affects."""
        n = self.n
        rows = windows.shape[0]
        subs = np.concatenate([windows[:, j : j + n] for j in range(n)], axis=0)
        lp = self.model.logprob_windows(subs)
        return lp.reshape(n, rows).sum(axis=0)

    CHUNK = 4000
    MAX_SUSPICIOUS = 0.3  # a stretch where more is unusual is no prose (tables, lists, junk)

    def detect(self, ids: np.ndarray, threshold: float | None = None) -> list[TypoHit]:
        """Typos in ``ids``, chunk by chunk (bounded memory and time for any length)."""
        hits: list[TypoHit] = []
        n = self.n
        for start in range(0, len(ids), self.CHUNK):
            lo = max(0, start - n)
            chunk = ids[lo : start + self.CHUNK + n]
            for h in self._detect(chunk, threshold):
                pos = h.pos + lo
                if start <= pos < start + self.CHUNK:
                    hits.append(TypoHit(pos, h.suggestion, h.gain, h.tag))
        return hits

    def _detect(self, ids: np.ndarray, threshold: float | None = None) -> list[TypoHit]:
        threshold = self.threshold if threshold is None else threshold
        n = self.n
        positions = self._suspicious(ids)
        if len(positions) == 0:
            return []
        cjk = int(np.count_nonzero(self.confusion.sizes[ids] > 0))
        if len(positions) > self.MAX_SUSPICIOUS * max(cjk, 1) and len(positions) > 20:
            return []
        pad = np.concatenate(
            [np.full(n - 1, lm.BOS, dtype=np.int64), ids, np.full(n - 1, lm.SPACE, dtype=np.int64)]
        )
        base = np.stack([pad[p : p + 2 * n - 1] for p in positions])  # centre at column n-1
        conf = self.confusion
        sizes = conf.sizes[ids[positions]]
        owner = np.repeat(np.arange(len(positions)), sizes)
        starts = conf.offsets[ids[positions]]
        firsts = np.cumsum(sizes) - sizes
        idx = np.arange(int(sizes.sum())) - np.repeat(firsts, sizes) + np.repeat(starts, sizes)
        cand = conf.values[idx]
        # a candidate must at least make both of its bigrams known (cheap: two look-ups each)
        m = self.model
        left_ctx = base[owner, n - 2].astype(np.uint64)
        right_ctx = base[owner, n].astype(np.uint64)
        c64 = cand.astype(np.uint64)
        b = np.uint64(lm.BITS)
        ok = m.contains(2, np.concatenate([(left_ctx << b) | c64, (c64 << b) | right_ctx]))
        keep = ok[: len(cand)] & ok[len(cand) :]
        owner, idx, cand = owner[keep], idx[keep], cand[keep]
        if len(cand) == 0:
            return []
        windows = base[owner].copy()
        windows[:, n - 1] = cand
        orig = self._scores(base)
        scores = self._scores(windows) - orig[owner]
        # a character neither of whose bigrams was ever seen is out of place: lower the bar
        strong = self._unseen_both(ids, positions)
        scores = scores + np.where(strong[owner], self.STRONG_MARGIN, 0.0)
        # a character that makes a common word with a neighbour (值勤, 梳理, 遗志, 行事) is a
        # real word: replacing it needs a wider margin
        wordy = self._wordy(ids, positions)
        scores = scores - np.where(wordy[owner], self.REAL_WORD_MARGIN, 0.0)
        best: dict[int, tuple[float, int]] = {}
        order = np.argsort(-scores)
        for j in order:
            if scores[j] < threshold:
                break
            o = int(owner[j])
            if o not in best:
                best[o] = (float(scores[j]), int(idx[j]))
        hits = [
            TypoHit(
                int(positions[o]), self.model.char_of(int(conf.values[i])), g, str(conf.tags[i])
            )
            for o, (g, i) in best.items()
        ]
        # one change explains its neighbours' low scores too: keep the strongest within n-1
        hits.sort(key=lambda h: -h.gain)
        kept: list[TypoHit] = []
        for h in hits:
            if all(abs(h.pos - k.pos) >= n - 1 for k in kept):
                kept.append(h)
        return sorted(kept, key=lambda h: h.pos)


class WordDetector:
    """Real words in the wrong place (书记辞职 where 致辞 fits): every two-character word of the
    text that has a confusable twin (one confusable character, or swapped) is scored against
    the twin over all the n-grams the pair touches."""

    def __init__(
        self,
        model: lm.CharLM,
        keys: np.ndarray,
        offsets: np.ndarray,
        alts: np.ndarray,
        threshold: float = 6.0,
    ):
        self.model = model
        self.keys = keys.astype(np.uint64)
        self.offsets = offsets.astype(np.int64)
        self.alts = alts.astype(np.uint64)
        self.threshold = threshold
        self.n = model.order

    @classmethod
    def from_model(cls, model: lm.CharLM) -> WordDetector | None:
        extra = getattr(model, "extra", {})
        if "x_rw_keys" not in extra:
            return None
        return cls(model, extra["x_rw_keys"], extra["x_rw_offsets"], extra["x_rw_alts"])

    def detect(self, ids: np.ndarray, threshold: float | None = None) -> list[TypoHit]:
        threshold = self.threshold if threshold is None else threshold
        n = self.n
        if len(ids) < 2 or len(self.keys) == 0:
            return []
        b = np.uint64(lm.BITS)
        bigrams = (ids[:-1].astype(np.uint64) << b) | ids[1:].astype(np.uint64)
        idx = np.searchsorted(self.keys, bigrams)
        idx = np.minimum(idx, len(self.keys) - 1)
        hit = self.keys[idx] == bigrams
        positions = np.nonzero(hit)[0]
        if len(positions) == 0:
            return []
        # only where the word's context is unusual: a trigram across either edge is unseen
        ext = np.concatenate([[lm.SPACE], ids, [lm.SPACE]]).astype(np.uint64)
        left = (ext[positions] << (b + b)) | (ext[positions + 1] << b) | ext[positions + 2]
        right = (ext[positions + 1] << (b + b)) | (ext[positions + 2] << b) | ext[positions + 3]
        seen = self.model.contains(3, np.concatenate([left, right]))
        unusual = ~(seen[: len(positions)] & seen[len(positions) :])
        positions, idx = positions[unusual], idx
        if len(positions) == 0:
            return []
        if len(positions) > 20 and len(positions) > 0.1 * len(ids):
            return []  # no prose (a list, a table, text repeated): nothing to compare with
        # score the word against its twins over every n-gram the pair touches
        pad = np.concatenate(
            [np.full(n, lm.BOS, dtype=np.int64), ids, np.full(n, lm.SPACE, dtype=np.int64)]
        )
        base = np.stack([pad[p + 1 : p + 1 + 2 * n] for p in positions])  # word at n-1, n
        widx = idx[positions]
        sizes = self.offsets[widx + 1] - self.offsets[widx]
        owner = np.repeat(np.arange(len(positions)), sizes)
        firsts = np.cumsum(sizes) - sizes
        aidx = (
            np.arange(int(sizes.sum()))
            - np.repeat(firsts, sizes)
            + np.repeat(self.offsets[widx], sizes)
        )
        alt = self.alts[aidx]
        windows = base[owner].copy()
        windows[:, n - 1] = (alt >> b).astype(np.int64)
        windows[:, n] = (alt & np.uint64((1 << lm.BITS) - 1)).astype(np.int64)

        def score(w: np.ndarray) -> np.ndarray:
            rows = w.shape[0]
            subs = np.concatenate([w[:, j : j + n] for j in range(n + 1)], axis=0)
            return self.model.logprob_windows(subs).reshape(n + 1, rows).sum(axis=0)

        gains = score(windows) - score(base)[owner]
        out: dict[int, TypoHit] = {}
        for j in np.argsort(-gains):
            if gains[j] < threshold:
                break
            o = int(owner[j])
            if o in out:
                continue
            pos = int(positions[o])
            word = self.model.char_of(int(windows[j, n - 1])) + self.model.char_of(
                int(windows[j, n])
            )
            out[o] = TypoHit(pos, word, float(gains[j]), "R")
        kept: list[TypoHit] = []
        for h in sorted(out.values(), key=lambda h: -h.gain):
            if all(abs(h.pos - k.pos) >= 2 for k in kept):
                kept.append(h)
        return sorted(kept, key=lambda h: h.pos)


_lock = threading.Lock()
_detector: TypoDetector | None = None


def default_detector() -> TypoDetector | None:
    global _detector
    with _lock:
        if _detector is None:
            model = lm.default_model()
            if model is not None and CONFUSION_PATH.exists():
                _detector = TypoDetector(model, Confusion.load(model))
        return _detector

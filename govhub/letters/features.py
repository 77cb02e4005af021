"""Fast features for the letter router: hashed char n-grams and rjieba words, compiled.

sklearn's char ``TfidfVectorizer`` spent about 1 ms per letter in Python building n-gram
strings; the router must classify thousands of letters a second on one core. Here the n-grams
never become strings: a numba kernel walks each letter's code points once, keeps a rolling
32-bit polynomial hash for every n-gram order, and folds it into one of 2**BITS buckets. Words
(rjieba cuts) are hashed the same way, unigrams and adjacent-word bigrams with their own seeds.
A dense table learned at fit time maps a bucket to a column (buckets seen in fewer than
``min_df`` training letters have none).

Weighting, per block (chars, words): each occurrence weighs the column's smoothed idf, the
block is divided by ``sqrt(sum(tf * idf**2))`` — a norm computable from the occurrences alone,
so classifying needs no per-letter sort or merge: ``scores`` adds up ``idf * W`` rows and the
``idf**2`` column in one pass (the whole linear model fused into the walk over the text).
Training uses ``transform``, the same features as a sparse matrix.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import rjieba
import scipy.sparse as sp
from numba import njit

BITS = 22  # 4M buckets; the table (16 MB) is rebuilt from the kept buckets when loaded
_M32 = np.uint64(0xFFFFFFFF)
_MULT = np.uint64(0x01000193)  # FNV prime: the rolling polynomial hash over code points
_MIX = np.uint64(0x9E3779B1)  # golden-ratio multiplier: buckets from the hash's top bits
_SHIFT = np.uint64(32 - BITS)
_SEEDS = np.array([(0x27D4EB2F * (k + 1)) & 0xFFFFFFFF for k in range(10)], dtype=np.uint64)
_SEP = 1  # "\x01" separates rjieba tokens in the word stream


@njit(cache=True, inline="always")
def _bucket(h, seed):
    return np.int64((((h ^ seed) * _MIX) & _M32) >> _SHIFT)


@njit(cache=True)
def _char_buckets(cp, s, e, lo, hi, out):
    """Buckets of the char n-grams of cp[s:e] (virtual NUL padding marks start and end)."""
    n = 0
    for i in range(s - hi + 1, e):
        h = np.uint64(0)
        for k in range(1, hi + 1):
            p = i + k - 1
            c = np.uint64(cp[p]) if s <= p < e else np.uint64(0)
            h = (h * _MULT + c) & _M32
            if k >= lo and p >= s:
                out[n] = _bucket(h, _SEEDS[k])
                n += 1
    return n


@njit(cache=True)
def _inner_char_buckets(cp, s, e, lo, hi, out):
    """Buckets of the char n-grams lying wholly inside cp[s:e] (no start/end marks)."""
    n = 0
    for i in range(s, e):
        h = np.uint64(0)
        for k in range(1, hi + 1):
            p = i + k - 1
            if p >= e:
                break
            h = (h * _MULT + np.uint64(cp[p])) & _M32
            if k >= lo:
                out[n] = _bucket(h, _SEEDS[k])
                n += 1
    return n


@njit(cache=True)
def _word_buckets(cp, s, e, out):
    """Buckets of the words (separated by \\x01) of cp[s:e] and of adjacent word pairs."""
    n = 0
    h = np.uint64(0)
    prev = np.uint64(0)
    has_prev = False
    length = 0
    blank = True
    for p in range(s, e + 1):
        c = cp[p] if p < e else _SEP
        if c == _SEP:
            if length > 0 and not blank:
                out[n] = _bucket(h, _SEEDS[8])
                n += 1
                if has_prev:
                    out[n] = _bucket((prev * _MULT * _MULT) & _M32 ^ h, _SEEDS[9])
                    n += 1
                prev = h
                has_prev = True
            h = np.uint64(0)
            length = 0
            blank = True
        else:
            h = (h * _MULT + np.uint64(c)) & _M32
            length += 1
            if c > 32:
                blank = False
    return n


@njit(cache=True)
def _all_buckets(ccp, cstarts, wcp, wstarts, lo, hi):
    """Every letter's buckets, chars then words: (buckets, char offsets, word offsets)."""
    n_docs = len(cstarts) - 1
    orders = hi - lo + 1
    bound = 0
    for d in range(n_docs):
        bound += (cstarts[d + 1] - cstarts[d] + hi) * orders + 2 * (wstarts[d + 1] - wstarts[d])
    out = np.empty(bound + 2, dtype=np.int64)
    cptr = np.zeros(n_docs + 1, dtype=np.int64)
    wptr = np.zeros(n_docs + 1, dtype=np.int64)
    n = 0
    for d in range(n_docs):
        cptr[d] = n
        n += _char_buckets(ccp, cstarts[d], cstarts[d + 1], lo, hi, out[n:])
        wptr[d] = n
        n += _word_buckets(wcp, wstarts[d], wstarts[d + 1], out[n:])
        cptr[d + 1] = n  # provisional; fixed below
    # chars of letter d: out[cptr[d]:wptr[d]]; words: out[wptr[d]:cptr[d + 1]]
    return out[:n], cptr, wptr


@njit(cache=True)
def _scores(ccp, cstarts, wcp, wstarts, lo, hi, table, v, out):
    """out[d] += the linear scores of letter d (v: idf * W per column, idf**2 last)."""
    n_docs = len(cstarts) - 1
    k = v.shape[1] - 1
    longest = 1
    for d in range(n_docs):
        longest = max(longest, (cstarts[d + 1] - cstarts[d] + hi) * (hi - lo + 1))
        longest = max(longest, 2 * (wstarts[d + 1] - wstarts[d]) + 2)
    buf = np.empty(longest, dtype=np.int64)
    acc = np.empty(k + 1, dtype=np.float64)
    for d in range(n_docs):
        for block in range(2):
            if block == 0:
                n = _char_buckets(ccp, cstarts[d], cstarts[d + 1], lo, hi, buf)
            else:
                n = _word_buckets(wcp, wstarts[d], wstarts[d + 1], buf)
            acc[:] = 0.0
            for j in range(n):
                col = table[buf[j]]
                if col >= 0:
                    for c in range(k + 1):
                        acc[c] += v[col, c]
            if acc[k] > 0:
                norm = np.sqrt(acc[k])
                for c in range(k):
                    out[d, c] += acc[c] / norm


def _stream(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """All texts' code points in one uint32 array (ASCII lower-cased), and the offsets."""
    starts = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)), out=starts[1:])
    cp = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).copy()
    cp[(cp >= 65) & (cp <= 90)] += np.uint32(32)
    return cp, starts


def word_stream(text: str, hmm: bool = False, stop: frozenset = frozenset()) -> str:
    """A letter's rjieba tokens but ``stop`` words, joined by \\x01 (what the kernel reads)."""
    if stop:
        return "\x01".join([w for w in rjieba.cut(text, hmm) if w not in stop])
    return "\x01".join(rjieba.cut(text, hmm))


class LetterFeatures:
    """Hashed char n-gram and word (1–2-gram) TF-IDF with learned columns (see module doc)."""

    def __init__(
        self,
        char_range: tuple[int, int] = (1, 3),
        min_df: int = 2,
        hmm: bool = False,
        stop: frozenset = frozenset(),
    ):
        self.char_range = tuple(char_range)
        self.min_df = min_df
        self.hmm = hmm
        self.stop = frozenset(stop)

    def streams(self, texts: Sequence[str]) -> tuple:
        ccp, cstarts = _stream(texts)
        wcp, wstarts = _stream([word_stream(t, self.hmm, self.stop) for t in texts])
        return ccp, cstarts, wcp, wstarts

    def _blocks(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        lo, hi = self.char_range
        return _all_buckets(*self.streams(texts), lo, hi)

    @staticmethod
    def _counts(
        cols: np.ndarray, starts: np.ndarray, ends: np.ndarray, width: int
    ) -> sp.csr_matrix:
        sizes = ends - starts
        take = np.repeat(starts - np.concatenate([[0], np.cumsum(sizes)[:-1]]), sizes)
        idx = np.arange(sizes.sum()) + take
        indptr = np.concatenate([[0], np.cumsum(sizes)])
        x = sp.csr_matrix(
            (np.ones(len(idx)), cols[idx], indptr), shape=(len(sizes), width), dtype=np.float64
        )
        x.sum_duplicates()
        return x

    def _split(self, texts: Sequence[str], table: np.ndarray | None):
        buckets, cptr, wptr = self._blocks(texts)
        width = 1 << BITS if table is None else len(self.idf_)
        cols = buckets if table is None else table[buckets]
        if table is not None:  # drop buckets without a column, keep offsets right
            keep = cols >= 0
            kept = np.zeros(len(keep) + 1, dtype=np.int64)
            np.cumsum(keep, out=kept[1:])
            cols, cptr, wptr = cols[keep], kept[cptr], kept[wptr]
        chars = self._counts(cols, cptr[:-1], wptr[:-1], width)
        words = self._counts(cols, wptr[:-1], cptr[1:], width)
        return chars, words

    def fit(self, texts: Sequence[str]) -> LetterFeatures:
        chars, words = self._split(texts, None)
        df = np.bincount(chars.indices, minlength=chars.shape[1]) + np.bincount(
            words.indices, minlength=words.shape[1]
        )
        self.buckets_ = np.flatnonzero(df >= self.min_df).astype(np.int32)
        if not len(self.buckets_):  # a handful of letters: keep what was seen
            self.buckets_ = np.flatnonzero(df).astype(np.int32)
        n = len(texts)
        self.idf_ = np.log((1 + n) / (1 + df[self.buckets_])) + 1.0
        self._build_table()
        return self

    def _build_table(self) -> None:
        table = np.full(1 << BITS, -1, dtype=np.int32)
        table[self.buckets_] = np.arange(len(self.buckets_), dtype=np.int32)
        self._table = table

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """The features as a sparse matrix (chars + words blocks, each normalised)."""
        out = None
        for x in self._split(texts, self._table):
            idf = self.idf_[x.indices]
            rows = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
            norms = np.sqrt(np.bincount(rows, weights=x.data * idf * idf, minlength=x.shape[0]))
            norms[norms == 0] = 1.0
            x.data *= idf / norms[rows]
            out = x if out is None else out + x
        return out.tocsr()

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self.fit(texts).transform(texts)

    def fused(self, coef: np.ndarray) -> np.ndarray:
        """The per-column rows ``scores`` adds: idf * W (classes) and idf**2."""
        return np.ascontiguousarray(
            np.hstack([coef.T * self.idf_[:, None], (self.idf_**2)[:, None]]), dtype=np.float32
        )

    def scores(self, texts: Sequence[str], fused: np.ndarray, intercept: np.ndarray) -> np.ndarray:
        """``transform(texts) @ W.T + b`` without building the matrix."""
        out = np.tile(np.asarray(intercept, dtype=np.float64), (len(texts), 1))
        lo, hi = self.char_range
        _scores(*self.streams(texts), lo, hi, self._table, fused, out)
        return out

    def column(self, token: str) -> int:
        """The column of a word (for explaining a choice), -1 when it has none."""
        cp, starts = _stream([token])
        buf = np.empty(4, dtype=np.int64)
        n = _word_buckets(cp, 0, len(cp), buf)
        return int(self._table[buf[0]]) if n else -1

    def char_columns(self, token: str) -> np.ndarray:
        """The columns of the char n-grams inside a word (for explaining a choice)."""
        cp, _ = _stream([token])
        lo, hi = self.char_range
        buf = np.empty(len(cp) * (hi - lo + 1) + 1, dtype=np.int64)
        cols = self._table[buf[: _inner_char_buckets(cp, 0, len(cp), lo, hi, buf)]]
        return cols[cols >= 0]

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_table", None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        if "buckets_" in state:
            self._build_table()

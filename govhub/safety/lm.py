"""A compact character n-gram language model (modified Kneser-Ney, stored in back-off form).

Why our own and not kenlm: kenlm's trainer (``lmplz``) is a separate C++ build that is not
available here, and the model has to ship inside the package (a few MB) and answer in
microseconds per character. The model below is trained offline with numpy on real government
texts (``govhub content build-model``), pruned, quantised to one byte per probability and
stored in ``data/lm.npz``; queries are vectorised (``numpy.searchsorted`` over sorted n-gram
keys), so a whole text is scored in a handful of array operations.

Characters map to ids through one lookup table indexed by code point: digits fold to one id,
Latin letters to another, whitespace to a third, traditional characters to their simplified
form; every character keeps its position, so scores line up with offsets in the text.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

BITS = 12  # bits per character id inside a packed n-gram key (vocabulary ≤ 4,096)
MAX_ORDER = 5  # 5 × 12 = 60 bits: an n-gram key fits in uint64 beside a 4-bit order tag
BOS, UNK, DIGIT, LATIN, SPACE = 0, 1, 2, 3, 4
FIRST_ID = 5
TABLE_SIZE = 0x30000  # code points above the CJK extension planes map to UNK

MODEL_PATH = Path(__file__).parent / "data" / "lm.npz"


def base_table() -> np.ndarray:
    """Code point → id for the classes every model shares (digits, Latin, whitespace)."""
    table = np.full(TABLE_SIZE, UNK, dtype=np.uint16)
    for lo, hi in ((ord("0"), ord("9")), (0xFF10, 0xFF19)):
        table[lo : hi + 1] = DIGIT
    for lo, hi in (
        (ord("A"), ord("Z")),
        (ord("a"), ord("z")),
        (0xFF21, 0xFF3A),
        (0xFF41, 0xFF5A),
    ):
        table[lo : hi + 1] = LATIN
    for ch in " \t\r\n\u3000\xa0\u2002\u2003\u200b\ufeff":
        table[ord(ch)] = SPACE
    return table


def to_codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


@dataclass
class _Order:
    keys: np.ndarray  # sorted uint64
    logp: np.ndarray  # float32 log10 P(w | h)
    bow: np.ndarray  # float32 log10 back-off weight of this n-gram used as a context


_EMPTY = np.uint64(0xFFFFFFFFFFFFFFFF)
_MULT = np.uint64(0x9E3779B97F4A7C15)


class HashIndex:
    """Open-addressing hash table (linear probing, load ≤ 0.5) from uint64 keys to their row:
    a look-up costs one or two memory reads where a binary search over a million sorted keys
    costs twenty, and every look-up of a text runs at once as numpy operations."""

    def __init__(self, keys: np.ndarray):
        bits = max(4, int(np.ceil(np.log2(max(len(keys), 1) * 2))))
        self.bits = bits
        size = 1 << bits
        home = self._hash(keys).astype(np.int64)
        order = np.argsort(home)
        h = home[order]
        # inserting in order of home slot, the i-th key lands at max(h_i, slot_(i-1) + 1):
        # slot_i = i + running max of (h_j - j) — no probing loop, and never before its home
        i = np.arange(len(h))
        slot = i + np.maximum.accumulate(h - i) if len(h) else h
        tail = int(slot[-1]) + 2 - size if len(slot) else 0
        self.slots = np.full(size + max(tail, 0) + 1, _EMPTY, dtype=np.uint64)
        self.rows = np.full(len(self.slots), -1, dtype=np.int32)
        self.slots[slot] = keys[order]
        self.rows[slot] = order

    def _hash(self, keys: np.ndarray) -> np.ndarray:
        return (keys * _MULT) >> np.uint64(64 - self.bits)

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        """Row of each key, -1 when absent."""
        out = np.full(len(keys), -1, dtype=np.int64)
        pos = self._hash(keys)
        active = np.arange(len(keys))
        while active.size:
            p = pos[active]
            found = self.slots[p]
            hit = found == keys[active]
            out[active[hit]] = self.rows[p[hit]]
            go_on = ~hit & (found != _EMPTY)
            active = active[go_on]
            pos[active] = p[go_on] + np.uint64(1)  # the table has a tail: no wrap-around
        return out


class CharLM:
    """Back-off n-gram model over character ids; ``logprobs`` scores every position of a text."""

    def __init__(self, table: np.ndarray, orders: list[_Order], vocab: np.ndarray, counts=None):
        self.table = table
        self.orders = orders  # orders[k-1] holds k-grams
        self.order = len(orders)
        self.vocab = vocab  # id → code point (0 for the special ids)
        self.unigram_counts = counts
        # one hash table for every order: the order sits in the key's top bits
        tagged = [o.keys | (np.uint64(k) << np.uint64(60)) for k, o in enumerate(orders, start=1)]
        self._index = HashIndex(np.concatenate(tagged)) if tagged else None
        self._offsets = np.cumsum([0] + [len(o.keys) for o in orders])
        self._logp = np.concatenate([o.logp for o in orders]) if orders else np.zeros(0)
        self._bow = np.concatenate([o.bow for o in orders]) if orders else np.zeros(0)

    # --- encoding -------------------------------------------------------------------------
    def ids(self, text: str) -> np.ndarray:
        cps = to_codepoints(text)
        cps = np.minimum(cps, TABLE_SIZE - 1)
        return self.table[cps].astype(np.int64)

    def char_of(self, i: int) -> str:
        cp = int(self.vocab[i]) if 0 <= i < len(self.vocab) else 0
        return chr(cp) if cp else ""

    def id_of(self, ch: str) -> int:
        cp = ord(ch)
        return int(self.table[cp]) if cp < TABLE_SIZE else UNK

    # --- look-ups ---------------------------------------------------------------------------
    def _rows(self, k: int, keys: np.ndarray) -> np.ndarray:
        """Row in the concatenated tables of each k-gram key, -1 when the model lacks it."""
        return self._index.lookup(keys | (np.uint64(k) << np.uint64(60)))

    def contains(self, k: int, keys: np.ndarray) -> np.ndarray:
        return self._rows(k, keys) >= 0

    def logprob_windows(self, windows: np.ndarray) -> np.ndarray:
        """log10 P of the last id of each row of ``windows`` (shape (n, order)) given the
        ids before it (back-off over the shorter contexts)."""
        n = self.order
        rows = windows.shape[0]
        w = windows.astype(np.uint64)
        shift = np.uint64(BITS)
        # keys of the k-grams ending at the last column and of the contexts ending before it
        ends = [w[:, n - 1]]
        ctxs = [w[:, n - 2]] if n > 1 else []
        for k in range(2, n + 1):
            ends.append(ends[-1] | (w[:, n - k] << np.uint64(BITS * (k - 1))))
            if k < n:
                ctxs.append(ctxs[-1] | (w[:, n - 1 - k] << np.uint64(BITS * (k - 1))))
        del shift
        tags = [np.uint64(k) << np.uint64(60) for k in range(1, n + 1)]
        allkeys = np.concatenate(
            [ends[k - 1] | tags[k - 1] for k in range(1, n + 1)]
            + [ctxs[k - 1] | tags[k - 1] for k in range(1, n)]
        )
        found = self._index.lookup(allkeys)
        end_rows = found[: n * rows].reshape(n, rows)
        ctx_rows = found[n * rows :].reshape(n - 1, rows) if n > 1 else np.zeros((0, rows), int)
        result = np.full(rows, -8.0, dtype=np.float32)
        done = np.zeros(rows, dtype=bool)
        bo_sum = np.zeros(rows, dtype=np.float32)
        for k in range(n, 0, -1):
            r = end_rows[k - 1]
            hit = (r >= 0) & ~done
            result[hit] = self._logp[r[hit]] + bo_sum[hit]
            done |= r >= 0
            if k > 1:
                c = ctx_rows[k - 2]
                add = (c >= 0) & ~done
                bo_sum[add] += self._bow[c[add]]
        return result

    def logprobs(self, ids: np.ndarray) -> np.ndarray:
        """log10 P(x_i | the n-1 ids before it) for every position of ``ids``."""
        n = self.order
        padded = np.concatenate([np.zeros(n - 1, dtype=np.int64), ids])
        windows = np.lib.stride_tricks.sliding_window_view(padded, n)
        return self.logprob_windows(np.ascontiguousarray(windows))

    def ngram_keys(self, ids: np.ndarray, k: int) -> np.ndarray:
        """Packed key of the k-gram starting at each position (len(ids) - k + 1 keys)."""
        if len(ids) < k:
            return np.zeros(0, dtype=np.uint64)
        key = np.zeros(len(ids) - k + 1, dtype=np.uint64)
        for j in range(k):
            key = (key << np.uint64(BITS)) | ids[j : len(ids) - k + 1 + j].astype(np.uint64)
        return key

    def cond_logp(self, context: str, ch: str) -> float:
        """log10 P(ch | context) (the last order-1 characters of the context count)."""
        ids = self.ids(context[-(self.order - 1) :] + ch)
        window = np.concatenate([np.zeros(self.order - len(ids), dtype=np.int64), ids])
        return float(self.logprob_windows(window.reshape(1, -1))[0])

    def count_of(self, text: str) -> int:
        """Training count of a single character (0 when unknown)."""
        if self.unigram_counts is None or len(text) != 1:
            return 0
        i = self.id_of(text)
        return int(self.unigram_counts[i]) if i >= FIRST_ID else 0

    def known(self, text: str) -> bool:
        """Is the whole string an n-gram of the model (up to its order)?"""
        ids = self.ids(text)
        k = len(ids)
        if not 1 <= k <= self.order:
            return False
        return bool(self.contains(k, self.ngram_keys(ids, k))[0])

    # --- storage ----------------------------------------------------------------------------
    def save(self, path: Path, *, extra: dict | None = None) -> None:
        arrays: dict[str, np.ndarray] = {"vocab": self.vocab.astype(np.uint32)}
        aliases = np.nonzero(self.table != base_table())[0]
        aliases = aliases[self.table[aliases] >= FIRST_ID]
        cps_of_ids = self.vocab[self.table[aliases]]
        keep = cps_of_ids != aliases
        arrays["alias_from"] = aliases[keep].astype(np.uint32)
        arrays["alias_to"] = self.table[aliases[keep]].astype(np.uint16)
        if self.unigram_counts is not None:
            arrays["counts"] = self.unigram_counts.astype(np.uint32)
        for k, o in enumerate(self.orders, start=1):
            deltas = np.diff(o.keys, prepend=np.uint64(0))
            arrays[f"k{k}"] = _varint(deltas)
            arrays[f"p{k}"], arrays[f"pq{k}"] = _quantise(o.logp)
            if k < self.order:
                arrays[f"b{k}"], arrays[f"bq{k}"] = _quantise(o.bow)
        for name, value in (extra or {}).items():
            arrays[name] = value
        buf = io.BytesIO()
        np.savez_compressed(buf, **arrays)
        Path(path).write_bytes(buf.getvalue())

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> CharLM:
        data = np.load(path)
        vocab = data["vocab"].astype(np.int64)
        table = base_table()
        ids = np.arange(len(vocab))
        real = ids >= FIRST_ID
        table[vocab[real]] = ids[real]
        if "alias_from" in data:
            table[data["alias_from"]] = data["alias_to"]
        orders = []
        k = 1
        while f"k{k}" in data:
            keys = np.cumsum(_unvarint(data[f"k{k}"]), dtype=np.uint64)
            logp = data[f"pq{k}"][data[f"p{k}"]]
            if f"b{k}" in data:
                bow = data[f"bq{k}"][data[f"b{k}"]]
            else:
                bow = np.zeros(len(keys), dtype=np.float32)
            orders.append(_Order(keys, logp.astype(np.float32), bow.astype(np.float32)))
            k += 1
        counts = data["counts"] if "counts" in data.files else None
        model = cls(table, orders, vocab, counts)
        model.extra = {name: data[name] for name in data.files if name.startswith("x_")}
        return model


def _quantise(values: np.ndarray, levels: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """One byte per value: the codebook holds the mean of each of 256 quantile bins."""
    values = values.astype(np.float32)
    if len(values) == 0:
        return np.zeros(0, dtype=np.uint8), np.zeros(1, dtype=np.float32)
    edges = np.unique(np.quantile(values, np.linspace(0, 1, levels + 1)[1:-1]))
    codes = np.searchsorted(edges, values).astype(np.uint8)
    book = np.zeros(len(edges) + 1, dtype=np.float32)
    sums = np.bincount(codes, weights=values, minlength=len(book))
    cnts = np.bincount(codes, minlength=len(book))
    book[cnts > 0] = (sums[cnts > 0] / cnts[cnts > 0]).astype(np.float32)
    return codes, book


def _varint(values: np.ndarray) -> np.ndarray:
    """LEB128 bytes of non-negative integers (sorted keys' gaps are small: 1–3 bytes each)."""
    values = values.astype(np.uint64)
    out = []
    v = values.copy()
    more = np.ones(len(v), dtype=bool)
    pos = np.arange(len(v))
    chunks = []
    while more.any():
        byte = (v & np.uint64(0x7F)).astype(np.uint8)
        v = v >> np.uint64(7)
        cont = v > 0
        byte[cont & more] |= 0x80
        chunks.append((pos[more], byte[more]))
        more = more & cont
    # interleave: order by (position, chunk index)
    total = sum(len(p) for p, _ in chunks)
    allpos = np.empty(total, dtype=np.int64)
    allidx = np.empty(total, dtype=np.int64)
    allbyte = np.empty(total, dtype=np.uint8)
    at = 0
    for j, (p, b) in enumerate(chunks):
        allpos[at : at + len(p)] = p
        allidx[at : at + len(p)] = j
        allbyte[at : at + len(p)] = b
        at += len(p)
    order = np.lexsort((allidx, allpos))
    out = allbyte[order]
    return out


def _unvarint(data: np.ndarray) -> np.ndarray:
    data = data.astype(np.uint64)
    ends = np.nonzero((data & np.uint64(0x80)) == 0)[0]
    starts = np.concatenate([[0], ends[:-1] + 1])
    n = len(ends)
    out = np.zeros(n, dtype=np.uint64)
    length = ends - starts + 1
    for j in range(int(length.max()) if n else 0):
        sel = length > j
        out[sel] |= (data[starts[sel] + j] & np.uint64(0x7F)) << np.uint64(7 * j)
    return out


# --- training -----------------------------------------------------------------------------


def _discounts(counts: np.ndarray) -> np.ndarray:
    n = [int(np.sum(counts == i)) for i in range(1, 5)]
    if min(n) == 0:
        return np.array([0.5, 1.0, 1.5])
    y = n[0] / (n[0] + 2 * n[1])
    d = np.array([1 - 2 * y * n[1] / n[0], 2 - 3 * y * n[2] / n[1], 3 - 4 * y * n[3] / n[2]])
    return np.clip(d, 0.05, [0.99, 1.99, 2.99])


def train(
    docs: list[np.ndarray],
    vocab: np.ndarray,
    table: np.ndarray,
    order: int = 4,
    prune: tuple[int, ...] = (0, 1, 2, 2),
) -> CharLM:
    """Interpolated modified Kneser-Ney over id arrays, converted to back-off form and pruned:
    an n-gram of order k is kept when its raw count exceeds ``prune[k-1]`` (or it is the context
    of a kept longer n-gram)."""
    assert order <= MAX_ORDER
    seq = np.concatenate([np.concatenate([[BOS], d]) for d in docs]).astype(np.int64)
    mask = lambda k: np.uint64((1 << (BITS * k)) - 1)  # noqa: E731
    raw_keys: list[np.ndarray] = []
    raw_counts: list[np.ndarray] = []
    for k in range(1, order + 1):
        key = np.zeros(len(seq) - k + 1, dtype=np.uint64)
        for j in range(k):
            key = (key << np.uint64(BITS)) | seq[j : len(seq) - k + 1 + j].astype(np.uint64)
        if k > 1:
            # no n-gram reaches across a document boundary
            ok = np.ones(len(key), dtype=bool)
            for j in range(1, k):
                ok &= seq[j : len(seq) - k + 1 + j] != BOS
            key = key[ok]
        u, c = np.unique(key, return_counts=True)
        raw_keys.append(u)
        raw_counts.append(c)
    # adjusted counts: raw for the highest order, continuation counts below
    adj: list[np.ndarray] = []
    for k in range(1, order + 1):
        if k == order:
            adj.append(raw_counts[k - 1].astype(np.float64))
        else:
            suffixes = raw_keys[k] & mask(k)
            su, sc = np.unique(suffixes, return_counts=True)
            a = np.zeros(len(raw_keys[k - 1]), dtype=np.float64)
            pos = np.searchsorted(raw_keys[k - 1], su)
            a[pos] = sc
            # n-grams that only occur at a document start have no left extension
            a[a == 0] = raw_counts[k - 1][a == 0]
            adj.append(a)
    vocab_size = len(vocab)
    probs: list[np.ndarray] = []
    gammas: list[np.ndarray] = []  # gamma of each k-gram as a context
    for k in range(1, order + 1):
        keys, a = raw_keys[k - 1], adj[k - 1]
        d = _discounts(a.round().astype(np.int64))
        disc = np.where(a >= 3, d[2], np.where(a >= 2, d[1], d[0]))
        ctx = keys >> np.uint64(BITS)  # the (k-1)-gram before the last id (0 for unigrams)
        cu, cinv = np.unique(ctx, return_inverse=True)
        denom = np.bincount(cinv, weights=a)
        n1 = np.bincount(cinv, weights=(a.round() == 1))
        n2 = np.bincount(cinv, weights=(a.round() == 2))
        n3 = np.bincount(cinv, weights=(a.round() >= 3))
        gamma_ctx = (d[0] * n1 + d[1] * n2 + d[2] * n3) / denom
        alpha = np.maximum(a - disc, 0) / denom[cinv]
        if k == 1:
            p = alpha + gamma_ctx[cinv] / vocab_size
        else:
            lower_keys = keys & mask(k - 1)
            pos = np.searchsorted(raw_keys[k - 2], lower_keys)
            p = alpha + gamma_ctx[cinv] * probs[k - 2][pos]
        probs.append(p)
        # store gamma on the context n-gram (order k-1)
        if k > 1:
            g = np.ones(len(raw_keys[k - 2]))
            pos = np.searchsorted(raw_keys[k - 2], cu)
            g[pos] = gamma_ctx
            gammas.append(g)
    gammas.append(np.ones(len(raw_keys[order - 1])))
    # pruning (keep contexts of kept longer n-grams so back-off weights stay available)
    keep = [raw_counts[k - 1] > prune[k - 1] for k in range(1, order + 1)]
    keep[0][:] = True
    for k in range(order, 1, -1):
        ctx = raw_keys[k - 1][keep[k - 1]] >> np.uint64(BITS)
        pos = np.searchsorted(raw_keys[k - 2], ctx)
        keep[k - 2][pos] = True
    orders = []
    for k in range(1, order + 1):
        sel = keep[k - 1]
        orders.append(
            _Order(
                raw_keys[k - 1][sel],
                np.log10(probs[k - 1][sel]).astype(np.float32),
                np.log10(gammas[k - 1][sel]).astype(np.float32),
            )
        )
    counts = np.zeros(vocab_size, dtype=np.int64)
    counts[raw_keys[0].astype(np.int64)] = raw_counts[0]
    return CharLM(table, orders, vocab, counts)


_lock = threading.Lock()
_model: CharLM | None = None


def default_model() -> CharLM | None:
    """The shipped model, loaded once per process (None when the package has none)."""
    global _model
    with _lock:
        if _model is None and MODEL_PATH.exists():
            _model = CharLM.load(MODEL_PATH)
        return _model

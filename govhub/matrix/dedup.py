"""Near-duplicate detection (重复内容) with our own vectorised MinHash + LSH.

Why our own rather than datasketch: datasketch hashes every shingle with SHA-1 in Python and
inserts documents one by one, which caps it at a few thousand documents per second; a province
collects millions of posts a night. Here a whole batch of texts becomes one array of Unicode code
points, every character 3-gram is packed *exactly* into one 63-bit integer (3 × 21 bits, so no
hashing collisions at all), the K hash functions are multiply-shift hashes applied to the whole
batch at once, and the signature is a ``minimum.reduceat`` per document. LSH banding, candidate
pairs and the exact-Jaccard verification of candidates are array operations too (sparse
matrices), so the answer is exact Jaccard ≥ threshold for every candidate LSH finds.
``bench/dedup.py`` compares it with datasketch's MinHashLSH on the same corpus.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

SHINGLE = 3
NUM_PERM = 64
BANDS = 16  # 16 bands × 4 rows: P(candidate | J=0.7) ≈ 0.99, P(candidate | J=0.3) ≈ 0.12
THRESHOLD = 0.7
_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)


_DROP = {ord(c): None for c in " \t\r\n\u3000，。、；：？！“”‘’（）《》【】…—·,.;:?!\"'()[]<>-"}


def clean(text: str) -> str:
    """Text as compared: without whitespace and punctuation, lower-cased."""
    return (text or "").lower().translate(_DROP)


def _perm_params(num_perm: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 2**63, size=num_perm, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64)
    return a, b


_DROP_CP = np.zeros(0x110000, dtype=bool)
_DROP_CP[list(_DROP)] = True


def _codepoints(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The cleaned texts (see :func:`clean`) as one array of code points and the document of
    each, in one pass over the whole batch: joined, lower-cased once, dropped characters masked
    out with a lookup table. (``str.translate`` with a dict costs about a microsecond per CJK
    character, more than everything else here.) A text shorter than 3 characters is padded with
    NULs so that it still has one shingle."""
    n = len(texts)
    joined = "\n".join(texts)  # the separator is a dropped character
    low = joined.lower()
    if len(low) == len(joined):
        lens = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    else:  # a character whose lower case is longer (e.g. "İ"): measure text by text
        pieces = [t.lower() for t in texts]
        low = "\n".join(pieces)
        lens = np.fromiter(map(len, pieces), dtype=np.int64, count=n)
    cps = np.frombuffer(low.encode("utf-32-le"), dtype=np.uint32)
    doc = np.repeat(np.arange(n, dtype=np.int64), lens + 1)[: len(cps)]
    keep = ~_DROP_CP[cps]
    cps, doc = cps[keep], doc[keep]
    clen = np.bincount(doc, minlength=n)
    short = np.flatnonzero(clen < SHINGLE)
    if len(short):
        ends = np.cumsum(clen)[short]
        pad = SHINGLE - clen[short]
        cps = np.insert(cps, np.repeat(ends, pad), 0)
        doc = np.insert(doc, np.repeat(ends, pad), np.repeat(short, pad))
    return cps, doc


def _pack(texts: list[str]) -> tuple[np.ndarray, np.ndarray, int]:
    """Character 3-grams of the cleaned texts as exact integers: code points are ranked over the
    batch's alphabet (b bits each) and three ranks packed into 3·b bits. Returns (keys, doc, bits
    per key)."""
    if not texts:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64), 0
    cps, doc_all = _codepoints(texts)
    present = np.zeros(0x110000, dtype=bool)
    present[cps] = True
    rank = np.cumsum(present, dtype=np.int64) - 1
    bits = max(1, int(rank[-1] + 1).bit_length())
    r = rank[cps].astype(np.uint64)
    valid = doc_all[:-2] == doc_all[2:]
    b = np.uint64(bits)
    keys = ((r[:-2] << (b + b)) | (r[1:-1] << b) | r[2:])[valid]
    return keys, doc_all[:-2][valid], 3 * bits


def shingle_keys(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """All character 3-grams of the texts as exact integer keys, and the document of each."""
    keys, doc, _bits = _pack(texts)
    return keys, doc


def _mix(x: np.ndarray, seed: int) -> np.ndarray:
    """splitmix64 finaliser: a strong 64-bit mix of each key (vectorised)."""
    with np.errstate(over="ignore"):
        x = x + np.uint64((0x9E3779B97F4A7C15 * (seed + 1)) & 0xFFFFFFFFFFFFFFFF)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def signatures(texts: list[str], num_perm: int = NUM_PERM, seed: int = 1) -> np.ndarray:
    """MinHash-style signatures of the texts (see :func:`signatures_of_keys`)."""
    keys, doc = shingle_keys(texts)
    return signatures_of_keys(keys, doc, len(texts), num_perm, seed)


def signatures_of_keys(
    keys: np.ndarray, doc: np.ndarray, n: int, num_perm: int = NUM_PERM, seed: int = 1
) -> np.ndarray:
    """MinHash-style signatures (len(texts) × num_perm, uint32) by one-permutation hashing
    with densification (Li et al. 2012; Shrivastava 2017): each shingle is hashed once, its top
    bits choose a bin, the rest is its value, each bin keeps its minimum; empty bins borrow from
    a non-empty bin along a fixed random probe sequence. Two texts agree in a bin with
    probability ≈ their Jaccard similarity, like classic MinHash, at the cost of one hash per
    shingle instead of ``num_perm``."""
    empty = np.uint32(np.iinfo(np.uint32).max)
    flat = np.full(n * num_perm, empty, dtype=np.uint32)
    if len(keys):
        h = _mix(keys, seed)
        bins = (h % np.uint64(num_perm)).astype(np.int64)
        vals = ((h >> np.uint64(32)) & np.uint64(0xFFFFFFFE)).astype(np.uint32)
        np.minimum.at(flat, doc * num_perm + bins, vals)
    sig = flat.reshape(n, num_perm)
    hr, hc = np.nonzero(sig == empty)
    if len(hr):
        # densify: an empty bin j takes (value + 1) of bin probe_t[j] for the first round t
        # whose probe bin is non-empty; only the holes still open are looked at each round
        rng = np.random.default_rng(seed + 1000)
        src = sig.copy()
        for _ in range(8 * num_perm):
            if not len(hr):
                break
            probe = rng.integers(0, num_perm, size=num_perm)
            val = src[hr, probe[hc]]
            ok = val != empty
            sig[hr[ok], hc[ok]] = val[ok] + np.uint32(1)  # odd: never an undensified value
            hr, hc = hr[~ok], hc[~ok]
    return sig


def shingle_matrix(texts: list[str]) -> sparse.csr_matrix:
    """Binary document × shingle matrix (exact shingle sets, for exact Jaccard)."""
    keys, doc = shingle_keys(texts)
    uniq, cols = np.unique(keys, return_inverse=True)
    m = sparse.csr_matrix(
        (np.ones(len(keys), np.float32), (doc, cols.ravel())), shape=(len(texts), len(uniq))
    )
    m.sum_duplicates()
    m.data[:] = 1.0
    return m


def exact_jaccard(m: sparse.csr_matrix, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Exact Jaccard similarity of the row pairs (i[k], j[k]) of a binary shingle matrix."""
    if not len(i):
        return np.zeros(0)
    sizes = np.asarray(m.sum(axis=1)).ravel()
    inter = np.asarray(m[i].multiply(m[j]).sum(axis=1)).ravel()
    union = sizes[i] + sizes[j] - inter
    return np.where(union > 0, inter / np.maximum(union, 1), 0.0)


class ShingleSets:
    """Each document's set of shingle keys, sorted, in one array (CSR-like), for exact Jaccard of
    many pairs at once."""

    def __init__(self, keys: np.ndarray, doc: np.ndarray, bits: int, n: int):
        self.bits = bits
        if bits + max(1, n).bit_length() <= 63:
            comb = np.sort((doc.astype(np.uint64) << np.uint64(bits)) | keys)
            comb = comb[np.r_[True, comb[1:] != comb[:-1]]]
            self.doc = (comb >> np.uint64(bits)).astype(np.int64)
            self.keys = comb & np.uint64((1 << bits) - 1)
        else:  # an unusually large alphabet: sort by (doc, key) the slow way
            order = np.lexsort((keys, doc))
            keys, doc = keys[order], doc[order]
            keep = np.r_[True, (keys[1:] != keys[:-1]) | (doc[1:] != doc[:-1])]
            self.doc, self.keys = doc[keep], keys[keep]
        self.indptr = np.searchsorted(self.doc, np.arange(n + 1))
        self.sizes = np.diff(self.indptr)

    def _gather(self, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lens = self.sizes[docs]
        owner = np.repeat(np.arange(len(docs)), lens)
        idx = np.repeat(self.indptr[docs] - np.cumsum(lens) + lens, lens) + np.arange(lens.sum())
        return owner, self.keys[idx]

    def jaccard(self, i: np.ndarray, j: np.ndarray, chunk: int = 50_000) -> np.ndarray:
        """Exact Jaccard of the pairs (i[k], j[k]): the left sets of a chunk, tagged with their
        pair number, form one sorted array (each set is sorted already), and every key of the
        right sets is looked up in it by binary search — no sort per chunk."""
        out = np.zeros(len(i))
        for lo in range(0, len(i), chunk):
            a, b = i[lo : lo + chunk], j[lo : lo + chunk]
            pa, ka = self._gather(a)
            pb, kb = self._gather(b)
            if self.bits + max(1, len(a)).bit_length() <= 63:
                shift = np.uint64(self.bits)
                left = (pa.astype(np.uint64) << shift) | ka
                right = (pb.astype(np.uint64) << shift) | kb
                pos = np.searchsorted(left, right)
                pos[pos == len(left)] = 0
                hit = left[pos] == right if len(left) else np.zeros(len(right), bool)
                inter = np.bincount(pb[hit], minlength=len(a)).astype(float)
            else:  # an unusually large alphabet: sort the pair-tagged keys the slow way
                pid = np.concatenate([pa, pb])
                key = np.concatenate([ka, kb])
                order = np.lexsort((key, pid))
                pid, key = pid[order], key[order]
                same = (pid[1:] == pid[:-1]) & (key[1:] == key[:-1])
                inter = np.bincount(pid[1:][same], minlength=len(a)).astype(float)
            union = self.sizes[a] + self.sizes[b] - inter
            out[lo : lo + chunk] = np.where(union > 0, inter / np.maximum(union, 1), 0.0)
        return out


def candidate_pairs(sig: np.ndarray, bands: int = BANDS, bucket_cap: int = 400) -> np.ndarray:
    """LSH banding: pairs (i < j) that share a band bucket. A bucket with more than
    ``bucket_cap`` members (the same text re-posted by hundreds of accounts) is linked as a
    star and a chain instead of all pairs, which keeps its members connected."""
    n, k = sig.shape
    rows = k // bands
    out = []
    with np.errstate(over="ignore"):
        for bnd in range(bands):
            block = sig[:, bnd * rows : (bnd + 1) * rows].astype(np.uint64)
            key = np.zeros(n, np.uint64)
            for t in range(rows):
                key = key * np.uint64(0x9E3779B97F4A7C15) + block[:, t] + np.uint64(t + 1)
            order = np.argsort(key, kind="stable")
            sk = key[order]
            bounds = np.flatnonzero(np.r_[True, sk[1:] != sk[:-1], True])
            sizes = np.diff(bounds)
            multi = np.flatnonzero(sizes > 1)
            if not len(multi):
                continue
            small = multi[sizes[multi] <= bucket_cap]
            big = multi[sizes[multi] > bucket_cap]
            if len(small):
                # all pairs within small buckets, vectorised by bucket size
                for size in np.unique(sizes[small]):
                    grp = small[sizes[small] == size]
                    members = order[bounds[grp][:, None] + np.arange(size)[None, :]]
                    ii, jj = np.triu_indices(size, 1)
                    out.append(np.stack([members[:, ii].ravel(), members[:, jj].ravel()], 1))
            for g in big:
                members = order[bounds[g] : bounds[g + 1]]
                out.append(np.stack([np.repeat(members[0], len(members) - 1), members[1:]], 1))
                out.append(np.stack([members[:-1], members[1:]], 1))
    if not out:
        return np.zeros((0, 2), np.int64)
    pairs = np.concatenate(out).astype(np.int64)
    pairs.sort(axis=1)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    code = np.unique(pairs[:, 0] * n + pairs[:, 1])  # 1-D unique: far cheaper than axis=0
    return np.stack([code // n, code % n], 1)


@dataclass
class DedupResult:
    pairs: np.ndarray  # verified pairs (i, j), i < j
    similarity: np.ndarray  # their exact Jaccard
    cluster: np.ndarray  # cluster id per document (singletons have their own)
    sets: ShingleSets | None = None  # the documents' shingle sets (for further exact Jaccard)


def near_duplicates(
    texts: list[str],
    threshold: float = THRESHOLD,
    num_perm: int = NUM_PERM,
    bands: int = BANDS,
    bucket_cap: int = 400,
) -> DedupResult:
    """Pairs of texts whose character-3-gram Jaccard similarity is ≥ ``threshold`` (found by
    LSH, verified exactly) and the clusters they form. ``bucket_cap`` bounds the pairs drawn
    from one LSH bucket (see :func:`candidate_pairs`): a lower cap keeps clusters whole but
    reports fewer of the pairs inside a heavily re-posted text."""
    n = len(texts)
    if n == 0:
        return DedupResult(np.zeros((0, 2), np.int64), np.zeros(0), np.zeros(0, np.int64))
    keys, doc, bits = _pack(texts)
    sig = signatures_of_keys(keys, doc, n, num_perm)
    cand = candidate_pairs(sig, bands, bucket_cap)
    sets = ShingleSets(keys, doc, bits, n)
    sim = sets.jaccard(cand[:, 0], cand[:, 1]) if len(cand) else np.zeros(0)
    keep = sim >= threshold
    pairs, sim = cand[keep], sim[keep]
    graph = sparse.coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return DedupResult(pairs, sim, labels.astype(np.int64), sets)


def originals(cluster: np.ndarray, owner: np.ndarray, time: np.ndarray) -> np.ndarray:
    """For each document, the index of the earliest document of its cluster published by another
    owner before it (-1 when there is none): "re-posted from another account"."""
    n = len(cluster)
    result = np.full(n, -1, np.int64)
    if n == 0:
        return result
    order = np.lexsort((np.arange(n), time, cluster))
    c, o = cluster[order], owner[order]
    bounds = np.flatnonzero(np.r_[True, c[1:] != c[:-1], True])
    for s, e in zip(bounds[:-1], bounds[1:], strict=False):
        if e - s < 2:
            continue
        first = order[s]
        first_owner = o[s]
        # earliest post of another owner than the cluster's first: the second "first"
        other = np.flatnonzero(o[s:e] != first_owner)
        for k in range(s + 1, e):
            idx = order[k]
            if o[k] != first_owner:
                result[idx] = first
            elif len(other) and other[0] + s < k:
                result[idx] = order[other[0] + s]
    return result

"""Retrieval over the answers knowledge base: fused char/word TF-IDF, then two tree models.

Why this shape (measured with ``bench/qa.py`` on 6,036 groups of real legal questions):
char 1–3-gram TF-IDF alone finds the right entry for about 83% of unseen paraphrases and cannot
tell a paraphrase from a look-alike question that asks something else (a "hard negative").
Fusing it with word TF-IDF over segmented Chinese (with synonyms folded) puts the right entry
among the first ten for 97.6%. For each (question, candidate) pair we then compute generic
similarity features — above all what one side asks that the other does not (a look-alike
usually swaps one key term) — and two gradient-boosted tree ensembles score them: a rank model
orders the ten, and an answerability model, trained only on a question paired with the entry it
paraphrases or imitates, gives the confidence the threshold is set on. Both also read the
score of ``Contrast``, a sparse model of which differing words change the question. The trees are
flattened to node arrays in ``data/reranker_trees.json`` and evaluated with numpy (no pickle).
The default ``data/reranker.json`` is a logistic model on the generic features alone (no legal
words), so it serves the county's own knowledge base as well.

Pure Python + scikit-learn; no Django here, so the benchmark and the server share it.
"""

from __future__ import annotations

import base64
import json
import os
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import cache
from pathlib import Path

import numpy as np
import rjieba
from sklearn.feature_extraction.text import TfidfVectorizer

from govhub.core.text import STOPWORDS, normalise

DATA = Path(__file__).parent / "data"
_PUNCT = re.compile(r"[^\w\u4e00-\u9fff]+")
_NEG = re.compile(r"[不没无非未别莫勿]")
_DIGITS = re.compile(r"\d+")

# question kinds: a paraphrase keeps its kind, a look-alike often changes it (多久 → 多少钱)
QUESTION_KINDS = {
    "how": ("怎么", "如何", "怎样", "咋", "办法", "流程", "程序", "步骤", "手续", "操作"),
    "what": ("什么", "哪些", "何种", "啥", "材料", "资料"),
    "yesno": ("吗", "是否", "能否", "可否", "可不可以", "能不能", "会不会", "是不是", "有没有"),
    "amount": ("多少", "金额", "标准", "费用", "多少钱", "交费", "花钱", "收费"),
    "time": ("多久", "多长时间", "期限", "时效", "什么时候", "何时", "几天", "几年"),
    "where": ("哪里", "哪儿", "何处", "地点", "哪个部门", "窗口", "去哪"),
    "who": ("谁", "哪个人", "何人", "责任人"),
    "why": ("为什么", "为何", "原因"),
}

# function words dropped from the word view (negations are kept on purpose)
_STOP = (STOPWORDS - {"不", "没", "没有", "为什么", "几", "多少"}) | {
    "咨询",
    "问",
    "问题",
    "情况",
    "请",
    "您好",
    "你好",
    "谢谢",
}


@cache
def default_synonyms() -> dict[str, str]:
    """word → canonical word, from ``data/synonyms.txt`` (one group a line, canonical first)."""
    return load_synonyms(DATA / "synonyms.txt")


def load_synonyms(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    if not path.exists():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        words = line.split("#", 1)[0].split()
        for w in words[1:]:
            out[w] = words[0]
    return out


def clean(text: str) -> str:
    """Normalised, lower-case text without punctuation or spaces."""
    return _PUNCT.sub("", normalise(text).lower())


def words(text: str, synonyms: dict[str, str]) -> list[str]:
    """Content words (fine-grained cuts, synonyms folded, function words dropped)."""
    out = []
    for t in rjieba.cut_for_search(text):
        if not t.strip() or t in _STOP or _PUNCT.fullmatch(t):
            continue
        out.append(synonyms.get(t, t))
    return out


def question_kinds(text: str) -> frozenset[str]:
    return frozenset(k for k, cues in QUESTION_KINDS.items() if any(c in text for c in cues))


@dataclass
class Candidate:
    entry_id: object
    doc: int  # index of the best matching indexed question of that entry
    char: float
    word: float
    fused: float
    features: list[float] = field(default_factory=list)
    confidence: float = 0.0


FEATURES = [
    "char_cos",
    "word_cos",
    "fused",
    "gap_to_best",
    "is_first",
    "query_cov",
    "doc_cov",
    "seq_ratio",
    "len_ratio",
    "neg_mismatch",
    "kind_jaccard",
    "digits_mismatch",
    "bigram_jaccard",
    "uncovered_idf",
    # list-level: how clear-cut the retrieval is
    "rank",
    "best_fused",
    "margin_1_2",
    "near_best",
    # what one side asks that the other does not (a look-alike usually swaps one key term)
    "doc_uncovered_idf",
    "query_only_words",
    "doc_only_words",
    "query_only_idf2",
    "doc_only_idf2",
    "query_only_char_idf",
    "doc_only_char_idf",
    "query_only_char_max",
    "doc_only_char_max",
    "query_only_shared_char",
    "bigram_in_doc",
    "bigram_in_query",
    "trigram_jaccard",
    "longest_common",
    "query_len",
    "doc_len",
    "kinds_query_only",
    "kinds_doc_only",
    "neg_query",
    "neg_doc",
    "digits_query",
    "digits_doc",
    "query_missing_idf",
    "doc_missing_idf",
    "query_missing_mass",
    "doc_missing_mass",
    "diff_segments",
    "diff_query_chars",
    "diff_doc_chars",
    "diff_max_query_idf",
    "diff_max_doc_idf",
]


class Trees:
    """A gradient-boosted tree ensemble (scikit-learn's HistGradientBoostingClassifier, binary)
    flattened to padded node arrays and evaluated with numpy, so the server needs no pickle."""

    KEYS = ("feature", "threshold", "left", "right", "leaf", "value")

    def __init__(self, data: dict) -> None:
        self.data = data
        self.bias = float(data["bias"])
        self._feat = np.array(data["feature"], dtype=np.int32)
        self._thr = np.array(data["threshold"], dtype=np.float64)
        self._left = np.array(data["left"], dtype=np.int32)
        self._right = np.array(data["right"], dtype=np.int32)
        self._leaf = np.array(data["leaf"], dtype=bool)
        self._value = np.array(data["value"], dtype=np.float64)
        self._depth = int(data["depth"])
        self._rows = np.arange(self._feat.shape[0])[:, None]

    def raw(self, X: np.ndarray) -> np.ndarray:
        """Log-odds for each row of X."""
        n = X.shape[0]
        r = self._rows
        node = np.zeros((self._feat.shape[0], n), dtype=np.int32)  # trees × rows
        cols = np.arange(n)[None, :]
        for _ in range(self._depth):
            go_left = X[cols, self._feat[r, node]] <= self._thr[r, node]
            nxt = np.where(go_left, self._left[r, node], self._right[r, node])
            node = np.where(self._leaf[r, node], node, nxt)
        return self.bias + self._value[r, node].sum(axis=0)

    @classmethod
    def from_sklearn(cls, model) -> Trees:
        """Flatten a fitted binary HistGradientBoostingClassifier (no missing values, no
        categorical features)."""
        preds = [p[0] for p in model._predictors]
        width = max(len(p.nodes) for p in preds)
        data: dict = {k: [] for k in cls.KEYS}
        depth = 0
        for p in preds:
            nd = p.nodes
            pad = width - len(nd)
            depth = max(depth, int(nd["depth"].max()))
            data["feature"].append([int(x) for x in nd["feature_idx"]] + [0] * pad)
            data["threshold"].append([float(x) for x in nd["num_threshold"]] + [0.0] * pad)
            data["left"].append([int(x) for x in nd["left"]] + [0] * pad)
            data["right"].append([int(x) for x in nd["right"]] + [0] * pad)
            data["leaf"].append([int(x) for x in nd["is_leaf"]] + [1] * pad)
            data["value"].append([float(x) for x in nd["value"]] + [0.0] * pad)
        data["depth"] = depth
        data["bias"] = float(np.ravel(model._baseline_prediction)[0])
        return cls(data)


class Contrast:
    """How much each difference between a question and an indexed one changes what is asked.

    A look-alike differs from its entry by a word or two that matter (形式 → 内容, 民事 → 行政,
    最高 → 最低); a paraphrase by words that don't (好处 → 优点, 如何 → 怎样). The generic features
    measure how big the difference is, not which one it is: this model learns, from paraphrase
    and look-alike pairs, a weight for each word, character and bigram one side has and the other
    lacks (and for word swaps); its score is one more input of the answerability trees.
    A logistic regression over these sparse indicators (``bench/qa.py --train`` fits it). The
    file keeps weights by hashed bucket, not by token: no word list of the training data ships."""

    BUCKETS = 1 << 22  # the shipped model keeps ~100 k weights: few collisions

    def __init__(self, weights: dict[int, float], bias: float = 0.0) -> None:
        self.weights = weights
        self.bias = bias

    @staticmethod
    def tokens(q: str, qw: Iterable[str], d: str, dw: Iterable[str]) -> list[str]:
        """Indicators of what differs: ``q``/``d`` are clean texts, ``qw``/``dw`` their words."""
        qset, dset = set(qw), set(dw)
        q_only, d_only = qset - dset, dset - qset
        out = ["q:" + w for w in q_only] + ["d:" + w for w in d_only]
        qc, dc = set(q), set(d)
        out += ["qc:" + c for c in qc - dc] + ["dc:" + c for c in dc - qc]
        qb, db = _grams(q, 2), _grams(d, 2)
        out += ["qb:" + b for b in qb - db] + ["db:" + b for b in db - qb]
        if len(q_only) <= 3 and len(d_only) <= 3:
            out += ["s:" + a + ">" + b for a in q_only for b in d_only]
        qk, dk = question_kinds(q), question_kinds(d)
        out += ["kq:" + k for k in qk - dk] + ["kd:" + k for k in dk - qk]
        out += ["kb:" + k for k in qk & dk]
        if not q_only:
            out.append("noq")
        if not d_only:
            out.append("nod")
        return out

    @classmethod
    def bucket(cls, token: str) -> int:
        return zlib.crc32(token.encode("utf-8")) % cls.BUCKETS

    @classmethod
    def from_tokens(cls, weights: dict[str, float], bias: float) -> Contrast:
        """The hashed model of per-token weights (tokens sharing a bucket add up)."""
        out: dict[int, float] = {}
        for t, w in weights.items():
            b = cls.bucket(t)
            out[b] = out.get(b, 0.0) + w
        return cls(out, bias)

    def score(self, tokens: Iterable[str]) -> float:
        get, bucket = self.weights.get, self.bucket
        return self.bias + sum(get(bucket(t), 0.0) for t in tokens)

    def to_json(self) -> dict:
        keys = sorted(self.weights)
        return {
            "bias": self.bias,
            "buckets": self.BUCKETS,
            "index": base64.b64encode(np.asarray(keys, dtype="<u4").tobytes()).decode(),
            "weight": base64.b64encode(
                np.asarray([self.weights[k] for k in keys], dtype="<f4").tobytes()
            ).decode(),
        }

    @classmethod
    def from_json(cls, data: dict) -> Contrast:
        if data.get("buckets") != cls.BUCKETS:
            raise ValueError("contrast weights were hashed into another number of buckets")
        keys = np.frombuffer(base64.b64decode(data["index"]), dtype="<u4")
        weights = np.frombuffer(base64.b64decode(data["weight"]), dtype="<f4")
        return cls(dict(zip(keys.tolist(), weights.tolist(), strict=True)), float(data["bias"]))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))


class Scorer:
    """Reranker and confidence over FEATURES (trained by ``bench/qa.py --train``).

    ``rank`` orders the candidates: either logistic ``weights`` + ``bias`` or a tree ensemble.
    ``answer`` (optional, trees) is the answerability model: trained only on pairs of a question
    with the entry it paraphrases or imitates, it tells a paraphrase from a look-alike and gives
    the confidence the threshold is set on; without it the rank probability is the confidence.
    ``contrast`` (optional) scores which words differ; the answer trees then take its score as
    one more column after FEATURES, and so do the rank trees when ``rank_contrast``."""

    def __init__(
        self,
        weights: list[float] | None = None,
        bias: float = 0.0,
        threshold: float = 0.5,
        trees: Trees | None = None,
        answer: Trees | None = None,
        contrast: Contrast | None = None,
        rank_contrast: bool = False,
    ) -> None:
        self.weights = weights
        self.bias = bias
        self.threshold = threshold
        self.trees = trees
        self.answer = answer
        self.contrast = contrast
        self.rank_contrast = rank_contrast

    def probabilities(self, X: np.ndarray, contrast: Sequence[float] | None = None) -> np.ndarray:
        """Rank probability for each row of X (n × len(FEATURES))."""
        X = np.asarray(X, dtype=np.float64)
        if self.trees is not None:
            if self.rank_contrast:
                X = self._with(X, contrast)
            return _sigmoid(self.trees.raw(X))
        return _sigmoid(self.bias + X @ np.asarray(self.weights, dtype=np.float64))

    def confidences(self, X: np.ndarray, contrast: Sequence[float] | None = None) -> np.ndarray:
        """Probability that each candidate answers the question (what the threshold is on);
        ``contrast`` holds the contrast score of each row when the scorer has that model."""
        X = np.asarray(X, dtype=np.float64)
        if self.answer is not None:
            if self.contrast is not None:
                X = self._with(X, contrast)
            return _sigmoid(self.answer.raw(X))
        return self.probabilities(X)

    @staticmethod
    def _with(X: np.ndarray, contrast: Sequence[float] | None) -> np.ndarray:
        if contrast is None:
            raise ValueError("this scorer needs the contrast score of every row")
        return np.column_stack([X, np.asarray(contrast, dtype=np.float64)])

    def probability(self, feats: Sequence[float]) -> float:
        return float(self.probabilities(np.asarray([feats]))[0])

    def to_json(self) -> dict:
        out: dict = {"features": FEATURES, "threshold": self.threshold}
        if self.trees is not None:
            out["rank"] = self.trees.data
        else:
            out["weights"], out["bias"] = self.weights, self.bias
        if self.answer is not None:
            out["answer"] = self.answer.data
        if self.contrast is not None:
            out["contrast"] = self.contrast.to_json()
            out["rank_contrast"] = self.rank_contrast
        return out

    @classmethod
    def from_json(cls, data: dict) -> Scorer:
        if data.get("features") != FEATURES:
            raise ValueError("reranker weights were trained on other features")
        return cls(
            data.get("weights"),
            float(data.get("bias", 0.0)),
            float(data.get("threshold", 0.5)),
            trees=Trees(data["rank"]) if "rank" in data else None,
            answer=Trees(data["answer"]) if "answer" in data else None,
            contrast=Contrast.from_json(data["contrast"]) if "contrast" in data else None,
            rank_contrast=bool(data.get("rank_contrast", False)),
        )


@cache
def default_scorer() -> Scorer | None:
    """``data/reranker.json`` (logistic, calibrated for the default threshold 0.5 on small county
    knowledge bases), or the file GOVHUB_QA_RERANKER names — e.g. ``reranker_trees.json``, the
    tree models that ``bench/qa.py`` measures on the legal groups (use its stored threshold)."""
    path = DATA / (os.environ.get("GOVHUB_QA_RERANKER") or "reranker.json")
    if not path.exists():
        return None
    return Scorer.from_json(json.loads(path.read_text(encoding="utf-8")))


def _ngrams(s: str) -> list[str]:
    """Character 1–3-grams, as the char TfidfVectorizer cuts them."""
    return [s[i : i + n] for n in (1, 2, 3) for i in range(len(s) - n + 1)]


def _grams(s: str, n: int) -> set[str]:
    return {s[i : i + n] for i in range(len(s) - n + 1)}


class Index:
    """Indexed questions (each an entry's question or one of its variants)."""

    def __init__(
        self,
        docs: Iterable[tuple[object, str]],
        *,
        synonyms: dict[str, str] | None = None,
        scorer: Scorer | None = None,
        char_weight: float = 0.5,
    ) -> None:
        self.synonyms = default_synonyms() if synonyms is None else synonyms
        self.scorer = scorer
        self.char_weight = char_weight
        pairs = [(eid, text) for eid, text in docs if clean(text)]
        self.entry_ids = [eid for eid, _ in pairs]
        self.texts = [clean(t) for _, t in pairs]
        self.doc_words = [words(t, self.synonyms) for t in self.texts]
        self.empty = not self.texts
        if self.empty:
            return
        self.char_vec = TfidfVectorizer(
            analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=1, dtype=np.float32
        )
        self.char_m = self.char_vec.fit_transform(self.texts).T.tocsr()
        self.word_vec = TfidfVectorizer(
            analyzer=lambda ws: ws, ngram_range=(1, 1), sublinear_tf=True, dtype=np.float32
        )
        self.word_m = self.word_vec.fit_transform(self.doc_words).T.tocsr()
        vocab = self.word_vec.vocabulary_
        idf = self.word_vec.idf_
        self._idf = {w: float(idf[i]) for w, i in vocab.items()}
        self._max_idf = float(idf.max()) if len(idf) else 1.0
        cidf = self.char_vec.idf_
        self._char_idf = {
            g: float(cidf[i]) for g, i in self.char_vec.vocabulary_.items() if len(g) == 1
        }
        self._max_char_idf = max(self._char_idf.values(), default=1.0)
        # the query side of both vectorizers by hand: sklearn's transform() spends a
        # millisecond validating its input, longer than the rest of a question
        self._char_vocab, self._char_weights = self.char_vec.vocabulary_, self.char_vec.idf_
        self._word_vocab, self._word_weights = vocab, idf

    @staticmethod
    def _scores(m, vocab: dict, idf: np.ndarray, terms: list[str]) -> np.ndarray:
        """Cosine of the sublinear TF-IDF vector of ``terms`` with every indexed question."""
        counts: dict[int, int] = {}
        for t in terms:
            i = vocab.get(t)
            if i is not None:
                counts[i] = counts.get(i, 0) + 1
        if not counts:
            return np.zeros(m.shape[1], dtype=np.float32)
        idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        w = (1.0 + np.log(tf)) * idf[idx]
        w /= np.sqrt((w * w).sum())
        return np.asarray(m[idx].T @ w.astype(np.float32)).ravel()

    def __len__(self) -> int:
        return len(self.texts)

    def idf(self, w: str) -> float:
        return self._idf.get(w, self._max_idf)

    def char_idf(self, ch: str) -> float:
        return self._char_idf.get(ch, self._max_char_idf)

    def candidates(self, query: str, k: int = 10) -> tuple[str, list[str], list[Candidate]]:
        """The ``k`` entries with the best fused TF-IDF score, with their features."""
        if self.empty:
            return "", [], []
        q = clean(query)
        if not q:
            return q, [], []
        qw = words(q, self.synonyms)
        char_s = self._scores(self.char_m, self._char_vocab, self._char_weights, _ngrams(q))
        word_s = self._scores(self.word_m, self._word_vocab, self._word_weights, qw)
        fused = self.char_weight * char_s + (1 - self.char_weight) * word_s
        n = min(len(fused), k * 4)
        top = np.argpartition(-fused, n - 1)[:n] if n < len(fused) else np.arange(len(fused))
        top = top[np.argsort(-fused[top])]
        seen: dict[object, Candidate] = {}
        for i in top:
            eid = self.entry_ids[i]
            if eid in seen:
                continue
            seen[eid] = Candidate(eid, int(i), float(char_s[i]), float(word_s[i]), float(fused[i]))
            if len(seen) >= k:
                break
        cands = list(seen.values())
        self._featurise(q, qw, cands)
        return q, qw, cands

    def search(self, query: str, k: int = 10) -> list[Candidate]:
        """The best ``k`` entries for ``query``, reranked, each with its features and confidence."""
        q, qw, cands = self.candidates(query, k)
        if not cands:
            return []
        if self.scorer is not None:
            X = np.array([c.features for c in cands])
            contrast = None
            if self.scorer.contrast is not None:
                contrast = [self.contrast_score(q, qw, c.doc) for c in cands]
            rank = self.scorer.probabilities(X, contrast)
            conf = rank if self.scorer.answer is None else self.scorer.confidences(X, contrast)
            order = np.argsort(-rank, kind="stable")
            for c, p in zip(cands, conf, strict=True):
                c.confidence = float(p)
            cands = [cands[i] for i in order]
        else:
            for c in cands:
                c.confidence = c.fused
        return cands

    def contrast_score(self, q: str, qw: list[str], doc: int) -> float:
        """The scorer's contrast score of clean question ``q`` (words ``qw``) against a doc."""
        tokens = Contrast.tokens(q, qw, self.texts[doc], self.doc_words[doc])
        return self.scorer.contrast.score(tokens)

    def _featurise(self, q: str, qw: list[str], cands: list[Candidate]) -> None:
        if not cands:
            return
        best = cands[0].fused
        second = cands[1].fused if len(cands) > 1 else 0.0
        qset = set(qw)
        q_kinds = question_kinds(q)
        q_neg = bool(_NEG.search(q))
        q_digits = set(_DIGITS.findall(q))
        q_bi = _grams(q, 2)
        q_tri = _grams(q, 3)
        q_chars = set(q)
        q_mass = sum(self.idf(w) for w in qset) or 1.0
        q_cmass = sum(self.char_idf(ch) for ch in q_chars) or 1.0
        mx, cmx = self._max_idf, self._max_char_idf
        near = sum(1 for c in cands if c.fused >= best - 0.05)
        for rank, c in enumerate(cands):
            d = self.texts[c.doc]
            dset = set(self.doc_words[c.doc])
            d_mass = sum(self.idf(w) for w in dset) or 1.0
            shared = qset & dset
            q_cov = sum(self.idf(w) for w in shared) / q_mass
            d_cov = sum(self.idf(w) for w in shared) / d_mass
            q_only = sorted((self.idf(w) for w in qset - dset), reverse=True)
            d_only = sorted((self.idf(w) for w in dset - qset), reverse=True)
            d_kinds = question_kinds(d)
            union = q_kinds | d_kinds
            kind_j = len(q_kinds & d_kinds) / len(union) if union else 1.0
            d_bi = _grams(d, 2)
            d_tri = _grams(d, 3)
            bi_union = q_bi | d_bi
            tri_union = q_tri | d_tri
            gap = c.fused - (second if rank == 0 else best)
            d_chars = set(d)
            qc_only = [self.char_idf(ch) for ch in q_chars - d_chars]
            dc_only = [self.char_idf(ch) for ch in d_chars - q_chars]
            d_cmass = sum(self.char_idf(ch) for ch in d_chars) or 1.0
            # query-only words that share a character with some doc-only word (a near-synonym)
            dw_only = dset - qset
            dchars_only = set("".join(dw_only))
            near_syn = sum(self.idf(w) for w in qset - dset if set(w) & dchars_only) / q_mass
            # words one side lacks even as a substring (segmentation may cut them differently)
            q_missing = [self.idf(w) for w in qset - dset if w not in d]
            d_missing = [self.idf(w) for w in dw_only if w not in q]
            sm = SequenceMatcher(None, q, d, autojunk=False)
            blocks = sm.get_matching_blocks()
            longest = max((b.size for b in blocks), default=0)
            segs = 0
            dq_chars = dd_chars = 0
            dq_max = dd_max = 0.0
            for tag, i1, i2, j1, j2 in sm.get_opcodes():
                if tag == "equal":
                    continue
                segs += 1
                dq_chars += i2 - i1
                dd_chars += j2 - j1
                dq_max = max(dq_max, sum(self.char_idf(ch) for ch in q[i1:i2] if ch not in d))
                dd_max = max(dd_max, sum(self.char_idf(ch) for ch in d[j1:j2] if ch not in q))
            d_neg = bool(_NEG.search(d))
            d_digits = set(_DIGITS.findall(d))
            c.features = [
                c.char,
                c.word,
                c.fused,
                gap,
                1.0 if rank == 0 else 0.0,
                q_cov,
                d_cov,
                2.0 * sum(b.size for b in blocks) / (len(q) + len(d)),
                min(len(q), len(d)) / max(len(q), len(d)),
                1.0 if q_neg != d_neg else 0.0,
                kind_j,
                1.0 if q_digits != d_digits else 0.0,
                len(q_bi & d_bi) / len(bi_union) if bi_union else 0.0,
                (q_only[0] if q_only else 0.0) / mx,
                float(rank),
                best,
                best - second,
                float(near),
                (d_only[0] if d_only else 0.0) / mx,
                float(len(q_only)),
                float(len(d_only)),
                (q_only[1] if len(q_only) > 1 else 0.0) / mx,
                (d_only[1] if len(d_only) > 1 else 0.0) / mx,
                sum(qc_only) / q_cmass,
                sum(dc_only) / d_cmass,
                max(qc_only, default=0.0) / cmx,
                max(dc_only, default=0.0) / cmx,
                near_syn,
                len(q_bi & d_bi) / len(q_bi) if q_bi else 0.0,
                len(q_bi & d_bi) / len(d_bi) if d_bi else 0.0,
                len(q_tri & d_tri) / len(tri_union) if tri_union else 0.0,
                longest / max(len(q), 1),
                float(len(q)),
                float(len(d)),
                float(len(q_kinds - d_kinds)),
                float(len(d_kinds - q_kinds)),
                1.0 if q_neg else 0.0,
                1.0 if d_neg else 0.0,
                1.0 if q_digits else 0.0,
                1.0 if d_digits else 0.0,
                max(q_missing, default=0.0) / mx,
                max(d_missing, default=0.0) / mx,
                sum(q_missing) / q_mass,
                sum(d_missing) / d_mass,
                float(segs),
                dq_chars / max(len(q), 1),
                dd_chars / max(len(d), 1),
                dq_max / cmx,
                dd_max / cmx,
            ]

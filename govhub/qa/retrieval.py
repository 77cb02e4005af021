"""Retrieval over the answers knowledge base: fused char/word TF-IDF, then a feature reranker.

Why this shape (measured with ``bench/qa.py`` on 6,036 groups of real legal questions):
char 1–3-gram TF-IDF alone finds the right entry for about 77% of unseen paraphrases and cannot
tell a paraphrase from a look-alike question that asks something else (a "hard negative").
Fusing it with word TF-IDF over segmented Chinese (with synonyms folded) finds more of the right
entries among the first ten; a small logistic model over similarity features of each
(question, candidate) pair then reorders those ten and gives a calibrated probability, which is
the confidence the threshold is set on. The model has a dozen weights shipped as JSON
(``data/reranker.json``): its features are generic similarities, not legal words, so the same
weights serve the county's own knowledge base.

Pure Python + scikit-learn; no Django here, so the benchmark and the server share it.
"""

from __future__ import annotations

import json
import math
import re
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
]


@dataclass
class Scorer:
    """Logistic model over FEATURES (weights trained by ``bench/qa.py --train``)."""

    weights: list[float]
    bias: float
    threshold: float = 0.5

    def probability(self, feats: Sequence[float]) -> float:
        z = self.bias + sum(w * f for w, f in zip(self.weights, feats, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_json(self) -> dict:
        return {
            "features": FEATURES,
            "weights": self.weights,
            "bias": self.bias,
            "threshold": self.threshold,
        }

    @classmethod
    def from_json(cls, data: dict) -> Scorer:
        if data.get("features") != FEATURES:
            raise ValueError("reranker weights were trained on other features")
        return cls(list(data["weights"]), float(data["bias"]), float(data.get("threshold", 0.5)))


@cache
def default_scorer() -> Scorer | None:
    path = DATA / "reranker.json"
    if not path.exists():
        return None
    return Scorer.from_json(json.loads(path.read_text(encoding="utf-8")))


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

    def __len__(self) -> int:
        return len(self.texts)

    def idf(self, w: str) -> float:
        return self._idf.get(w, self._max_idf)

    def search(self, query: str, k: int = 10) -> list[Candidate]:
        """The best ``k`` entries for ``query``, reranked, each with its features and confidence."""
        if self.empty:
            return []
        q = clean(query)
        if not q:
            return []
        qw = words(q, self.synonyms)
        cq = self.char_vec.transform([q])
        wq = self.word_vec.transform([qw])
        char_s = (cq @ self.char_m).toarray().ravel()
        word_s = (wq @ self.word_m).toarray().ravel()
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
        if self.scorer is not None:
            for c in cands:
                c.confidence = self.scorer.probability(c.features)
            cands.sort(key=lambda c: -c.confidence)
        else:
            for c in cands:
                c.confidence = c.fused
        return cands

    def _featurise(self, q: str, qw: list[str], cands: list[Candidate]) -> None:
        if not cands:
            return
        best = cands[0].fused
        second = cands[1].fused if len(cands) > 1 else 0.0
        qset = set(qw)
        q_kinds = question_kinds(q)
        q_neg = bool(_NEG.search(q))
        q_digits = set(_DIGITS.findall(q))
        q_bi = {q[i : i + 2] for i in range(len(q) - 1)}
        q_mass = sum(self.idf(w) for w in qset) or 1.0
        for rank, c in enumerate(cands):
            d = self.texts[c.doc]
            dset = set(self.doc_words[c.doc])
            d_mass = sum(self.idf(w) for w in dset) or 1.0
            shared = qset & dset
            q_cov = sum(self.idf(w) for w in shared) / q_mass
            d_cov = sum(self.idf(w) for w in shared) / d_mass
            uncovered = max((self.idf(w) for w in qset - dset), default=0.0) / self._max_idf
            d_kinds = question_kinds(d)
            union = q_kinds | d_kinds
            kind_j = len(q_kinds & d_kinds) / len(union) if union else 1.0
            d_bi = {d[i : i + 2] for i in range(len(d) - 1)}
            bi_union = q_bi | d_bi
            gap = c.fused - (second if rank == 0 else best)
            c.features = [
                c.char,
                c.word,
                c.fused,
                gap,
                1.0 if rank == 0 else 0.0,
                q_cov,
                d_cov,
                SequenceMatcher(None, q, d, autojunk=False).ratio(),
                min(len(q), len(d)) / max(len(q), len(d)),
                1.0 if q_neg != bool(_NEG.search(d)) else 0.0,
                kind_j,
                1.0 if q_digits != set(_DIGITS.findall(d)) else 0.0,
                len(q_bi & d_bi) / len(bi_union) if bi_union else 0.0,
                uncovered,
            ]

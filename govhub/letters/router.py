"""The letter router (分办建议): a text classifier trained on the government's own letters.

Features (``features.py``): hashed char 1–3-grams and rjieba words (1–2-grams), TF-IDF with
columns learned from the training letters, computed by a compiled walk over each letter.
Classifier: the sum of two linear models on those features — a ridge classifier with balanced
class weights and a one-vs-rest ridge on NB-weighted features (each column scaled by its
per-class log-count ratio, as in NBSVM) — each scaled by the spread of its training scores.
Both are linear, so the router is one weight matrix: classifying a letter is one pass over its
text adding weight rows (no sparse matrix is built). Confidence: one Platt scale (sigmoid of
the score, fitted on out-of-fold scores of the training letters), normalised over the
categories; one scale for all categories keeps the choice the arg-max of the scores.
The label is a category (mapped to a department through the administrator's CategoryRoute
table, per town when one is set) or directly a department code/name. Models are versioned in
the database (RouterModel); activating a version is how a rollback is done. Versions trained
by the previous (sklearn pipeline) router still load and classify.
"""

from __future__ import annotations

import csv
import io
import json
import pickle
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import rjieba
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression, Ridge, RidgeClassifier
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
)
from sklearn.model_selection import StratifiedKFold

from govhub.core.pii import redacted_value
from govhub.core.text import STOPWORDS, normalise
from govhub.letters.features import LetterFeatures

MAX_CHARS = 1000  # the start of a letter says what it is about; caps cost on very long letters


def letter_text(subject: str, content: str) -> str:
    return normalise(f"{subject or ''} {subject or ''} {content or ''}")[:MAX_CHARS]


def words(text: str) -> list[str]:
    return [w for w in rjieba.cut(text) if w.strip() and w not in STOPWORDS and not w.isdigit()]


def char_prep(text: str) -> str:
    """Kept: versions stored by the previous router refer to it by name."""
    return text.lower()


@dataclass
class Prediction:
    label: str
    confidence: float
    candidates: list[tuple[str, float]]  # the next ones, best first
    words: list[str] = field(default_factory=list)


def _nb_ridge(x: sp.csr_matrix, y: np.ndarray, classes: np.ndarray, alpha: float, smooth: float):
    """One-vs-rest ridge on NB-weighted features; returns (coef, intercept) on plain features."""
    binary = x.copy()
    binary.data[:] = 1.0
    coef, intercept = [], []
    for c in classes:
        pos = y == c
        p = smooth + np.asarray(binary[pos].sum(axis=0)).ravel()
        q = smooth + np.asarray(binary[~pos].sum(axis=0)).ravel()
        r = np.log((p / p.sum()) / (q / q.sum()))
        weight = np.where(pos, 0.5 / pos.mean(), 0.5 / (1 - pos.mean()))
        model = Ridge(alpha=alpha).fit(x @ sp.diags(r), np.where(pos, 1.0, -1.0), weight)
        coef.append(model.coef_ * r)
        intercept.append(float(model.intercept_))
    return np.array(coef), np.array(intercept)


def _spread(x: sp.csr_matrix, coef: np.ndarray, intercept: np.ndarray) -> float:
    s = x @ coef.T + intercept
    return float(np.std(s - s.mean(axis=1, keepdims=True))) or 1.0


def fit_linear(
    x: sp.csr_matrix, y: Sequence[str], alpha: float = 1.0, nb_alpha: float = 1.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(classes, coef, intercept) of the ensemble described in the module doc."""
    y = np.asarray(y)
    ridge = RidgeClassifier(alpha=alpha, class_weight="balanced").fit(x, y)
    classes = ridge.classes_
    c1, b1 = ridge.coef_, ridge.intercept_
    if len(classes) == 2:  # sklearn keeps one row for two classes
        c1, b1 = np.vstack([-c1, c1]), np.concatenate([-b1, b1])
    c2, b2 = _nb_ridge(x, y, classes, nb_alpha, 1.0)
    s1, s2 = _spread(x, c1, b1), _spread(x, c2, b2)
    return classes, c1 / s1 + c2 / s2, b1 / s1 + b2 / s2


class TrainedRouter:
    """Features, one weight matrix and a Platt scale; what is needed to explain a choice."""

    def __init__(self, features: LetterFeatures, classes, coef, intercept, platt=(1.0, 0.0)):
        self.features = features
        self.labels: list[str] = [str(c) for c in classes]
        self.coef = np.asarray(coef, dtype=np.float32)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.platt = (float(platt[0]), float(platt[1]))
        self._fused = features.fused(self.coef)

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        return self.features.scores(list(texts), self._fused, self.intercept)

    def proba_from_scores(self, scores: np.ndarray) -> np.ndarray:
        a, b = self.platt
        p = 1.0 / (1.0 + np.exp(-(a * scores + b)))
        return p / p.sum(axis=1, keepdims=True)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return self.proba_from_scores(self.scores(texts))

    def predict(self, texts: Sequence[str]) -> list[str]:
        best = self.scores(texts).argmax(axis=1)
        return [self.labels[i] for i in best]

    def classify_many(self, texts: Sequence[str], batch: int = 1000) -> list[str]:
        """Labels for many letters, in batches (bounded memory)."""
        out: list[str] = []
        for i in range(0, len(texts), batch):
            out.extend(self.predict(texts[i : i + batch]))
        return out

    def explain(self, text: str, top: int = 3, n_words: int = 6) -> Prediction:
        """The best label, its confidence, the next candidates and the words that pushed most
        towards the chosen label (a word's weight: its own feature and its char n-grams)."""
        proba = self.predict_proba([text])[0]
        order = proba.argmax(), *np.argsort(-proba)[1:top]
        best = order[0]
        return Prediction(
            label=self.labels[best],
            confidence=float(proba[best]),
            candidates=[(self.labels[i], float(proba[i])) for i in order[1:]],
            words=self._words_for(text, best, n_words),
        )

    def _words_for(self, text: str, best: int, n_words: int) -> list[str]:
        f = self.features
        w = self._fused[:, best]
        contrib: dict[str, float] = {}
        for token in rjieba.cut(text, f.hmm):
            if len(token) < 2 or token in STOPWORDS or not token.strip() or token.isdigit():
                continue
            if token not in contrib:
                contrib[token] = 0.0
            col = f.column(token)
            value = float(w[col]) if col >= 0 else 0.0
            value += float(sum(w[c] for c in f.char_columns(token)))
            contrib[token] += value
        ranked = sorted((v, k) for k, v in contrib.items() if v > 0)
        return [k for _, k in reversed(ranked)][:n_words]

    def dumps(self) -> bytes:
        """Numbers and JSON in a NumPy archive, never a pickle: loading a version runs no code,
        whoever could write the table."""
        f = self.features
        meta = {
            "kind": "linear-v3",
            "labels": self.labels,
            "platt": list(self.platt),
            "char_range": list(f.char_range),
            "min_df": f.min_df,
            "hmm": f.hmm,
            "stop": sorted(f.stop),
        }
        out = io.BytesIO()
        np.savez_compressed(
            out,
            meta=np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), dtype=np.uint8),
            coef=self.coef,
            intercept=self.intercept,
            buckets=f.buckets_,
            idf=f.idf_,
        )
        return out.getvalue()

    @classmethod
    def loads(cls, blob: bytes):
        if blob[:2] == b"PK":  # a NumPy archive (linear-v3)
            with np.load(io.BytesIO(blob), allow_pickle=False) as arrays:
                meta = json.loads(arrays["meta"].tobytes().decode())
                features = LetterFeatures(
                    tuple(meta["char_range"]), meta["min_df"], meta["hmm"], frozenset(meta["stop"])
                )
                features.__setstate__({"buckets_": arrays["buckets"], "idf_": arrays["idf"]})
                return cls(
                    features, meta["labels"], arrays["coef"], arrays["intercept"], meta["platt"]
                )
        # versions stored before linear-v3 (written by train_router only, kept for rollback);
        # retraining replaces them
        obj = pickle.loads(blob)  # noqa: S301  # nosec B301 - our own older versions only
        if isinstance(obj, dict) and obj.get("kind") == "linear-v2":
            return cls(obj["features"], obj["labels"], obj["coef"], obj["intercept"], obj["platt"])
        return PipelineRouter(obj)  # a version stored by the previous router


def _fit_scores(texts, labels, **kw):
    feats = LetterFeatures(char_range=(1, 3), hmm=True, stop=STOPWORDS).fit(texts)
    classes, coef, intercept = fit_linear(feats.transform(texts), labels, **kw)
    return feats, classes, coef, intercept


def fit(
    texts: Sequence[str], labels: Sequence[str], calibrated: bool = True, **kw
) -> TrainedRouter:
    """Train on all the letters; the Platt scale from 3-fold out-of-fold scores."""
    texts, labels = list(texts), np.asarray(labels)
    router = TrainedRouter(*_fit_scores(texts, labels, **kw))
    counts = np.unique(labels, return_counts=True)[1]
    if calibrated and len(counts) > 1 and counts.min() >= 3:
        s, t = [], []
        folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
        for train, test in folds.split(texts, labels):
            inner = TrainedRouter(*_fit_scores([texts[i] for i in train], labels[train], **kw))
            scores = inner.scores([texts[i] for i in test])
            index = {lab: j for j, lab in enumerate(inner.labels)}
            for lab in router.labels:  # a category missing from a fold scores lowest
                col = scores[:, index[lab]] if lab in index else np.full(len(test), -1e3)
                s.append(col)
                t.append(labels[test] == lab)
        platt = LogisticRegression(C=1.0).fit(np.concatenate(s)[:, None], np.concatenate(t))
        router.platt = (float(platt.coef_[0, 0]), float(platt.intercept_[0]))
    return router


def cross_validate(
    texts: Sequence[str],
    labels: Sequence[str],
    folds: int = 5,
    seed: int = 0,
    progress: Iterable | None = None,
    **kw,
) -> dict:
    """Stratified k-fold: macro-F1 and accuracy on letters each model has not seen (the
    features too are learned from the training folds only), with the per-fold spread."""
    texts, labels = np.array(texts, dtype=object), np.array(labels, dtype=object)
    y_true, y_pred, fold_f1, fold_acc = [], [], [], []
    skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    splits = list(skf.split(texts, labels))
    for train, test in progress(splits) if progress else splits:
        model = fit(list(texts[train]), list(labels[train]), calibrated=False, **kw)
        pred = model.predict(list(texts[test]))
        y_true.extend(labels[test])
        y_pred.extend(pred)
        fold_f1.append(f1_score(list(labels[test]), pred, average="macro", zero_division=0))
        fold_acc.append(accuracy_score(list(labels[test]), pred))
    out = evaluate_predictions(y_true, y_pred)
    out["fold_macro_f1"] = [float(v) for v in fold_f1]
    out["macro_f1_mean"], out["macro_f1_std"] = float(np.mean(fold_f1)), float(np.std(fold_f1))
    out["accuracy_mean"], out["accuracy_std"] = float(np.mean(fold_acc)), float(np.std(fold_acc))
    return out


def evaluate_predictions(y_true: Sequence[str], y_pred: Sequence[str]) -> dict:
    labels = sorted(set(y_true) | set(y_pred))
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    return {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(
            f1_score(y_true, y_pred, average="macro", labels=labels, zero_division=0)
        ),
        "labels": labels,
        "per_class": [
            {
                "label": lab,
                "precision": float(p[i]),
                "recall": float(r[i]),
                "f1": float(f[i]),
                "support": int(s[i]),
            }
            for i, lab in enumerate(labels)
        ],
        "confusion": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
        "n": len(y_true),
    }


def throughput(router, texts: Sequence[str], repeat: int = 1) -> float:
    """Letters classified per second (one process, batch)."""
    start = time.perf_counter()
    for _ in range(repeat):
        router.predict(texts)
    return len(texts) * repeat / (time.perf_counter() - start)


class PipelineRouter:
    """A version stored by the previous router (a pickled sklearn pipeline of word + char
    TF-IDF and a calibrated ridge classifier): loaded so that rollback to it keeps working."""

    def __init__(self, pipeline):
        self.pipeline = pipeline
        self.labels: list[str] = [str(x) for x in pipeline.classes_]

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return self.pipeline.predict_proba(list(texts))

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [self.labels[i] for i in self.predict_proba(texts).argmax(axis=1)]

    classify_many = predict

    def explain(self, text: str, top: int = 3, n_words: int = 6) -> Prediction:
        feats = self.pipeline.named_steps["features"]
        clf = self.pipeline.named_steps["clf"]
        word_vec = feats.transformer_list[0][1]
        names = word_vec.get_feature_names_out()
        if hasattr(clf, "calibrated_classifiers_"):
            coef = np.mean([c.estimator.coef_ for c in clf.calibrated_classifiers_], axis=0)
        else:
            coef = clf.coef_
        proba = self.predict_proba([text])[0]
        order = proba.argmax(), *np.argsort(-proba)[1:top]
        best = order[0]
        row = feats.transform([text]).tocsr()
        contrib = row.data * coef[best, row.indices]
        chosen: list[str] = []
        for j in np.argsort(-contrib):
            if contrib[j] <= 0 or len(chosen) >= n_words:
                break
            if row.indices[j] < len(names):
                name = str(names[row.indices[j]]).replace(" ", "")
                if name not in chosen and len(name) > 1:
                    chosen.append(name)
        return Prediction(
            label=self.labels[best],
            confidence=float(proba[best]),
            candidates=[(self.labels[i], float(proba[i])) for i in order[1:]],
            words=chosen,
        )

    def dumps(self) -> bytes:
        return pickle.dumps(self.pipeline, protocol=pickle.HIGHEST_PROTOCOL)


# --- reading training files ------------------------------------------------------------

SUBJECT_KEYS = ("subject", "标题", "留言主题", "主题")
TEXT_KEYS = ("text", "content", "内容", "留言详情", "正文")
LABEL_KEYS = ("label", "category", "department", "类别", "一级标签", "一级分类", "部门", "承办部门")


def _pick(row: dict, keys: Sequence[str]) -> str:
    for k in keys:
        if k in row and row[k] is not None:
            return str(row[k]).strip()
    return ""


def read_training_file(path: str) -> tuple[list[str], list[str]]:
    """(texts, labels) from a CSV (UTF-8, with or without BOM) or an .xlsx export."""
    rows: list[dict]
    if path.lower().endswith((".xlsx", ".xlsm")):
        from openpyxl import load_workbook

        ws = load_workbook(path, read_only=True, data_only=True).active
        it = ws.iter_rows(values_only=True)
        header = [str(h or "").strip() for h in next(it)]
        rows = [dict(zip(header, r, strict=False)) for r in it]
    else:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(io.StringIO(fh.read())))
    texts, labels = [], []
    for row in rows:
        label = _pick(row, LABEL_KEYS)
        text = letter_text(_pick(row, SUBJECT_KEYS), _pick(row, TEXT_KEYS))
        if label and text:
            texts.append(text)
            labels.append(label)
    if not texts:
        raise ValueError("文件中没有可用的行：需要“标题/subject”“内容/text”和“类别/部门/label”列。")
    return texts, labels


# --- the active model and suggestions ---------------------------------------------------


@lru_cache(maxsize=2)
def _load(pk: int, created_at) -> TrainedRouter | PipelineRouter:
    """Keyed by the row's id and creation time, not the version number alone: a database that
    was reset (a restore, the test suite) numbers its versions from 1 again."""
    from govhub.letters.models import RouterModel

    return TrainedRouter.loads(bytes(RouterModel.objects.get(pk=pk).blob))


def active_router() -> TrainedRouter | PipelineRouter | None:
    from govhub.letters.models import RouterModel

    row = RouterModel.objects.filter(active=True).values_list("pk", "created_at").first()
    return _load(*row) if row is not None else None


def label_to_department(label: str, town=None):
    """A category (via CategoryRoute, the town's own route first) or a department code/name."""
    return labels_to_departments([label], town)[label]


def labels_to_departments(labels, town=None) -> dict:
    """``label_to_department`` for several labels at once (a suggestion and its candidates):
    three or four queries in all instead of up to four per label — this runs for every letter.
    A label is a category's code, else its name (routed through CategoryRoute: a route of the
    town or one of its ancestors first, the lowest id winning, else the county-wide route), else
    a department's code, else its name (the first in tree order)."""
    from django.db.models import Q

    from govhub.core.models import Department
    from govhub.letters.models import Category, CategoryRoute

    labels = list(dict.fromkeys(labels))
    categories = list(Category.objects.filter(Q(code__in=labels) | Q(name__in=labels)))
    by_code = {c.code: c for c in categories}
    by_name = {c.name: c for c in categories}
    chosen = {label: by_code.get(label) or by_name.get(label) for label in labels}
    routes = list(
        CategoryRoute.objects.filter(category__in=[c for c in chosen.values() if c])
        .select_related("department")
        .order_by("pk")
    )
    town_ids = set()
    if town is not None and routes:
        town_ids = {town.pk} | {a.pk for a in town.get_ancestors()}
    rest = [label for label, c in chosen.items() if c is None]
    departments = (
        list(Department.objects.filter(Q(code__in=rest) | Q(name__in=rest)).order_by("path"))
        if rest
        else []
    )
    out = {}
    for label, category in chosen.items():
        if category is not None:
            mine = [r for r in routes if r.category_id == category.pk]
            found = next((r for r in mine if r.town_id in town_ids), None) or next(
                (r for r in mine if r.town_id is None), None
            )
            out[label] = ((found.department if found else None), category)
            continue
        dept = next((d for d in departments if d.code == label), None) or next(
            (d for d in departments if d.name == label), None
        )
        out[label] = (dept, None)
    return out


def suggest(subject: str, content: str, town=None) -> dict:
    """The router's suggestion as stored on a letter and shown to the dispatcher."""
    router = active_router()
    if router is None:
        return {}
    pred = router.explain(letter_text(subject, content))
    resolved = labels_to_departments([pred.label] + [lb for lb, _ in pred.candidates], town)
    dept, category = resolved[pred.label]
    out = {
        "label": pred.label,
        "category": category.name if category else "",
        "department_id": dept.pk if dept else None,
        "department": dept.name if dept else "",
        "confidence": round(pred.confidence, 4),
        "words": pred.words,
        "candidates": [],
    }
    for label, conf in pred.candidates:
        d, c = resolved[label]
        out["candidates"].append(
            {
                "label": label,
                "department_id": d.pk if d else None,
                "department": d.name if d else "",
                "confidence": round(conf, 4),
            }
        )
    return out


def suggest_for_letter(letter) -> dict:
    if letter.category_id and letter.category.code == "site_error":
        dept, _ = label_to_department("site_error", letter.town)
        if dept is not None:
            return {
                "label": "site_error",
                "category": letter.category.name,
                "department_id": dept.pk,
                "department": dept.name,
                "confidence": 1.0,
                "words": [],
                "candidates": [],
            }
    try:
        # routing reads the redacted copies, as the model was trained on them
        subject, content = redacted_value(letter, "subject"), redacted_value(letter, "content")
        return suggest(subject, content, letter.town)
    except Exception:  # a broken model must never lose a letter
        import logging

        logging.getLogger(__name__).exception("router failed; letter left for manual dispatch")
        return {}


def store_model(router: TrainedRouter, *, metrics: dict, source: str, activate: bool = True):
    """Save a new version; the previous stays for rollback."""
    from django.db import transaction
    from django.db.models import Max

    from govhub.letters.models import RouterModel

    with transaction.atomic():
        version = (RouterModel.objects.aggregate(m=Max("version"))["m"] or 0) + 1
        if activate:
            RouterModel.objects.filter(active=True).update(active=False)
        model = RouterModel.objects.create(
            version=version,
            active=activate,
            labels=router.labels,
            metrics=metrics,
            source=source[:200],
            blob=router.dumps(),
        )
    return model


def activate_version(version: int):
    """Roll back (or forward) to a stored version."""
    from django.db import transaction

    from govhub.letters.models import RouterModel

    with transaction.atomic():
        model = RouterModel.objects.get(version=version)
        RouterModel.objects.filter(active=True).update(active=False)
        model.active = True
        model.save(update_fields=["active"])
    return model

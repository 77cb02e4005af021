"""The letter router (分办建议): a text classifier trained on the government's own letters.

Features: the union of word TF-IDF (rjieba words, uni+bigrams) and character 1–3-gram TF-IDF,
both sublinear; classifier: a ridge (least-squares linear) classifier with balanced class
weights — on the labelled letters it cross-validated above LinearSVC, LogisticRegression, SGD
and their ensembles (docs/letters.md) — its scores turned into
calibrated probabilities (Platt scaling via CalibratedClassifierCV). The label is a category
(mapped to a department through the administrator's CategoryRoute table, per town when one is
set) or directly a department code/name. Models are versioned in the database (RouterModel);
activating a version is how a rollback is done.
"""

from __future__ import annotations

import csv
import io
import pickle
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import rjieba
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import RidgeClassifier
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
)
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion, Pipeline

from govhub.core.text import STOPWORDS, normalise

MAX_CHARS = 600  # the start of a letter says what it is about; caps cost on very long letters


def letter_text(subject: str, content: str) -> str:
    return normalise(f"{subject or ''} {subject or ''} {content or ''}")[:MAX_CHARS]


def words(text: str) -> list[str]:
    return [w for w in rjieba.cut(text) if w.strip() and w not in STOPWORDS and not w.isdigit()]


def char_prep(text: str) -> str:
    return text.lower()


def make_pipeline(alpha: float = 1.0, calibrated: bool = True) -> Pipeline:
    features = FeatureUnion(
        [
            (
                "word",
                TfidfVectorizer(
                    tokenizer=words,
                    token_pattern=None,
                    lowercase=True,
                    ngram_range=(1, 2),
                    min_df=2,
                    sublinear_tf=True,
                    max_features=200000,
                ),
            ),
            (
                "char",
                TfidfVectorizer(
                    analyzer="char",
                    preprocessor=char_prep,
                    ngram_range=(1, 3),
                    min_df=2,
                    sublinear_tf=True,
                    max_features=300000,
                ),
            ),
        ]
    )
    base = RidgeClassifier(alpha=alpha, class_weight="balanced")
    clf = CalibratedClassifierCV(base, cv=3, method="sigmoid") if calibrated else base
    return Pipeline([("features", features), ("clf", clf)])


@dataclass
class Prediction:
    label: str
    confidence: float
    candidates: list[tuple[str, float]]  # the next ones, best first
    words: list[str] = field(default_factory=list)


class TrainedRouter:
    """A fitted pipeline with the label list and what is needed to explain a choice."""

    def __init__(self, pipeline: Pipeline):
        self.pipeline = pipeline
        self.labels: list[str] = [str(x) for x in pipeline.classes_]
        feats: FeatureUnion = pipeline.named_steps["features"]
        self._names = np.concatenate(
            [
                np.array([f"{w}" for w in feats.transformer_list[0][1].get_feature_names_out()]),
                np.array([f"{w}" for w in feats.transformer_list[1][1].get_feature_names_out()]),
            ]
        )
        self._n_word = len(feats.transformer_list[0][1].vocabulary_)
        clf = pipeline.named_steps["clf"]
        if isinstance(clf, CalibratedClassifierCV):
            self._coef = np.mean([c.estimator.coef_ for c in clf.calibrated_classifiers_], axis=0)
        else:
            self._coef = clf.coef_

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        clf = self.pipeline.named_steps["clf"]
        x = self.pipeline.named_steps["features"].transform(texts)
        if hasattr(clf, "predict_proba"):
            return clf.predict_proba(x)
        scores = clf.decision_function(x)
        e = np.exp(scores - scores.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, texts: Sequence[str]) -> list[str]:
        proba = self.predict_proba(texts)
        return [self.labels[i] for i in proba.argmax(axis=1)]

    def explain(self, text: str, top: int = 3, n_words: int = 6) -> Prediction:
        """The best label, its confidence, the next candidates and the words (word features
        only, for readability) that pushed most towards the chosen label."""
        x = self.pipeline.named_steps["features"].transform([text])
        proba = self.predict_proba([text])[0]
        order = proba.argmax(), *np.argsort(-proba)[1:top]
        best = order[0]
        row = x.tocsr()
        idx, vals = row.indices, row.data
        contrib = vals * self._coef[best, idx]
        chosen = []
        for j in np.argsort(-contrib):
            if contrib[j] <= 0:
                break
            feature = idx[j]
            if feature < self._n_word:
                name = self._names[feature].replace(" ", "")
                if name not in chosen and len(name) > 1:
                    chosen.append(name)
            if len(chosen) >= n_words:
                break
        return Prediction(
            label=self.labels[best],
            confidence=float(proba[best]),
            candidates=[(self.labels[i], float(proba[i])) for i in order[1:]],
            words=chosen,
        )

    def dumps(self) -> bytes:
        return pickle.dumps(self.pipeline, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def loads(cls, blob: bytes) -> TrainedRouter:
        return cls(pickle.loads(blob))  # noqa: S301 - our own model, stored by train_router


def fit(texts: Sequence[str], labels: Sequence[str], **kw) -> TrainedRouter:
    pipe = make_pipeline(**kw)
    pipe.fit(list(texts), list(labels))
    return TrainedRouter(pipe)


def cross_validate(
    texts: Sequence[str],
    labels: Sequence[str],
    folds: int = 5,
    seed: int = 0,
    progress: Iterable | None = None,
    **kw,
) -> dict:
    """Stratified k-fold: macro-F1 and accuracy on letters each model has not seen."""
    texts, labels = np.array(texts, dtype=object), np.array(labels, dtype=object)
    y_true, y_pred = [], []
    skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    splits = list(skf.split(texts, labels))
    for train, test in progress(splits) if progress else splits:
        pipe = clone(make_pipeline(**kw)).fit(list(texts[train]), list(labels[train]))
        y_true.extend(labels[test])
        y_pred.extend(pipe.predict(list(texts[test])))
    return evaluate_predictions(y_true, y_pred)


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


def throughput(router: TrainedRouter, texts: Sequence[str], repeat: int = 1) -> float:
    """Letters classified per second (one process, batch)."""
    start = time.perf_counter()
    for _ in range(repeat):
        router.predict(texts)
    return len(texts) * repeat / (time.perf_counter() - start)


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
def _load(version: int) -> TrainedRouter:
    from govhub.letters.models import RouterModel

    return TrainedRouter.loads(bytes(RouterModel.objects.get(version=version).blob))


def active_router() -> TrainedRouter | None:
    from govhub.letters.models import RouterModel

    version = RouterModel.objects.filter(active=True).values_list("version", flat=True).first()
    return _load(version) if version is not None else None


def label_to_department(label: str, town=None):
    """A category (via CategoryRoute, the town's own route first) or a department code/name."""
    from govhub.core.models import Department
    from govhub.letters.models import Category, CategoryRoute

    category = (
        Category.objects.filter(code=label).first() or Category.objects.filter(name=label).first()
    )
    if category is not None:
        routes = CategoryRoute.objects.filter(category=category).select_related("department")
        if town is not None:
            town_ids = [town.pk] + [a.pk for a in town.get_ancestors()]
            found = routes.filter(town_id__in=town_ids).first()
            if found:
                return found.department, category
        found = routes.filter(town__isnull=True).first()
        return (found.department if found else None), category
    dept = (
        Department.objects.filter(code=label).first()
        or Department.objects.filter(name=label).first()
    )
    return dept, None


def suggest(subject: str, content: str, town=None) -> dict:
    """The router's suggestion as stored on a letter and shown to the dispatcher."""
    router = active_router()
    if router is None:
        return {}
    pred = router.explain(letter_text(subject, content))
    dept, category = label_to_department(pred.label, town)
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
        d, c = label_to_department(label, town)
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
        return suggest(letter.subject, letter.content, letter.town)
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

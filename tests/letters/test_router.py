"""The router on small synthetic letters: features, classification, explanation, versions."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from govhub.letters import router
from govhub.letters.features import LetterFeatures

TOPICS = {
    "labour": ["拖欠工资", "社保缴费", "劳动合同", "加班费", "养老保险", "工伤认定"],
    "education": ["学校招生", "入学学位", "教师补课", "幼儿园收费", "学生宿舍", "校车接送"],
    "construction": ["小区物业", "房屋漏水", "燃气管道", "老旧小区改造", "电梯故障", "违章建筑"],
}
FILLER = ["我们", "反映", "一个", "问题", "希望", "尽快", "处理", "谢谢", "领导", "近来"]


def synthetic(n_per_class: int, seed: int) -> tuple[list[str], list[str]]:
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for label, terms in TOPICS.items():
        for _ in range(n_per_class):
            parts = list(rng.choice(terms, 2)) + list(rng.choice(FILLER, 4))
            rng.shuffle(parts)
            texts.append("，".join(parts) + "。")
            labels.append(label)
    return texts, labels


@pytest.fixture(scope="module")
def trained():
    texts, labels = synthetic(12, seed=1)
    return router.fit(texts, labels)


def test_fused_scores_equal_the_sparse_matrix_product():
    texts, _ = synthetic(5, seed=2)
    feats = LetterFeatures().fit(texts)
    x = feats.transform(texts + ["", "ABC abc 123"])
    w = np.random.default_rng(0).normal(size=(3, x.shape[1]))
    b = np.array([0.5, -1.0, 2.0])
    fused = feats.fused(w)
    got = feats.scores(texts + ["", "ABC abc 123"], fused, b)
    assert np.allclose(got, x @ w.T + b, atol=1e-5)
    # an empty letter has no features: its scores are the intercepts
    assert np.allclose(got[-2], b)
    # ASCII is folded to lower case
    assert np.allclose(feats.transform(["ABC"]).toarray(), feats.transform(["abc"]).toarray())


def test_ngrams_never_span_two_letters():
    texts = ["工资", "学校"]
    feats = LetterFeatures(min_df=1).fit(texts)
    together = feats.transform(texts).toarray()
    apart = np.vstack([feats.transform([t]).toarray() for t in texts])
    assert np.allclose(together, apart)


def test_routes_unseen_letters_and_gives_calibrated_confidence(trained):
    texts, labels = synthetic(4, seed=9)
    assert trained.predict(texts) == labels
    proba = trained.predict_proba(texts)
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert (proba.argmax(axis=1) == trained.scores(texts).argmax(axis=1)).all()
    assert trained.classify_many(texts, batch=5) == trained.predict(texts)


def test_explain_names_the_words_behind_the_choice(trained):
    pred = trained.explain("老板拖欠工资，还不交社保缴费，请处理。")
    assert pred.label == "labour"
    assert 0.34 < pred.confidence <= 1.0
    assert [c for c, _ in pred.candidates] and pred.label not in dict(pred.candidates)
    assert "工资" in "".join(pred.words) or "社保" in "".join(pred.words)
    assert all(len(w) > 1 for w in pred.words)
    assert not set(pred.words) & {"请", "，", "处理"} - set(TOPICS["labour"])


def test_bad_input_is_classified_without_error(trained):
    for text in ["", " ", "x" * 50_000, "<script>alert(1)</script>", "🙂" * 10]:
        pred = trained.explain(text)
        assert pred.label in trained.labels


def test_round_trip_keeps_the_model(trained):
    texts, _ = synthetic(3, seed=5)
    blob = trained.dumps()
    # a NumPy archive read with allow_pickle=False: loading a stored version runs no code
    assert blob[:2] == b"PK" and b"__reduce__" not in blob
    again = router.TrainedRouter.loads(blob)
    assert np.allclose(again.predict_proba(texts), trained.predict_proba(texts))
    assert again.explain(texts[0]) == trained.explain(texts[0])
    # a linear-v2 version (pickled, before this format) still loads for rollback
    v2 = pickle.dumps(
        {
            "kind": "linear-v2",
            "features": trained.features,
            "labels": trained.labels,
            "coef": trained.coef,
            "intercept": trained.intercept,
            "platt": trained.platt,
        }
    )
    older = router.TrainedRouter.loads(v2)
    assert np.allclose(older.predict_proba(texts), trained.predict_proba(texts))


def test_a_version_stored_by_the_previous_router_still_loads():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    texts, labels = synthetic(6, seed=3)
    word = TfidfVectorizer(tokenizer=router.words, token_pattern=None)
    char = TfidfVectorizer(analyzer="char", preprocessor=router.char_prep, ngram_range=(1, 2))
    pipe = Pipeline(
        [
            ("features", FeatureUnion([("word", word), ("char", char)])),
            ("clf", LogisticRegression()),
        ]
    ).fit(texts, labels)
    old = router.TrainedRouter.loads(pickle.dumps(pipe))
    assert isinstance(old, router.PipelineRouter)
    pred = old.explain("拖欠工资 社保缴费")
    assert pred.label == "labour" and pred.words


def test_cross_validation_reports_the_spread_over_folds():
    texts, labels = synthetic(10, seed=4)
    m = router.cross_validate(texts, labels, folds=3)
    assert len(m["fold_macro_f1"]) == 3
    assert m["macro_f1_mean"] == pytest.approx(np.mean(m["fold_macro_f1"]))
    assert m["macro_f1"] > 0.8 and m["n"] == len(texts)


def test_two_categories_and_tiny_training_sets():
    two = router.fit(["工资 社保"] * 3 + ["学校 学生"] * 3, ["labour"] * 3 + ["education"] * 3)
    assert two.predict(["拖欠工资", "学校招生"]) == ["labour", "education"]
    tiny = router.fit(["工资", "学校"], ["labour", "education"])
    assert tiny.predict(["工资"]) == ["labour"]


@pytest.mark.django_db
def test_stored_versions_and_rollback(trained):
    first = router.store_model(trained, metrics={"n": 36}, source="test")
    second = router.store_model(
        router.fit(["工资 社保"] * 3 + ["学校 学生"] * 3, ["labour"] * 3 + ["education"] * 3),
        metrics={},
        source="test",
    )
    assert router.active_router().labels == ["education", "labour"]
    router.activate_version(first.version)
    assert router.active_router().labels == trained.labels
    assert second.version == first.version + 1


@pytest.mark.django_db
def test_train_evaluate_and_roll_back_from_the_command_line(tmp_path):
    import csv
    import io

    from django.core.management import call_command

    from govhub.letters.models import RouterModel

    texts, labels = synthetic(8, seed=6)
    path = tmp_path / "letters.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["标题", "内容", "类别"])
        writer.writerows([("", t, lab) for t, lab in zip(texts, labels, strict=True)])
    out = io.StringIO()
    call_command(
        "letters", "train-router", str(path), "--cv", "3", stdout=out, stderr=io.StringIO()
    )
    call_command(
        "letters", "train-router", str(path), "--cv", "0", stdout=out, stderr=io.StringIO()
    )
    assert "交叉验证 macro-F1" in out.getvalue() and "v2（已启用）" in out.getvalue()
    assert RouterModel.objects.get(version=1).metrics["macro_f1"] > 0.8
    report = io.StringIO()
    call_command("letters", "evaluate-router", str(path), stdout=report, stderr=io.StringIO())
    assert "macro" in report.getvalue().lower()
    call_command("letters", "rollback-router", "1", stdout=io.StringIO())
    assert RouterModel.objects.get(active=True).version == 1

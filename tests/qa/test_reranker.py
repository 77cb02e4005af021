"""The reranker: tree ensembles flattened to JSON score as scikit-learn does; look-alikes lose."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier

from govhub.qa.retrieval import DATA, FEATURES, Contrast, Index, Scorer, Trees, default_scorer


def test_a_flattened_tree_ensemble_gives_sklearns_probabilities():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, len(FEATURES)))
    y = (X[:, 0] + 0.5 * X[:, 3] * X[:, 7] > 0).astype(int)
    model = HistGradientBoostingClassifier(max_iter=30, max_leaf_nodes=15, random_state=0)
    model.fit(X, y)
    sc = Scorer(trees=Trees.from_sklearn(model), answer=Trees.from_sklearn(model))
    sc = Scorer.from_json(json.loads(json.dumps(sc.to_json())))
    Xt = rng.normal(size=(50, len(FEATURES)))
    expected = model.predict_proba(Xt)[:, 1]
    assert np.allclose(sc.probabilities(Xt), expected, atol=1e-9)
    assert np.allclose(sc.confidences(Xt), expected, atol=1e-9)


def test_contrast_names_what_differs_and_survives_its_hashed_json():
    toks = Contrast.tokens(
        "租赁合同以什么形式订立",
        ["租赁", "合同", "形式", "订立"],
        "租赁合同以什么内容订立",
        ["租赁", "合同", "内容", "订立"],
    )
    assert {"q:形式", "d:内容", "s:形式>内容", "qb:形式", "db:内容"} <= set(toks)
    assert not any(t.startswith("q:租赁") for t in toks)
    model = Contrast.from_tokens({"s:形式>内容": -2.0, "q:形式": -0.5, "q:好处": 0.7}, 1.0)
    back = Contrast.from_json(json.loads(json.dumps(model.to_json())))
    assert back.score(toks) == pytest.approx(1.0 - 2.5)
    assert back.score(["something never seen"]) == pytest.approx(1.0)


def test_answer_trees_take_the_contrast_score_as_their_last_column():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(600, len(FEATURES)))
    col = rng.normal(size=600)
    y = (X[:, 0] + col > 0).astype(int)
    answer = HistGradientBoostingClassifier(max_iter=30, random_state=0)
    answer.fit(np.column_stack([X, col]), y)
    contrast = Contrast.from_tokens({"q:x": 1.0}, 0.0)
    expected = answer.predict_proba(np.column_stack([X[:40], col[:40]]))[:, 1]
    trees = Trees.from_sklearn(answer)
    rank = [0.1] * len(FEATURES)  # a logistic rank model beside tree answerability
    sc = Scorer(rank, answer=trees, contrast=contrast)
    sc = Scorer.from_json(json.loads(json.dumps(sc.to_json())))
    assert np.allclose(sc.confidences(X[:40], col[:40]), expected, atol=1e-9)
    with pytest.raises(ValueError):
        sc.confidences(X[:40])
    # rank trees that read the contrast score too
    sc = Scorer(trees=trees, answer=trees, contrast=contrast, rank_contrast=True)
    sc = Scorer.from_json(json.loads(json.dumps(sc.to_json())))
    assert np.allclose(sc.probabilities(X[:40], col[:40]), expected, atol=1e-9)
    with pytest.raises(ValueError):
        sc.probabilities(X[:40])


def test_the_shipped_reranker_loads_and_prefers_the_paraphrase_to_a_look_alike():
    sc = Scorer.from_json(json.loads((DATA / "reranker_trees.json").read_text(encoding="utf-8")))
    assert sc.answer is not None and sc.contrast is not None and 0 < sc.threshold < 1
    assert default_scorer() is not None
    index = Index(
        [
            (1, "租房合同应当以什么形式订立"),
            (2, "离婚后孩子的抚养费怎么计算"),
            (3, "交通事故责任认定书多久能出来"),
        ],
        scorer=sc,
    )
    para = index.search("订立租房合同要用什么形式")
    assert para[0].entry_id == 1
    look_alike = index.search("交通事故责任认定书对不服怎么办")
    assert look_alike[0].entry_id != 3 or look_alike[0].confidence < sc.threshold
    assert para[0].confidence > look_alike[0].confidence
    assert index.search("！！？") == []

"""Router benchmark: cross-validated macro-F1 (mean ± std over folds) and accuracy, training
time, letters/s in batch and one at a time — and, with --old, the previous router (sklearn
word + char TF-IDF, calibrated ridge) measured in the same run for the ratio.

Reads /work/shared/data/letters/labelled_letters.csv (or GOVHUB_LETTERS_DATA); says so and
exits when absent. Features and models are fitted on the training folds only.
`python bench/router.py` (5-fold CV); `--folds N`; `--seeds 0,1,2` (repeated CV);
`--quick` (3-fold); `--old` (also the previous pipeline); `--rate-only` (letters/s only). For one core: `taskset -c 0 ...`.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhub.settings")

DATA = os.environ.get("GOVHUB_LETTERS_DATA", "/work/shared/data/letters/labelled_letters.csv")


def old_pipeline():
    """The previous router's pipeline, for comparison only."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import RidgeClassifier
    from sklearn.pipeline import FeatureUnion, Pipeline

    from govhub.letters.router import char_prep, words

    word = TfidfVectorizer(
        tokenizer=words, token_pattern=None, ngram_range=(1, 2), min_df=2, sublinear_tf=True
    )
    char = TfidfVectorizer(
        analyzer="char", preprocessor=char_prep, ngram_range=(1, 3), min_df=2, sublinear_tf=True
    )
    clf = CalibratedClassifierCV(
        RidgeClassifier(alpha=1.0, class_weight="balanced"), cv=3, method="sigmoid"
    )
    return Pipeline([("features", FeatureUnion([("word", word), ("char", char)])), ("clf", clf)])


def rates(predict, texts, seconds: float = 3.0) -> dict:
    """Letters/s in batches of 1000 and one letter per call, per wall second and per CPU
    second of this process (the machine is shared: CPU time is what one core gave us)."""
    out = {}
    for name, size, limit in (("batch", 1000, seconds), ("single", 1, seconds / 2)):
        wall, cpu, n = time.perf_counter(), time.process_time(), 0
        while time.perf_counter() - wall < limit:
            for i in range(0, len(texts) if size > 1 else 300, size):
                predict(texts[i : i + size])
            n += len(texts) if size > 1 else 300
        out[name] = n / (time.perf_counter() - wall)
        out[name + "_cpu"] = n / (time.process_time() - cpu)
    return out


def show(who: str, r: dict) -> None:
    print(
        f"{who} classification: batch {r['batch']:,.0f} letters/s wall, "
        f"{r['batch_cpu']:,.0f} per CPU-second; one by one {r['single']:,.0f} wall, "
        f"{r['single_cpu']:,.0f} per CPU-second ({1e3 / r['single_cpu']:.2f} ms CPU a letter)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seeds", default="0", help="comma-separated CV seeds (repeated CV)")
    parser.add_argument("--quick", action="store_true", help="3-fold")
    parser.add_argument("--old", action="store_true", help="also the previous pipeline")
    parser.add_argument(
        "--rate-only", action="store_true", help="only letters/s (no CV, uncalibrated fit)"
    )
    args = parser.parse_args()
    if not os.path.exists(DATA):
        print(f"数据文件不存在：{DATA} —— 跳过（benchmark needs the shared labelled letters）")
        return
    import django

    django.setup()
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    from govhub.letters import router

    folds = 3 if args.quick else args.folds
    texts, labels = router.read_training_file(DATA)
    print(f"data: {DATA} ({len(texts)} letters, {len(set(labels))} classes)")
    router.fit(texts[:50], labels[:50], calibrated=False)  # compile the kernels (cached)

    if args.rate_only:
        trained = router.fit(texts, labels, calibrated=False)
        show("new ", rates(trained.predict, texts, seconds=6))
        print("command: " + " ".join(["python", *sys.argv]))
        return
    for seed in [int(s) for s in args.seeds.split(",")]:
        start = time.perf_counter()
        m = router.cross_validate(texts, labels, folds=folds, seed=seed)
        print(
            f"new  {folds}-fold CV (seed {seed}) macro-F1 {m['macro_f1_mean']:.4f} ± "
            f"{m['macro_f1_std']:.4f} (pooled {m['macro_f1']:.4f}), accuracy "
            f"{m['accuracy_mean']:.4f} ± {m['accuracy_std']:.4f}  [{time.perf_counter() - start:.0f}s]"
        )
    for row in m["per_class"]:
        print(
            f"  {row['label']:<10} P {row['precision']:.3f}  R {row['recall']:.3f}  "
            f"F1 {row['f1']:.3f}  n {row['support']}"
        )
    start = time.perf_counter()
    trained = router.fit(texts, labels)
    train_seconds = time.perf_counter() - start
    new = rates(trained.predict, texts)
    print(f"new  training (all {len(texts)} letters, calibrated): {train_seconds:.1f}s")
    show("new ", new)

    if args.old:
        from sklearn.base import clone
        from sklearn.metrics import accuracy_score, f1_score

        t, y = np.array(texts, dtype=object), np.array(labels, dtype=object)
        f1s, accs = [], []
        start = time.perf_counter()
        for tr, te in StratifiedKFold(folds, shuffle=True, random_state=0).split(t, y):
            pipe = clone(old_pipeline()).fit(list(t[tr]), list(y[tr]))
            pred = pipe.predict(list(t[te]))
            f1s.append(f1_score(list(y[te]), pred, average="macro"))
            accs.append(accuracy_score(list(y[te]), pred))
        print(
            f"old  {folds}-fold CV (seed 0) macro-F1 {np.mean(f1s):.4f} ± {np.std(f1s):.4f}, "
            f"accuracy {np.mean(accs):.4f} ± {np.std(accs):.4f}  [{time.perf_counter() - start:.0f}s]"
        )
        start = time.perf_counter()
        pipe = old_pipeline().fit(texts, labels)
        old_train = time.perf_counter() - start
        old = rates(pipe.predict, texts)
        print(f"old  training: {old_train:.1f}s")
        show("old ", old)
        print(
            f"ratio new/old (CPU): batch ×{new['batch_cpu'] / old['batch_cpu']:.1f}, "
            f"one by one ×{new['single_cpu'] / old['single_cpu']:.1f}"
        )
    print("machine: shared with other jobs; absolute rates vary, ratios are from the same run")
    print("command: " + " ".join(["python", *sys.argv]))


if __name__ == "__main__":
    main()

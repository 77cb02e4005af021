"""Router benchmark: cross-validated macro-F1 and accuracy, training time, letters/s.

Reads /work/shared/data/letters/labelled_letters.csv (or GOVHUB_LETTERS_DATA); says so and
exits when absent. `python bench/router.py` (5-fold CV); `--folds N`; `--quick` (3-fold).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhub.settings")

DATA = os.environ.get("GOVHUB_LETTERS_DATA", "/work/shared/data/letters/labelled_letters.csv")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if not os.path.exists(DATA):
        print(f"数据文件不存在：{DATA} —— 跳过（benchmark needs the shared labelled letters）")
        return
    import django

    django.setup()
    from govhub.letters import router

    folds = 3 if args.quick else args.folds
    texts, labels = router.read_training_file(DATA)
    print(f"data: {DATA} ({len(texts)} letters, {len(set(labels))} classes)")
    start = time.perf_counter()
    m = router.cross_validate(texts, labels, folds=folds)
    cv_seconds = time.perf_counter() - start
    start = time.perf_counter()
    trained = router.fit(texts, labels)
    train_seconds = time.perf_counter() - start
    rate = router.throughput(trained, texts, repeat=2)
    print(
        f"{folds}-fold CV macro-F1: {m['macro_f1']:.4f}  accuracy: {m['accuracy']:.4f}  (CV took {cv_seconds:.0f}s)"
    )
    for row in m["per_class"]:
        print(
            f"  {row['label']:<10} P {row['precision']:.3f}  R {row['recall']:.3f}  F1 {row['f1']:.3f}  n {row['support']}"
        )
    print(f"training time (all {len(texts)} letters, calibrated): {train_seconds:.1f}s")
    print(f"classification: {rate:,.0f} letters/s (one process, batch)")
    print("command: " + " ".join(["python"] + sys.argv))


if __name__ == "__main__":
    main()

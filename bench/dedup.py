"""Benchmark: govhub's vectorised MinHash/LSH (govhub.matrix.dedup) against datasketch's
MinHashLSH on the same corpus, in one run.

Corpus: real citizen messages from ../shared/data/letters (read here, never copied), plus
re-posts made from them the way accounts re-post: a share of texts copied with small edits
(a few characters changed, a sentence appended or cut). Both systems see the same character
3-gram sets. Ground truth: exact Jaccard of a random sample of query documents against the whole
corpus (sparse matrix product); precision and recall of each system's answers at the threshold.

    .venv/bin/python bench/dedup.py            # 6,000 documents
    .venv/bin/python bench/dedup.py --full     # the whole corpus (~20,000 documents)

The machine is shared, so the two systems run in alternating rounds (ours, datasketch, ours,
…; ``--rounds``, default 3) and the speed-up is the median of the per-round ratios: a burst of
load from another process hits one round, not the verdict.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from govhub.matrix import dedup  # noqa: E402

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "letters")


def load_texts(limit: int) -> list[str]:
    texts = []
    for name in ["messages_with_support.csv", "messages_with_replies.csv", "labelled_letters.csv"]:
        path = os.path.join(DATA, name)
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                t = (row.get("留言详情") or row.get("text") or "").strip()
                if len(t) >= 30:
                    texts.append(t[:600])
    if not texts:
        sys.exit(f"the data folder {DATA} is absent: this benchmark needs ../shared/data/letters")
    return texts[:limit]


def make_reposts(texts: list[str], share: float, rng: random.Random) -> list[str]:
    out = list(texts)
    for _ in range(int(len(texts) * share)):
        t = list(rng.choice(texts))
        for _ in range(rng.randint(0, max(1, len(t) // 40))):
            t[rng.randrange(len(t))] = rng.choice("的了是在区县市镇")
        s = "".join(t)
        r = rng.random()
        if r < 0.3:
            s = s + "（转自示范县发布）"
        elif r < 0.5:
            s = s[: int(len(s) * rng.uniform(0.75, 1.0))]
        out.append(s)
    rng.shuffle(out)
    return out


def shingles(text: str) -> set[bytes]:
    t = dedup.clean(text)
    return {t[i : i + 3].encode("utf-8") for i in range(max(1, len(t) - 2))}


def run_datasketch(texts, threshold, num_perm):
    from datasketch import MinHash, MinHashLSH

    t0 = time.perf_counter()
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    mhs = []
    for i, t in enumerate(texts):
        m = MinHash(num_perm=num_perm)
        m.update_batch(list(shingles(t)))
        lsh.insert(i, m)
        mhs.append(m)
    answers = {i: set(lsh.query(mhs[i])) - {i} for i in range(len(texts))}
    return time.perf_counter() - t0, answers


def run_ours(texts, threshold):
    t0 = time.perf_counter()
    res = dedup.near_duplicates(texts, threshold)
    elapsed = time.perf_counter() - t0
    answers: dict[int, set[int]] = {}
    for i, j in res.pairs:
        answers.setdefault(int(i), set()).add(int(j))
        answers.setdefault(int(j), set()).add(int(i))
    return elapsed, answers


def truth(texts, sample, threshold):
    m = dedup.shingle_matrix(texts)
    sizes = np.asarray(m.sum(axis=1)).ravel()
    inter = (m[sample] @ m.T).toarray()
    jac = inter / (sizes[sample][:, None] + sizes[None, :] - inter)
    return {q: set(np.flatnonzero(jac[k] >= threshold)) - {q} for k, q in enumerate(sample)}


def score(answers, gold, sample):
    tp = fp = fn = 0
    for q in sample:
        got, want = answers.get(q, set()), gold[q]
        tp += len(got & want)
        fp += len(got - want)
        fn += len(want - got)
    return tp / max(1, tp + fp), tp / max(1, tp + fn)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--full", action="store_true")
    ap.add_argument("--threshold", type=float, default=dedup.THRESHOLD)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    rng = random.Random(7)
    base = load_texts(100_000 if args.full else 4000)
    texts = make_reposts(base, 0.5, rng)
    n = len(texts)
    sample = rng.sample(range(n), min(500, n))
    gold = truth(texts, sample, args.threshold)
    dedup.near_duplicates(texts[:50])  # warm-up (imports, numpy)
    t_ours, t_ds, ratios = [], [], []
    for _ in range(max(1, args.rounds)):
        t_o, ans_ours = run_ours(texts, args.threshold)
        t_d, ans_ds = run_datasketch(texts, args.threshold, 128)
        t_ours.append(t_o)
        t_ds.append(t_d)
        ratios.append(t_d / t_o)
    p_o, r_o = score(ans_ours, gold, sample)
    p_d, r_d = score(ans_ds, gold, sample)
    pos = sum(len(v) for v in gold.values())
    med = statistics.median
    print(
        f"corpus: {n} documents ({len(base)} real messages + re-posts), threshold {args.threshold}"
    )
    print(
        f"ground truth: exact Jaccard of {len(sample)} sampled documents against all ({pos} pairs)"
    )
    print(
        f"{'system (median of ' + str(len(ratios)) + ' rounds)':<34}{'docs/s':>10}{'precision':>11}{'recall':>9}"
    )
    print(
        f"{'govhub dedup (64 perm, 16×4 LSH)':<34}{n / med(t_ours):>10.0f}{p_o:>11.3f}{r_o:>9.3f}"
    )
    print(f"{'datasketch MinHashLSH (128 perm)':<34}{n / med(t_ds):>10.0f}{p_d:>11.3f}{r_d:>9.3f}")
    print(
        f"speed-up: {med(ratios):.1f}× (median; rounds "
        + ", ".join(f"{r:.1f}×" for r in ratios)
        + ")"
    )
    print(
        "command: .venv/bin/python bench/dedup.py"
        + (" --full" if args.full else "")
        + (f" --rounds {args.rounds}" if args.rounds != 3 else "")
        + f" (load average {os.getloadavg()[0]:.1f})"
    )


if __name__ == "__main__":
    main()

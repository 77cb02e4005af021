"""Segmentation speed: rjieba (what govhub uses) against jieba (the Python original).

Reads question texts from ../shared/data/qa/legal_question_groups.jsonl when present, else
generates Chinese sentences. Prints characters/s for both and whether their cuts agree.

    .venv/bin/python bench/segmentation.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

DATA = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "qa" / "legal_question_groups.jsonl"
)


def corpus() -> tuple[list[str], str]:
    if DATA.exists():
        texts = []
        with DATA.open(encoding="utf-8") as fh:
            for line in fh:
                texts.extend(json.loads(line)["equivalent"])
        return texts, f"{DATA} ({len(texts)} questions)"
    base = [
        "请问住房公积金提取需要哪些材料",
        "养老保险怎么交才能领取养老金",
        "孩子上小学报名需要准备什么",
        "小区门口占道经营噪音扰民怎么办",
        "居住证办理流程和时限是多少",
    ]
    return base * 4000, "generated sentences (../shared/data absent)"


def rate(cut, texts) -> float:
    start = time.perf_counter()
    for t in texts:
        cut(t)
    return sum(map(len, texts)) / (time.perf_counter() - start)


def main() -> None:
    import jieba
    import rjieba

    jieba.setLogLevel(60)
    texts, source = corpus()
    jieba.lcut("预热"), rjieba.cut("预热")
    r_rjieba = max(rate(rjieba.cut, texts) for _ in range(3))
    r_jieba = max(rate(jieba.lcut, texts) for _ in range(2))
    sample = texts[:2000]
    agree = sum(rjieba.cut(t) == jieba.lcut(t) for t in sample) / len(sample)
    print(f"corpus: {source}")
    print(f"rjieba: {r_rjieba / 1e6:.2f} M chars/s")
    print(f"jieba : {r_jieba / 1e6:.2f} M chars/s")
    print(
        f"ratio rjieba/jieba: {r_rjieba / r_jieba:.1f}x; identical cuts on {agree:.1%} of {len(sample)} texts"
    )
    print(f"command: {sys.executable} bench/segmentation.py")


if __name__ == "__main__":
    main()

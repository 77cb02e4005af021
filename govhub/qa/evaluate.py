"""``govhub qa evaluate``: how well the engine answers a question set.

A question set is JSONL (``{"question": …, "expected": "<standard question or external id>"}``;
``"expected": null`` or ``""`` marks a question that must not be answered) or CSV with the
same two columns.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

from govhub.qa import engine
from govhub.qa.models import KnowledgeEntry


@dataclass
class Evaluation:
    answerable: int = 0
    top1: int = 0
    top3: int = 0
    answered_right: int = 0
    must_not: int = 0
    false_answers: int = 0
    unknown_expected: int = 0

    def lines(self) -> list[str]:
        def pct(a, b):
            return f"{a / b:.1%}" if b else "—"

        return [
            f"可回答问题 {self.answerable} 条：top-1 {pct(self.top1, self.answerable)}，top-3 {pct(self.top3, self.answerable)}，"
            f"超过阈值且答对 {pct(self.answered_right, self.answerable)}",
            f"不应回答的问题 {self.must_not} 条：误答率 {pct(self.false_answers, self.must_not)}",
        ] + (
            [f"期望答案在知识库中找不到：{self.unknown_expected} 条（未计入）"]
            if self.unknown_expected
            else []
        )


def read_set(path: Path) -> list[tuple[str, str]]:
    data = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".csv":
        return [
            (r.get("question", ""), r.get("expected", "") or "")
            for r in csv.DictReader(io.StringIO(data))
        ]
    out = []
    for line in data.splitlines():
        if line.strip():
            obj = json.loads(line)
            out.append((obj.get("question", ""), obj.get("expected") or ""))
    return out


def evaluate(pairs: list[tuple[str, str]]) -> Evaluation:
    engine.warm_up()
    by_key: dict[str, int] = {}
    for e in KnowledgeEntry.objects.filter(enabled=True).only("id", "question", "external_id"):
        by_key[e.question] = e.id
        if e.external_id:
            by_key[e.external_id] = e.id
    index = engine._state.index
    ev = Evaluation()
    thr = engine.threshold()
    for q, expected in pairs:
        cands = index.search(q, k=3) if index is not None else []
        if expected:
            eid = by_key.get(expected)
            if eid is None:
                ev.unknown_expected += 1
                continue
            ev.answerable += 1
            ids = [c.entry_id for c in cands]
            ev.top1 += bool(ids) and ids[0] == eid
            ev.top3 += eid in ids
            ev.answered_right += bool(cands) and ids[0] == eid and cands[0].confidence >= thr
        else:
            ev.must_not += 1
            ev.false_answers += bool(cands) and cands[0].confidence >= thr
    return ev

"""Search within the service guides: the words citizens use, weighted by where they match.

Guides are few (a county has hundreds, a province a few thousand), so the index is built in
memory from the guides' stored search text and rebuilt when a guide changes. A term counts
by its rarity (idf) and where it is found: the matter's name and its keywords weigh more than
its conditions or materials. Measured by ``bench/guides.py`` (MRR on citizens' questions).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

from django.db.models import Count, Max

from govhub.core.text import char_ngrams, normalise, search_terms

# How citizens say it → how a guide's name says it (口语 → 规范用语); a query containing the
# left side also searches for the right side.
SYNONYMS: dict[str, list[str]] = {
    "香港": ["港澳", "往来港澳通行证"],
    "澳门": ["港澳", "往来港澳通行证"],
    "港澳证": ["往来港澳通行证"],
    "第一次": ["首次"],
    "头一回": ["首次"],
    "丢了": ["补发", "补办", "挂失", "补领"],
    "弄丢": ["补发", "补办", "挂失", "补领"],
    "坏了": ["换发", "换领"],
    "过期": ["换发", "延续"],
    "社保": ["社会保险"],
    "补交": ["补缴"],
    "断了": ["断缴"],
    "断交": ["断缴"],
    "大学": ["高等学校", "高校"],
    "老师": ["教师"],
    "教资": ["教师资格"],
    "残疾证": ["残疾人证"],
    "驾照": ["驾驶证"],
    "车本": ["驾驶证"],
    "养老金": ["养老保险待遇", "基本养老金"],
    "退休金": ["养老保险待遇", "基本养老金"],
    "认证": ["资格认证"],
    "上户口": ["出生登记", "落户"],
    "报户口": ["出生登记", "落户"],
    "生孩子": ["出生", "生育"],
    "领证": ["结婚登记"],
    "扯证": ["结婚登记"],
    "失业金": ["失业保险金"],
    "没工作": ["失业"],
    "公积金": ["住房公积金"],
    "营业执照": ["设立登记", "个体工商户"],
    "开店": ["设立登记", "个体工商户", "食品经营许可"],
    "进度": ["办理进度", "办证进度"],
    "档案": ["接收", "档案"],
    "退伍": ["退役军人"],
    "当兵": ["军人", "军队"],
    "看病": ["就医", "医疗"],
    "医保": ["医疗保险", "医疗保障"],
    "过户": ["转移登记"],
    "房产证": ["不动产权", "不动产登记"],
}

_lock = threading.Lock()
_index: dict = {"stamp": None}


def text_of(guide) -> str:
    """Everything a citizen might search a guide by, normalised; stored on the guide."""
    parts = [
        guide.name,
        guide.keywords,
        guide.summary,
        guide.get_matter_type_display(),
        guide.body,
        guide.department.name if guide.department_id else "",
        " ".join(e.name for e in guide.life_events.all()) if guide.pk else "",
        guide.conditions,
        guide.materials,
        guide.steps,
    ]
    return normalise(" ".join(p for p in parts if p)).lower()[:20000]


@dataclass
class _Doc:
    pk: int
    name: set[str]
    keys: set[str]
    text: set[str]
    name_text: str


def _build(rows) -> dict:
    docs, df = [], {}
    for pk, name, keywords, text in rows:
        name_n = normalise(name).lower()
        doc = _Doc(
            pk,
            set(search_terms(name_n)) | set(char_ngrams(name_n, 2, 2)),
            set(search_terms(keywords or "")),
            set(search_terms(text or "")),
            name_n,
        )
        docs.append(doc)
        for t in doc.name | doc.keys | doc.text:
            df[t] = df.get(t, 0) + 1
    return {"docs": docs, "df": df, "n": len(docs)}


def _get_index(qs) -> dict:
    stamp = qs.aggregate(n=Count("pk"), last=Max("updated_at"))
    stamp = (stamp["n"], stamp["last"])
    with _lock:
        if _index.get("stamp") != stamp:
            rows = list(qs.values_list("pk", "name", "keywords", "search_text"))
            _index.clear()
            _index.update(_build(rows), stamp=stamp)
        return dict(_index)


def rank(query: str, qs, limit: int = 50) -> list[int]:
    """Primary keys of the guides in ``qs`` that fit ``query``, best first."""
    q = normalise(query or "").lower()[:100]
    if not q:
        return []
    index = _get_index(qs)
    terms = search_terms(q)
    for said, official in SYNONYMS.items():
        if said in q:
            terms += [t for word in official for t in search_terms(word) if t not in terms]
    grams = [g for g in char_ngrams(q, 2, 2) if g not in terms]
    n = max(index["n"], 1)
    scores: dict[int, float] = {}
    for doc in index["docs"]:
        s = 0.0
        for t in terms:
            df = index["df"].get(t)
            if not df:
                continue
            idf = math.log(1 + n / df)
            s += idf * (3.0 * (t in doc.name) + 2.0 * (t in doc.keys) + 1.0 * (t in doc.text))
        for g in grams:  # words the segmenter cut differently still count a little
            df = index["df"].get(g)
            if df and g in doc.name:
                s += 0.5 * math.log(1 + n / df)
        if q in doc.name_text:
            s += 5.0
        if s > 0:
            scores[doc.pk] = s
    return sorted(scores, key=lambda pk: (-scores[pk], pk))[:limit]

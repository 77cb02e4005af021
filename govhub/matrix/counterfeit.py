"""Counterfeit (山寨) accounts: names seen on the platforms that imitate a registered account
without being registered ("XX县公安" against "XX县公安局").

Similarity is the larger of two scores:

- the cosine of character 1–2-gram TF-IDF vectors (scikit-learn), all seen names against all
  registered names in one sparse product, +0.15 when one name contains the other (imitators
  add or drop a word);
- a structural score for abbreviations, which the cosine rates low: each name is split into
  its region prefix (示范县, 示范省第一市…) and its core, with institutional suffixes stripped
  (局/委/办/政府/发布/官方/微博…), and a few brand words of government accounts mapped to the
  institution (平安 → 公安). Same region and same core → 0.9 ("示范县公安" vs "示范县公安局");
  a name without a region prefix that names the region's stem and the same core → 0.85
  ("平安示范" vs "示范县公安局"); same region and one core containing the other → 0.75.

Two names with different explicit regions ("隔壁县公安局" vs "示范县公安局") are different
accounts, not imitations: their score is capped below the alert level."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from sklearn.feature_extraction.text import TfidfVectorizer

from govhub.core import audit
from govhub.core.permissions import require
from govhub.matrix.models import Account, SeenAccount, SeenStatus
from govhub.matrix.tabular import TableError, read_table

ALERT_AT = 0.6


REGION_UNITS = "省市县区旗州盟镇乡"
_REGION = re.compile(rf"^(?:[^{REGION_UNITS}]{{1,7}}?(?:自治区|自治州|自治县|[{REGION_UNITS}]))+")
SUFFIXES = (
    "官方微博",
    "官方微信",
    "政务微博",
    "政务微信",
    "人民政府",
    "委员会",
    "办公室",
    "公众号",
    "发布",
    "官方",
    "官微",
    "微博",
    "微信",
    "在线",
    "政府",
    "局",
    "委",
    "办",
)
# brand words that government accounts use instead of the institution's name
ALIASES = {"平安": "公安", "警方": "公安", "青春": "共青团", "团委": "共青团", "健康": "卫生健康"}
SAME_CORE, BRAND_CORE, CONTAINED_CORE = 0.9, 0.85, 0.75
OTHER_REGION_CAP = 0.45
MIN_STEM = 2  # a one-character stem ("3县") names no region inside another name


@dataclass(frozen=True)
class NameParts:
    region: str  # the region prefix as written ("示范县"), "" when there is none
    stem: str  # the last region without its unit ("示范")
    core: str  # the rest without institutional suffixes, brand words mapped ("公安")


def _strip_core(rest: str) -> str:
    changed = True
    while changed and rest:
        changed = False
        for suf in SUFFIXES:
            if rest.endswith(suf) and len(rest) > 0:
                rest = rest[: -len(suf)]
                changed = True
                break
    for brand, inst in ALIASES.items():
        if inst not in rest:  # 卫生健康 stays, 健康 becomes 卫生健康
            rest = rest.replace(brand, inst)
    return rest


def name_parts(name: str) -> NameParts:
    """Split an account name into region prefix, region stem and core (see the module doc)."""
    name = (name or "").strip()
    m = _REGION.match(name)
    region = m.group(0) if m else ""
    stem = ""
    if region:
        last = re.findall(rf"[^{REGION_UNITS}]+?(?:自治区|自治州|自治县|[{REGION_UNITS}])", region)
        tail = last[-1] if last else region
        stem = re.sub(rf"(?:自治区|自治州|自治县|[{REGION_UNITS}])$", "", tail)
    return NameParts(region, stem, _strip_core(name[len(region) :]))


def structural_score(
    seen: str, registered: str, a: NameParts | None = None, b: NameParts | None = None
) -> float | None:
    """The abbreviation score of a pair; None when the pair is of two different explicit
    regions (then no score may reach the alert level), 0.0 when nothing matches. ``a``/``b``
    are the names' parts when the caller has them already."""
    a = a or name_parts(seen)
    b = b or name_parts(registered)
    if a.region and b.region:
        if a.stem != b.stem:
            return None
        if a.core == b.core:
            return SAME_CORE
        if len(a.core) >= 2 and len(b.core) >= 2 and (a.core in b.core or b.core in a.core):
            return CONTAINED_CORE
        return 0.0
    if not a.region and len(b.stem) >= MIN_STEM and b.stem in seen:  # "平安示范": no unit
        core = _strip_core(seen.replace(b.stem, "", 1))
        if core == b.core:
            return BRAND_CORE
        if len(core) >= 2 and len(b.core) >= 2 and (core in b.core or b.core in core):
            return CONTAINED_CORE
    return 0.0


def similarity_matrix(seen: list[str], registered: list[str], top: int = 5) -> np.ndarray:
    """Best match index and score for each seen name (two arrays stacked). Each seen name is
    scored exactly against its ``top`` nearest registered names by cosine and against the
    registered names of the same region stem (where abbreviations are found)."""
    if not seen or not registered:
        return np.zeros((2, len(seen)))
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 2)).fit(registered + seen)
    a, b = vec.transform(seen), vec.transform(registered)
    sims = (a @ b.T).toarray()
    reg_parts = [name_parts(r) for r in registered]
    by_stem: dict[str, list[int]] = {}
    for j, p in enumerate(reg_parts):
        if len(p.stem) >= MIN_STEM:
            by_stem.setdefault(p.stem, []).append(j)
    best = np.zeros(len(seen), np.int64)
    score = np.zeros(len(seen))
    for i, s in enumerate(seen):
        sp = name_parts(s)
        cands = set(np.argpartition(-sims[i], min(top, len(registered) - 1))[:top].tolist())
        if sp.region:  # an explicit region: only its own stem's names can match structurally
            cands.update(by_stem.get(sp.stem, ()))
        else:
            for st, js in by_stem.items():
                if st in s:
                    cands.update(js)
        top_j, top_v = 0, -1.0
        for j in sorted(cands):
            r = registered[j]
            v = float(sims[i, j])
            if s != r and (s in r or r in s):
                v = min(0.99, v + 0.15)
            structural = structural_score(s, r, sp, reg_parts[j])
            v = min(v, OTHER_REGION_CAP) if structural is None else max(v, structural)
            if v > top_v:
                top_j, top_v = j, v
        best[i], score[i] = top_j, top_v
    return np.vstack([best, score])


def assess_seen(seen_qs=None) -> int:
    """Match seen accounts against the registry; returns how many are suspected counterfeits."""
    registered = list(Account.objects.only("id", "name", "platform", "remote_id"))
    reg_keys = {(a.platform, a.remote_id) for a in registered}
    seen = list(
        seen_qs
        if seen_qs is not None
        else SeenAccount.objects.exclude(status__in=[SeenStatus.CONFIRMED, SeenStatus.DISMISSED])
    )
    names = [a.name for a in registered]
    best, score = similarity_matrix([s.name for s in seen], names) if seen else ([], [])
    alerts = 0
    with transaction.atomic():
        for k, s in enumerate(seen):
            if (s.platform, s.remote_id) in reg_keys:
                s.best_match, s.similarity, s.status = None, 0.0, SeenStatus.CLEAR
            else:
                match = registered[int(best[k])] if names else None
                s.best_match = match
                s.similarity = round(float(score[k]), 3) if names else 0.0
                s.status = SeenStatus.ALERT if s.similarity >= ALERT_AT else SeenStatus.CLEAR
                alerts += s.status == SeenStatus.ALERT
            s.save(update_fields=["best_match", "similarity", "status"])
    return alerts


def import_seen(user, data: bytes, filename: str, source: str = "") -> dict:
    """Import a list of accounts seen on a platform (平台, 名称, 平台账号ID) and assess them."""
    from govhub.matrix.actions import _choice
    from govhub.matrix.models import Platform

    require(user, "manage_registry")
    try:
        table = read_table(data, filename)
    except TableError as exc:
        return {"file_errors": [str(exc)], "errors": [], "imported": 0, "alerts": 0}
    missing = [c for c in ("平台", "名称", "平台账号ID") if c not in table.header]
    if missing:
        return {
            "file_errors": [f"缺少必需的列：{'、'.join(missing)}"],
            "errors": [],
            "imported": 0,
            "alerts": 0,
        }
    errors, rows = [], []
    for row in table.rows:
        try:
            platform = _choice(Platform, row["平台"], "平台")
        except ValueError as exc:
            errors.append({"line": row["__line__"], "message": str(exc)})
            continue
        if not row["名称"] or not row["平台账号ID"]:
            errors.append({"line": row["__line__"], "message": "名称和平台账号ID不能为空"})
            continue
        rows.append((platform, row["名称"][:100], row["平台账号ID"][:100]))
    if errors:
        return {"file_errors": [], "errors": errors, "imported": 0, "alerts": 0}
    with transaction.atomic():
        objs = []
        for platform, name, rid in rows:
            obj, _ = SeenAccount.objects.update_or_create(
                platform=platform, remote_id=rid, defaults={"name": name, "source": source[:100]}
            )
            objs.append(obj)
        alerts = assess_seen(SeenAccount.objects.filter(pk__in=[o.pk for o in objs]))
        audit.record(
            actor=user,
            action="matrix_seen_imported",
            obj=("matrix.seenaccount", "import"),
            summary={"rows": len(objs), "alerts": alerts},
        )
    return {"file_errors": [], "errors": [], "imported": len(objs), "alerts": alerts}


def decide_seen(user, seen: SeenAccount, status: str) -> SeenAccount:
    """A supervisor confirms a counterfeit (to report it to the platform) or dismisses it."""
    require(user, "manage_registry", seen.best_match)
    if status not in (SeenStatus.CONFIRMED, SeenStatus.DISMISSED):
        raise ValueError("状态只能是确认山寨或已排除")
    with transaction.atomic():
        seen.status = status
        seen.save(update_fields=["status"])
        audit.record(actor=user, action="matrix_seen_decided", obj=seen, summary={"status": status})
    return seen

"""Counterfeit (山寨) accounts: names seen on the platforms that imitate a registered account
without being registered ("XX县公安" against "XX县公安局").

Similarity is the cosine of character 1–2-gram TF-IDF vectors (scikit-learn), computed for all
seen names against all registered names in one sparse product; a name that contains or is
contained in a registered name gets a bonus, since imitators usually add or drop a word."""

from __future__ import annotations

import numpy as np
from django.db import transaction
from sklearn.feature_extraction.text import TfidfVectorizer

from govhub.core import audit
from govhub.core.permissions import require
from govhub.matrix.models import Account, SeenAccount, SeenStatus
from govhub.matrix.tabular import TableError, read_table

ALERT_AT = 0.6


def similarity_matrix(seen: list[str], registered: list[str]) -> np.ndarray:
    """Best match index and score for each seen name (two arrays stacked)."""
    if not seen or not registered:
        return np.zeros((2, len(seen)))
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 2)).fit(registered + seen)
    a, b = vec.transform(seen), vec.transform(registered)
    sims = (a @ b.T).toarray()
    for i, s in enumerate(seen):
        for j in np.argsort(-sims[i])[:3]:
            r = registered[j]
            if s != r and (s in r or r in s):
                sims[i, j] = min(0.99, sims[i, j] + 0.15)
    best = sims.argmax(axis=1)
    return np.vstack([best, sims[np.arange(len(seen)), best]])


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
    from govhub.matrix.models import Platform
    from govhub.matrix.registry import _choice

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

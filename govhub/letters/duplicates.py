"""Near-duplicate letters: the same person writing about the same matter again.

Candidates are only the same citizen's open letters of the last 90 days (a handful), so a
direct Jaccard similarity of character bigram sets is exact and cheap; MinHash (datasketch)
would only pay off across thousands of candidates.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

from govhub.core.pii import redacted_value
from govhub.letters.models import OPEN_STATUSES, Letter

THRESHOLD = 0.5
_NON_WORD = re.compile(r"[^\w\u4e00-\u9fff]")


def shingles(text: str) -> set[str]:
    t = _NON_WORD.sub("", (text or "").lower())
    return {t[i : i + 2] for i in range(len(t) - 1)}


def similarity(a: str, b: str) -> float:
    sa, sb = shingles(a), shingles(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


def find_near_duplicates(letter: Letter) -> list[dict]:
    """Earlier open letters of the same citizen that say nearly the same thing."""
    if not letter.citizen_id:
        return []
    since = timezone.now() - dt.timedelta(days=90)
    # the redacted copies: the comparison never needs the phone or ID number itself
    text = f"{redacted_value(letter, 'subject')} {redacted_value(letter, 'content')}"
    out = []
    earlier = (
        Letter.objects.filter(
            citizen_id=letter.citizen_id, received_at__gte=since, status__in=OPEN_STATUSES
        )
        .exclude(pk=letter.pk)
        .order_by("-received_at")[:20]
    )
    for other in earlier:
        score = similarity(text, f"{other.subject_redacted} {other.content_redacted}")
        if score >= THRESHOLD:
            out.append(
                {
                    "id": other.pk,
                    "tracking_code": other.tracking_code,
                    "similarity": round(score, 3),
                }
            )
    return out

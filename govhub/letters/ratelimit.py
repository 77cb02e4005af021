"""Kept for imports: the rate limits live in :mod:`govhub.core.ratelimit` (one shared helper)."""

from __future__ import annotations

from govhub.core.ratelimit import LIMITS, hit

__all__ = ["LOOKUP_LIMIT", "SUBMIT_LIMIT", "hit"]

SUBMIT_LIMIT = LIMITS["submit"]
LOOKUP_LIMIT = LIMITS["lookup"]

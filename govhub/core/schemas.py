"""The base of every API request body: a field the endpoint does not know is a 422 naming it,
not silently dropped (a misspelt ``idempotency_kay`` would otherwise make a second letter)."""

from __future__ import annotations

from ninja import Schema
from pydantic import ConfigDict


class StrictIn(Schema):
    """Request body that refuses unknown fields (422, ``extra_forbidden`` in ``details``)."""

    model_config = ConfigDict(extra="forbid")

"""Who is acting and from where, for the audit log, without passing requests into domain code."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass
class ActingContext:
    ip: str = ""
    channel: str = ""


_current: contextvars.ContextVar[ActingContext | None] = contextvars.ContextVar(
    "govhub_acting_context", default=None
)


def current() -> ActingContext:
    return _current.get() or ActingContext()


def set_context(ctx: ActingContext) -> contextvars.Token:
    return _current.set(ctx)


def reset_context(token: contextvars.Token) -> None:
    _current.reset(token)

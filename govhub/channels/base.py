"""What every channel adapter offers: render, validate, publish, find an earlier post, withdraw,
fetch statistics — and the kinds of failure the outbox needs to tell apart.

An adapter never touches message state itself: it reports progress (remote ids known so far)
through a callback the outbox saves at once, and returns or raises; the outbox decides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from govhub.safety.findings import Finding  # noqa: F401 - a channel limit is a finding too

Progress = Callable[..., None]


class ChannelError(Exception):
    """A failed channel call. ``message`` is Chinese and shown to the editor.

    ``permanent``: retrying cannot help (credential refused, content rejected, bad input).
    ``ambiguous``: the remote side may have done the work (timeout, 5xx, dropped connection):
    the next attempt must first ask whether the post exists.
    ``unconfigured``: the channel lacks what it needs (no account, no template message): the
    message waits as “渠道未配置” until an administrator configures it and presses 重试.
    """

    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        ambiguous: bool = False,
        unconfigured: bool = False,
        retry_after: float | None = None,
        code: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.ambiguous = ambiguous
        self.unconfigured = unconfigured
        self.retry_after = retry_after
        self.code = code


@dataclass
class Sent:
    """What the platform answered: its id and link, a short Chinese outcome for staff
    (``detail``, e.g. “已发送模板消息”), and ``manual`` when a person must finish the job
    (视频号 has no publishing interface)."""

    remote_id: str
    url: str = ""
    detail: str = ""
    manual: bool = False


@dataclass
class Figures:
    reads: int = 0
    plays: int = 0
    likes: int = 0
    shares: int = 0
    comments: int = 0
    favourites: int = 0
    is_total: bool = False  # the platform reports running totals, not the day's figures


@dataclass
class Preview:
    platform: str
    fields: dict[str, Any] = field(default_factory=dict)


class Adapter(Protocol):
    platform: str
    can_withdraw: bool

    def configured(self, account) -> bool: ...

    def preview(self, publication, account, *, marker: str = "") -> Preview: ...

    def validate(self, publication, account) -> list: ...

    def publish(self, delivery, progress: Progress) -> Sent: ...

    def find_existing(self, delivery, progress: Progress) -> Sent | None: ...

    def withdraw(self, delivery) -> None: ...

    def fetch_figures(self, account, deliveries: list, day: dt.date) -> dict[int, Figures]: ...


def marker_for(message) -> str:
    """The short mark a message leaves in its remote post (in the link back to the portal), by
    which a retry recognises a post an earlier, interrupted attempt already made."""
    return f"ghd={message.uid[:12]}"


def link_with_marker(url: str, marker: str) -> str:
    if not marker:
        return url
    return url + ("&" if "?" in url else "?") + marker

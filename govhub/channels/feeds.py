"""The RSS adapter: the outbox treats the feed like the platforms, so every target of a piece
has one delivery with a visible state. A delivery puts the piece in the account's feed
(``/publishing/feed/<slug>.xml``), withdrawal takes it out again.
"""

from __future__ import annotations

import datetime as dt

from govhub.channels import render
from govhub.channels.base import Figures, Preview, Progress, Sent


class RssAdapter:
    platform = "rss"
    can_withdraw = True

    def configured(self, account) -> bool:
        return True

    def preview(self, publication, account, *, marker: str = "") -> Preview:
        return Preview(
            "rss",
            {
                "title": publication.title,
                "description": render.digest_of(publication),
                "link": publication.public_url,
            },
        )

    def validate(self, publication, account) -> list:
        return []

    def publish(self, delivery, progress: Progress) -> Sent:
        return Sent(f"urn:govhub:{delivery.uid}", delivery.publication.public_url, "已进入订阅源")

    def find_existing(self, delivery, progress: Progress) -> Sent | None:
        return None

    def withdraw(self, delivery) -> None:
        return None  # the feed lists only sent deliveries

    def fetch_figures(self, account, deliveries: list, day: dt.date) -> dict[int, Figures]:
        return {}

"""Statistics fetch (传播数据回收): figures per published message per day from each platform,
stored in ``OutboundStat`` for supervision (matrix) and reports (analytics). Re-fetching a day
overwrites that day's row (update_or_create on the unique (message, date)), so running the job
twice never doubles a figure."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from govhub.channels.adapters import adapter_for
from govhub.channels.base import ChannelError
from govhub.channels.models import (
    ChannelAccount,
    MessageKind,
    MessageState,
    OutboundMessage,
    OutboundStat,
)

log = logging.getLogger(__name__)


def fetch_statistics(day: dt.date | None = None) -> dict[str, int]:
    """Fetch ``day``'s figures (default: yesterday) for every published message of the
    platforms that report them (WeChat, Weibo, Douyin)."""
    day = day or (timezone.localdate() - dt.timedelta(days=1))
    written, failed = 0, 0
    platforms = ["wechat", "weibo", "douyin"]
    for account in ChannelAccount.objects.filter(enabled=True, platform__in=platforms):
        deliveries = list(
            OutboundMessage.objects.filter(
                account=account, kind=MessageKind.PUBLICATION, state=MessageState.SENT
            ).exclude(remote_id="")
        )
        if not deliveries:
            continue
        try:
            figures = adapter_for(account.platform).fetch_figures(account, deliveries, day)
        except ChannelError as exc:
            log.warning(
                "statistics for account %s on %s failed: %s", account.slug, day, exc.message
            )
            failed += 1
            continue
        with transaction.atomic():
            for delivery_id, f in figures.items():
                OutboundStat.objects.update_or_create(
                    outbound_id=delivery_id,
                    date=day,
                    defaults={
                        "reads": f.reads,
                        "plays": f.plays,
                        "likes": f.likes,
                        "shares": f.shares,
                        "comments": f.comments,
                        "favourites": f.favourites,
                        "is_total": f.is_total,
                    },
                )
                written += 1
    return {"rows": written, "accounts_failed": failed}

"""Statistics fetch (传播数据回收): figures per delivery per day from each platform, stored in
DeliveryStat. Re-fetching a day overwrites that day's row (update_or_create on the unique
(delivery, date)), so running the job twice never doubles a figure."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from govhub.channels.adapters import adapter_for
from govhub.channels.base import ChannelError
from govhub.channels.models import ChannelAccount
from govhub.publishing.models import Delivery, DeliveryStat, DeliveryState

log = logging.getLogger(__name__)


def fetch_statistics(day: dt.date | None = None) -> dict[str, int]:
    """Fetch ``day``'s figures (default: yesterday) for every sent WeChat/Weibo delivery."""
    day = day or (timezone.localdate() - dt.timedelta(days=1))
    written, failed = 0, 0
    for account in ChannelAccount.objects.filter(enabled=True, platform__in=["wechat", "weibo"]):
        deliveries = list(
            Delivery.objects.filter(account=account, state=DeliveryState.SENT).exclude(remote_id="")
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
                DeliveryStat.objects.update_or_create(
                    delivery_id=delivery_id,
                    date=day,
                    defaults={
                        "reads": f.reads,
                        "likes": f.likes,
                        "shares": f.shares,
                        "comments": f.comments,
                        "favourites": f.favourites,
                        "is_total": f.is_total,
                    },
                )
                written += 1
    return {"rows": written, "accounts_failed": failed}

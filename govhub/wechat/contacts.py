"""What the WeChat callback knows that the outbox needs: when a follower last wrote to an
account (WeChat's 48-hour customer-service window runs from then). Registered with
``govhub.channels.wechat_messages`` at start-up, so channels need not import this app."""

from __future__ import annotations

import datetime as dt


def last_message_at(account_id: int, openid: str) -> dt.datetime | None:
    from govhub.wechat.models import Subscriber

    return (
        Subscriber.objects.filter(account_id=account_id, openid=openid)
        .values_list("last_message_at", flat=True)
        .first()
    )

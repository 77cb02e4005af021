"""Inbox replies are sent by the one outbox (``govhub.channels.outbox``, kind inbox_reply)."""

from __future__ import annotations

import datetime as dt

from govhub.core.jobs import job, periodic


@periodic(every=dt.timedelta(minutes=5))
@job(retries=1)
def poll_weibo_messages() -> dict:
    """Mentions and private messages of the Weibo accounts: letters or inbox messages."""
    from govhub.inbox.weibo_intake import poll_all

    return poll_all()


@job(retries=0)
def deliver_reply(reply_id: int) -> None:
    """Kept for tasks queued before the outbox took over (migration inbox 0002 moved their
    replies into it): wakes the outbox."""
    from govhub.channels.outbox import wake_after_commit

    wake_after_commit()

"""Background delivery of inbox replies (WeChat customer-service message, Weibo comment reply)."""

from __future__ import annotations

from govhub.core.jobs import job


@job(retries=5)
def deliver_reply(reply_id: int) -> None:
    from govhub.inbox.actions import send_reply
    from govhub.inbox.models import InboxReply

    reply = InboxReply.objects.select_related("message__account").filter(pk=reply_id).first()
    if reply is not None:
        send_reply(reply)

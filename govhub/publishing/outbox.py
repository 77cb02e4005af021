"""Publishing's side of the one outbox (``govhub.channels.outbox``): each target account of a
published piece gets one outbound message of kind "publication" (a ``Delivery``), and the
editor is told when one gives up.

The outbox itself — claim with a lease, ask-before-retry, backoff, states — is channels'; this
module only says what a publication's messages are.
"""

from __future__ import annotations

import logging

from govhub.channels import outbox
from govhub.channels.models import MessageKind
from govhub.publishing.models import Delivery

log = logging.getLogger(__name__)


def delivery_key(publication, account) -> str:
    """One delivery per piece and target account, whatever retries or re-approvals happen."""
    return f"publication:{publication.pk}:{account.pk}"


def queue_deliveries(publication) -> int:
    """Inside the caller's transaction: one outbox message per target; returns how many are new."""
    made = 0
    for account in publication.targets.all().order_by("platform", "pk"):
        key = delivery_key(publication, account)
        if Delivery.objects.filter(key=key).exists():
            continue
        outbox.enqueue(
            kind=MessageKind.PUBLICATION,
            key=key,
            account=account,
            source=publication,
            department=publication.department,
        )
        made += 1
    return made


def alert_editor(message_id: int) -> None:
    """Tell the piece's editor a delivery gave up (e-mail when they have an address; the
    publishing list shows failed deliveries in red either way)."""
    from django.core.mail import send_mail

    d = Delivery.objects.select_related("account").get(pk=message_id)
    author = d.publication.author
    if author is None or not author.email:
        return
    try:
        send_mail(
            f"【发布失败】{d.publication.title} → {d.account.name}",
            f"稿件“{d.publication.title}”发送到“{d.account.name}”失败并已停止重试：{d.last_error}\n"
            "请在后台“内容发布”中查看原因，处理后可点“重试”。",
            None,
            [author.email],
            fail_silently=True,
        )
    except Exception:  # noqa: BLE001 - the alert must never break the outbox
        log.warning("could not e-mail the editor about delivery %s", message_id)


outbox.on_gave_up(MessageKind.PUBLICATION, alert_editor)

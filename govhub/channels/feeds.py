"""RSS and e-mail adapters: the outbox treats them like the platforms, so every target of a
piece has one delivery with a visible state.

RSS: a delivery puts the piece in the account's feed (``/publishing/feed/<slug>.xml``), withdrawal
takes it out again. E-mail: each active subscriber gets the piece once; a receipt row per
subscriber lets a retried delivery skip those already sent (an SMTP send cannot be asked about
afterwards, so a crash between the send and the receipt may repeat that one message).
"""

from __future__ import annotations

import contextlib
import datetime as dt

from django.conf import settings
from django.core import mail
from django.db import IntegrityError

from govhub.channels import render
from govhub.channels.base import ChannelError, Figures, Preview, Progress, Sent


class RssAdapter:
    platform = "rss"
    can_withdraw = True

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
        return Sent(f"urn:govhub:{delivery.idempotency_key}", delivery.publication.public_url)

    def find_existing(self, delivery, progress: Progress) -> Sent | None:
        return None

    def withdraw(self, delivery) -> None:
        return None  # the feed lists only sent deliveries

    def fetch_figures(self, account, deliveries: list, day: dt.date) -> dict[int, Figures]:
        return {}


class EmailAdapter:
    platform = "email"
    can_withdraw = False

    def preview(self, publication, account, *, marker: str = "") -> Preview:
        return Preview(
            "email",
            {
                "subject": f"【{settings.WAGTAIL_SITE_NAME}】{publication.title}",
                "html": render.absolutise(
                    render.sanitise_html(publication.body), settings.SITE_URL
                ),
                "link": publication.public_url,
            },
        )

    def validate(self, publication, account) -> list:
        return []

    def publish(self, delivery, progress: Progress) -> Sent:
        from govhub.publishing.models import EmailReceipt, EmailSubscriber

        form = self.preview(delivery.publication, delivery.account).fields
        done = set(
            EmailReceipt.objects.filter(delivery=delivery).values_list("subscriber_id", flat=True)
        )
        text = f"{delivery.publication.title}\n\n{render.digest_of(delivery.publication)}\n\n全文：{form['link']}"
        sent = len(done)
        try:
            with mail.get_connection() as conn:
                for sub in (
                    EmailSubscriber.objects.filter(active=True).exclude(pk__in=done).iterator()
                ):
                    msg = mail.EmailMultiAlternatives(
                        form["subject"],
                        text,
                        settings.DEFAULT_FROM_EMAIL,
                        [sub.email],
                        connection=conn,
                        headers={"X-Govhub-Delivery": delivery.idempotency_key},
                    )
                    msg.attach_alternative(form["html"], "text/html")
                    msg.send()
                    with contextlib.suppress(IntegrityError):
                        EmailReceipt.objects.create(delivery=delivery, subscriber=sub)
                    sent += 1
        except (OSError, mail.BadHeaderError) as exc:
            raise ChannelError(
                f"邮件服务器不可用：{type(exc).__name__}，稍后继续发送余下订阅者"
            ) from exc
        return Sent(f"email:{delivery.idempotency_key}", f"共 {sent} 位订阅者")

    def find_existing(self, delivery, progress: Progress) -> Sent | None:
        return None

    def withdraw(self, delivery) -> None:
        raise ChannelError(
            "邮件已送达订阅者，无法撤回；已记录撤回", permanent=True, code="email_no_withdraw"
        )

    def fetch_figures(self, account, deliveries: list, day: dt.date) -> dict[int, Figures]:
        return {}

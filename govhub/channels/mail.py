"""E-mail: the one module that sends mail to citizens (Django's mail backend, SMTP in
production).

Two uses: a publication goes to every active subscriber of the e-mail edition
(``EmailAdapter``), and a direct message (a letter's notice, an appointment reminder…) goes to
one address (``EmailSender``). SMTP cannot be asked afterwards whether a message went out, so a
publication keeps a receipt per subscriber and a retry skips those already sent; a crash between
one SMTP send and its receipt can repeat that one message (the worst case, see docs/outbox.md).
Each message carries ``X-Govhub-Message`` with its id, so a reader's mail system may fold twins.
"""

from __future__ import annotations

import contextlib
import datetime as dt

from django.conf import settings
from django.core import mail
from django.db import IntegrityError

from govhub.channels import render
from govhub.channels.base import ChannelError, Figures, Preview, Progress, Sent
from govhub.channels.models import EmailReceipt, EmailSubscriber


def _smtp_failed(exc: Exception) -> ChannelError:
    return ChannelError(
        f"邮件服务器不可用：{type(exc).__name__}，稍后继续发送", code="smtp", ambiguous=False
    )


class EmailAdapter:
    """A publication to the e-mail subscribers."""

    platform = "email"
    can_withdraw = False

    def configured(self, account) -> bool:
        return True

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
        pub = delivery.publication
        form = self.preview(pub, delivery.account).fields
        done = set(
            EmailReceipt.objects.filter(outbound=delivery).values_list("subscriber_id", flat=True)
        )
        text = f"{pub.title}\n\n{render.digest_of(pub)}\n\n全文：{form['link']}"
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
                        headers={"X-Govhub-Message": delivery.uid},
                    )
                    msg.attach_alternative(form["html"], "text/html")
                    msg.send()
                    with contextlib.suppress(IntegrityError):
                        EmailReceipt.objects.create(outbound=delivery, subscriber=sub)
                    sent += 1
        except (OSError, mail.BadHeaderError) as exc:
            raise _smtp_failed(exc) from exc
        return Sent(f"email:{delivery.uid}", "", f"共 {sent} 位订阅者")

    def find_existing(self, delivery, progress: Progress) -> Sent | None:
        return None  # the receipts make a retry skip those already sent

    def withdraw(self, delivery) -> None:
        raise ChannelError(
            "邮件已送达订阅者，无法撤回；已记录撤回", permanent=True, code="email_no_withdraw"
        )

    def fetch_figures(self, account, deliveries: list, day: dt.date) -> dict[int, Figures]:
        return {}


class EmailSender:
    """A direct message to one address: payload ``subject`` and ``text``."""

    platform = "email"

    def configured(self, account) -> bool:
        return True

    def send(self, message, progress: Progress) -> Sent:
        payload = message.payload
        if not message.recipient:
            raise ChannelError("没有电子邮箱地址，未发送", unconfigured=True, code="no_address")
        try:
            mail.EmailMessage(
                payload.get("subject") or settings.WAGTAIL_SITE_NAME,
                payload.get("text", ""),
                settings.DEFAULT_FROM_EMAIL,
                [message.recipient],
                headers={"X-Govhub-Message": message.uid},
            ).send()
        except (OSError, mail.BadHeaderError) as exc:
            raise _smtp_failed(exc) from exc
        return Sent(f"email:{message.uid}", "", "已发送邮件")

    def find_existing(self, message, progress: Progress) -> Sent | None:
        return None  # SMTP cannot be asked

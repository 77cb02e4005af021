"""Who sends which outbound message: a publication through its platform's adapter (a post on
the account), every other kind as a direct message to one person through the platform's
client module. One registry, so the outbox never names a platform itself."""

from __future__ import annotations

from typing import Protocol

from govhub.channels.adapters import adapter_for
from govhub.channels.base import Progress, Sent
from govhub.channels.models import MessageKind


class Sender(Protocol):
    def configured(self, account) -> bool: ...

    def send(self, message, progress: Progress) -> Sent: ...

    def find_existing(self, message, progress: Progress) -> Sent | None: ...


class PublicationSender:
    """A publication: the platform adapter posts the piece (``message.source``)."""

    def __init__(self, adapter) -> None:
        self.adapter = adapter

    def configured(self, account) -> bool:
        return self.adapter.configured(account)

    def send(self, message, progress: Progress) -> Sent:
        return self.adapter.publish(message, progress)

    def find_existing(self, message, progress: Progress) -> Sent | None:
        return self.adapter.find_existing(message, progress)


class PortalNoticeSender:
    """The portal "channel" of a notice: the citizen reads it on the lookup page, nothing to send."""

    def configured(self, account) -> bool:
        return True

    def send(self, message, progress: Progress) -> Sent:
        return Sent(f"portal:{message.uid}", "", "可在网站查询")

    def find_existing(self, message, progress: Progress) -> Sent | None:
        return None


def _direct():
    from govhub.channels.mail import EmailSender
    from govhub.channels.sms import SmsSender
    from govhub.channels.wechat_messages import WeChatSender
    from govhub.channels.weibo import WeiboSender

    return {
        "wechat": WeChatSender(),
        "weibo": WeiboSender(),
        "email": EmailSender(),
        "sms": SmsSender(),
        "portal": PortalNoticeSender(),
    }


_DIRECT: dict[str, Sender] = {}


def direct_sender(platform: str) -> Sender:
    if not _DIRECT:
        _DIRECT.update(_direct())
    try:
        return _DIRECT[platform]
    except KeyError:
        raise ValueError(f"平台 {platform} 不能发送私信类消息") from None


def sender_for(message) -> Sender:
    if message.kind == MessageKind.PUBLICATION:
        return PublicationSender(adapter_for(message.platform))
    return direct_sender(message.platform)


def sender_for_platform(platform: str, kind: str = MessageKind.PUBLICATION) -> Sender:
    if kind == MessageKind.PUBLICATION:
        return PublicationSender(adapter_for(platform))
    return direct_sender(platform)

"""Messages to one WeChat user, and the one rule for WeChat's 48-hour window.

WeChat lets an official account send a customer-service message (客服消息) to a user only
within 48 hours of the user's last message to it; after that only a template message (模板消息),
whose fields are fixed by a template chosen in the WeChat back office, can reach them. The rule,
for every kind of message:

1. When our records say the window is closed (the user's last message is more than 48 hours
   old), go straight to the template; when they say nothing, try the customer-service message.
2. A customer-service message WeChat refuses with 45015 (out of the window) or 45047 (too many
   messages in it) goes to the template instead.
3. The template is the account's ``WeChatTemplate`` for the message's purpose (payload
   ``template.purpose``, e.g. 信件进度), filled from the payload's values. A message with no
   template purpose (a free-text reply) or an account without that template cannot be sent:
   it waits as “渠道未配置” with the reason, and staff may configure the template and retry.

The user's last message is known to the WeChat callback app, which sits above channels: it
registers ``register_contact_lookup(fn)`` at start-up (``fn(account_id, openid) -> datetime``).

WeChat gives no idempotency key for these messages and no way to ask afterwards whether one
arrived: a send that times out after WeChat delivered it is sent again by the retry, so the
citizen may read the same notice twice (the worst case, measured in docs/outbox.md).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.utils import timezone

from govhub.channels import wechat
from govhub.channels.base import ChannelError, Progress, Sent
from govhub.channels.models import WeChatTemplate
from govhub.channels.wechat import _translate
from govhub.channels.wechat_client import WeChatClientException, make_client

log = logging.getLogger(__name__)

WINDOW = dt.timedelta(hours=48)
WINDOW_CLOSED_CODES = {45015, 45047}  # out of the 48-hour window / too many messages in it
TEXT_LIMIT = 600  # characters we put in one customer-service text

_lookups: list[Callable[[int, str], dt.datetime | None]] = []


def register_contact_lookup(fn: Callable[[int, str], dt.datetime | None]) -> None:
    """``fn(account_id, openid)`` → when the user last wrote to the account (or None)."""
    if fn not in _lookups:
        _lookups.append(fn)


def last_contact(account, openid: str) -> dt.datetime | None:
    times = [t for fn in _lookups if (t := fn(account.pk, openid)) is not None]
    return max(times) if times else None


def window_open(
    account, openid: str, *, seen_at: dt.datetime | None = None, now: dt.datetime | None = None
) -> bool | None:
    """Whether a customer-service message may reach ``openid`` now: True, False, or None when
    nothing is known (then WeChat's own answer decides). ``seen_at`` adds what the caller knows
    (e.g. when an inbox message came in)."""
    now = now or timezone.now()
    times = [t for t in (last_contact(account, openid), seen_at) if t is not None]
    if not times:
        return None
    return now - max(times) <= WINDOW


class WeChatSender:
    """A direct message to one follower: payload ``text`` (customer-service message) and,
    optionally, ``template`` = {"purpose", "values": {code, status, department, time}, "url"}."""

    platform = "wechat"

    def configured(self, account) -> bool:
        return bool(account is not None and account.app_id and account.app_secret)

    def send(self, message, progress: Progress) -> Sent:
        account, openid = message.account, message.recipient
        if not openid:
            raise ChannelError("没有该用户的微信标识，未发送", unconfigured=True, code="no_openid")
        client = make_client(account, timeout=wechat.TIMEOUT)
        payload = message.payload
        if window_open(account, openid) is not False:
            try:
                client.message.send_text(openid, payload.get("text", "")[:TEXT_LIMIT])
                return Sent("", "", "已发送客服消息")
            except WeChatClientException as exc:
                if int(exc.errcode or 0) not in WINDOW_CLOSED_CODES:
                    raise _translate(exc) from exc
            except Exception as exc:  # noqa: BLE001 - timeouts and network errors
                raise _translate(exc) from exc
        return self._template(client, message)

    def _template(self, client, message) -> Sent:
        spec = message.payload.get("template") or {}
        purpose = spec.get("purpose", "")
        if not purpose:
            raise ChannelError(
                "已超过微信 48 小时客服消息期限，无法再向该用户发送消息",
                permanent=True,
                code="window",
            )
        tpl = WeChatTemplate.objects.filter(
            account=message.account, purpose=purpose, enabled=True
        ).first()
        if tpl is None:
            label = dict(WeChatTemplate._meta.get_field("purpose").choices).get(purpose, purpose)
            raise ChannelError(
                f"已超过微信 48 小时客服消息期限，且公众号未配置“{label}”模板消息",
                unconfigured=True,
                code="no_template",
            )
        try:
            res = client.message.send_template(
                message.recipient,
                tpl.template_id,
                tpl.data_for(spec.get("values") or {}),
                url=spec.get("url") or None,
            )
        except Exception as exc:  # noqa: BLE001
            raise _translate(exc) from exc
        return Sent(str((res or {}).get("msgid", "")), "", "已发送模板消息")

    def find_existing(self, message, progress: Progress) -> Sent | None:
        return None  # WeChat cannot be asked whether a customer-service message arrived

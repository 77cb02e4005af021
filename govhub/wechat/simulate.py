"""Build pushes exactly as WeChat's servers sign (and, in safe mode, encrypt) them.

Used by the staff simulator page, the benchmark and the tests, so all three speak the real
protocol to the real callback.
"""

from __future__ import annotations

import hashlib
import itertools
import secrets
import time
from dataclasses import dataclass
from xml.sax.saxutils import escape

import xmltodict
from wechatpy.crypto import WeChatCrypto

from govhub.channels.models import CallbackMode, ChannelAccount

_ids = itertools.count(int(time.time() * 1000))


def signature(token: str, timestamp: str, nonce: str, extra: str | None = None) -> str:
    parts = [token, timestamp, nonce] + ([extra] if extra is not None else [])
    return hashlib.sha1("".join(sorted(parts)).encode(), usedforsecurity=False).hexdigest()


def text_xml(
    to: str, openid: str, content: str, msg_id: int | None = None, created: int | None = None
) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{to}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{created or int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content.replace(']]>', ']]&gt;')}]]></Content>"
        f"<MsgId>{msg_id or next(_ids)}</MsgId></xml>"
    )


def event_xml(to: str, openid: str, event: str, key: str = "", created: int | None = None) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{to}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{created or int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        f"<Event><![CDATA[{event}]]></Event><EventKey><![CDATA[{escape(key)}]]></EventKey></xml>"
    )


def message_xml(
    to: str, openid: str, msg_type: str, fields: dict, msg_id: int | None = None
) -> str:
    inner = "".join(f"<{k}><![CDATA[{v}]]></{k}>" for k, v in fields.items())
    return (
        f"<xml><ToUserName><![CDATA[{to}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[{msg_type}]]></MsgType>"
        f"{inner}<MsgId>{msg_id or next(_ids)}</MsgId></xml>"
    )


@dataclass
class Push:
    query: dict[str, str]
    body: bytes


def sign_push(
    account: ChannelAccount, xml: str, *, timestamp: int | None = None, encrypt: bool | None = None
) -> Push:
    """Query string and body of a push; encrypted in safe mode (and when asked in compatible mode)."""
    ts = str(timestamp or int(time.time()))
    nonce = secrets.token_hex(5)
    query = {
        "signature": signature(account.callback_token, ts, nonce),
        "timestamp": ts,
        "nonce": nonce,
        "openid": "simulator",
    }
    if encrypt is None:
        encrypt = account.callback_mode == CallbackMode.SAFE
    if not encrypt:
        return Push(query, xml.encode("utf-8"))
    crypto = WeChatCrypto(account.callback_token, account.encoding_aes_key, account.app_id)
    sealed = crypto.encrypt_message(xml, nonce, ts)
    encrypted = xmltodict.parse(sealed)["xml"]["Encrypt"]
    query.update(
        encrypt_type="aes", msg_signature=signature(account.callback_token, ts, nonce, encrypted)
    )
    body = f"<xml><ToUserName><![CDATA[{account.remote_id}]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    return Push(query, body.encode("utf-8"))


def open_reply(account: ChannelAccount, body: bytes | str, query: dict[str, str]) -> dict:
    """The reply as a dict (decrypted when it came encrypted); {} for an empty 'success'."""
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    if not text or text == "success":
        return {}
    data = xmltodict.parse(text)["xml"]
    if "Encrypt" in data:
        crypto = WeChatCrypto(account.callback_token, account.encoding_aes_key, account.app_id)
        plain = crypto.decrypt_message(text, data["MsgSignature"], data["TimeStamp"], data["Nonce"])
        data = xmltodict.parse(plain)["xml"]
    return dict(data)

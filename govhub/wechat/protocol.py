"""The WeChat callback protocol: signatures, the timestamp window, safe XML, AES (wechatpy).

XML from the network is first parsed with defusedxml, which refuses DTDs, external entities
(XXE) and entity expansion ("billion laughs"); only then does wechatpy (xmltodict) see it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.messages import TextMessage
from wechatpy.utils import check_signature

from govhub.channels.models import CallbackMode, ChannelAccount

MAX_BODY = 64 * 1024  # WeChat's pushes are a few KB
TIMESTAMP_WINDOW = 300  # seconds either side of our clock


class CallbackError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


@dataclass
class Envelope:
    encrypted: bool
    nonce: str
    timestamp: str


def verify_signature(account: ChannelAccount, params) -> None:
    """The plain signature over (token, timestamp, nonce), and the timestamp inside the window."""
    signature, timestamp, nonce = (
        params.get("signature", ""),
        params.get("timestamp", ""),
        params.get("nonce", ""),
    )
    try:
        check_signature(account.callback_token, signature, timestamp, nonce)
    except (InvalidSignatureException, TypeError):
        raise CallbackError(403, "签名错误") from None
    try:
        ts = int(timestamp)
    except ValueError:
        raise CallbackError(403, "时间戳无效") from None
    if abs(time.time() - ts) > TIMESTAMP_WINDOW:
        raise CallbackError(403, "时间戳超出允许范围（可能是重放的请求）")


def crypto_for(account: ChannelAccount) -> WeChatCrypto:
    return WeChatCrypto(account.callback_token, account.encoding_aes_key, account.app_id)


def safe_parse(xml: bytes | str):
    """The parsed root; refuses malformed XML, DTDs, entities (XXE, billion laughs)."""
    try:
        return SafeET.fromstring(xml, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, SafeET.ParseError, ValueError) as exc:
        raise CallbackError(400, "XML 无法解析或含有不允许的声明") from exc


def open_message(account: ChannelAccount, params, body: bytes):
    """Verify, decrypt when needed, and parse a pushed message. Returns (message, envelope)."""
    verify_signature(account, params)
    root = safe_parse(body)  # the message, or the envelope of an encrypted one
    encrypted = params.get("encrypt_type", "raw") == "aes"
    mode = account.callback_mode
    if mode == CallbackMode.SAFE and not encrypted:
        raise CallbackError(403, "该公众号要求安全模式（加密）消息")
    if mode == CallbackMode.PLAIN and encrypted:
        raise CallbackError(400, "该公众号配置为明文模式")
    xml = body.decode("utf-8", "replace")
    if encrypted:
        try:
            xml = crypto_for(account).decrypt_message(
                body,
                params.get("msg_signature", ""),
                params.get("timestamp", ""),
                params.get("nonce", ""),
            )
        except InvalidSignatureException:
            raise CallbackError(403, "消息签名错误") from None
        except Exception as exc:  # wechatpy raises several types for bad ciphertext
            raise CallbackError(400, "消息无法解密") from exc
        root = safe_parse(xml)
    try:
        msg = message_from(root, xml)
    except Exception as exc:
        raise CallbackError(400, "不是有效的微信消息") from exc
    if msg is None or not getattr(msg, "source", None) or not well_formed(msg):
        raise CallbackError(400, "不是有效的微信消息")
    return msg, Envelope(encrypted, params.get("nonce", ""), params.get("timestamp", ""))


# the fields the handlers read as text; wechatpy reads a repeated tag as a list
_TEXT_FIELDS = ("source", "target", "type", "content", "recognition", "event", "key", "media_id")


def well_formed(msg) -> bool:
    """Every field the handlers read has the type WeChat sends: wechatpy converts lazily, so a
    push with a repeated <Content> or a CreateTime of letters would fail only deep inside a
    handler (500). Reading them here turns such a push into a 400."""
    for name in ("id", "time"):
        try:
            value = getattr(msg, name, None)  # wechatpy's int conversion
        except (TypeError, ValueError, OverflowError):
            return False
        if value is not None and not isinstance(value, int):
            return False
    for name in _TEXT_FIELDS:
        try:
            value = getattr(msg, name, None)
        except (TypeError, ValueError):
            return False
        if value is not None and not isinstance(value, str):
            return False
    return True


def message_from(root, xml: str):
    """wechatpy's message object. A flat text message (most pushes) is built from the tree
    defusedxml already parsed, as wechatpy's xmltodict would build it (text stripped, empty →
    None): parsing it again costs about a tenth of an answered push. Anything else: wechatpy."""
    msg_type = (root.findtext("MsgType") or "").strip().lower()
    if msg_type == "text" and not any(len(child) for child in root):
        return TextMessage({child.tag: (child.text or "").strip() or None for child in root})
    return parse_message(xml)


def seal_reply(account: ChannelAccount, reply_xml: str, env: Envelope) -> str:
    """Encrypt the reply when the message came encrypted (safe or compatible mode)."""
    if not reply_xml or not env.encrypted:
        return reply_xml or "success"
    return crypto_for(account).encrypt_message(
        reply_xml, env.nonce or "govhub", str(int(time.time()))
    )


def dedupe_key(msg) -> str:
    """WeChat's retry identity: MsgId for messages, FromUserName + CreateTime for events."""
    msg_id = getattr(msg, "id", None)
    if msg.type != "event" and msg_id:
        return f"m:{msg_id}"
    created = getattr(msg, "_data", {}).get("CreateTime", "")
    return f"e:{msg.source}:{created}:{getattr(msg, 'event', '')}"[:120]

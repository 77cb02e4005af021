"""Intake (收信): one function receives a letter from every channel.

``submit_letter`` is the shared interface the portal, WeChat, Weibo, the phone desk, the API
and Open311 call. It validates, stores the letter with the writer's personal data encrypted in
core's Citizen (found again by blind index), computes the deadlines, records the first state
row, asks the router for a suggestion (and dispatches by itself above the administrator's bar),
and returns only after the transaction has committed: a tracking code is never shown for a
letter that was not saved.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from govhub.core import audit, inserts
from govhub.core.errors import FieldErrors
from govhub.core.models import Citizen, Department
from govhub.core.permissions import can
from govhub.core.pii import blind_index
from govhub.letters import attachments as att
from govhub.letters.deadlines import current_policy, receive_deadlines
from govhub.letters.models import Attachment, Category, Channel, Letter, Status
from govhub.letters.text import (
    EMAIL_RE,
    MAX_CONTENT,
    MAX_SUBJECT,
    clean_text,
    normalise_phone,
    valid_phone,
)

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O/1/I/L: read aloud on the phone
CHANNELS = {c.value for c in Channel}
ATTACHMENT_NOT_STORED = (
    "附件暂时无法保存，信件没有提交。请稍后再试，或先不带附件提交、在办理过程中再补充材料。"
)
log = logging.getLogger(__name__)


class LetterInputError(FieldErrors):
    """Input refused; ``errors`` maps field names to Chinese messages."""


def new_tracking_code() -> str:
    """12 random symbols of 31 (≈59 bits) from the OS's CSPRNG, shown as XXXX-XXXX-XXXX."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalise_code(code: str) -> str:
    raw = re.sub(r"[^0-9A-Za-z]", "", code or "").upper()
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:12]}" if len(raw) == 12 else raw


def pin_hash(code: str, pin: str) -> str:
    """Keyed hash of the code and the phone's last four digits (never stored in clear)."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{normalise_code(code)}:{pin}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class LetterFields:
    """The fields a letter is checked on: the one list ``check_letter`` and ``submit_letter``
    share (their keyword arguments of these names are passed through ``from_args``)."""

    channel: str = "portal"
    subject: str = ""
    content: str = ""
    phone: str = ""
    email: str = ""
    town_code: str | None = None
    category_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    address: str = ""
    media_url: str = ""

    @classmethod
    def from_args(cls, args: dict) -> LetterFields:
        """The fields among a function's keyword arguments (``locals()``)."""
        return cls(**{f.name: args[f.name] for f in dataclass_fields(cls)})

    def validate(self) -> tuple[dict[str, str], dict]:
        """(errors: field → Chinese message, the cleaned values)."""
        channel, subject, content = self.channel, self.subject, self.content
        phone, email, address, media_url = self.phone, self.email, self.address, self.media_url
        category_code, town_code = self.category_code, self.town_code
        latitude, longitude = self.latitude, self.longitude
        errors: dict[str, str] = {}
        if channel not in CHANNELS:
            errors["channel"] = "未知的来信渠道。"
        subject, content = clean_text(subject), clean_text(content)
        if not content:
            errors["content"] = "请填写来信内容。"
        elif len(content) > MAX_CONTENT:
            errors["content"] = (
                f"来信内容不能超过 {MAX_CONTENT} 字（现为 {len(content)} 字），请精简或分多封来信。"
            )
        if not subject and content:
            subject = content.splitlines()[0][:40]
        if len(subject) > MAX_SUBJECT:
            errors["subject"] = f"标题不能超过 {MAX_SUBJECT} 字。"
        phone = normalise_phone(phone)
        if phone and not valid_phone(phone):
            errors["phone"] = "手机号码格式不正确，请填写 11 位手机号或带区号的固定电话。"
        email = (email or "").strip()
        if email and not EMAIL_RE.match(email):
            errors["email"] = "电子邮箱格式不正确。"
        category = None
        if category_code:
            category = Category.objects.filter(code=category_code).first()
            if category is None:
                errors["category_code"] = "未知的信件类别。"
        town = None
        if town_code:
            town = Department.objects.filter(code=town_code, level__in=["town", "village"]).first()
            if town is None:
                errors["town_code"] = "未知的乡镇或村（社区）。"
        if (latitude is None) != (longitude is None):
            errors["location"] = "位置须同时包含经度和纬度。"
        elif latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            errors["location"] = "位置坐标超出范围。"
        address = clean_text(address or "")
        if len(address) > 200:
            errors["address"] = "地点不能超过 200 字。"
        media_url = (media_url or "").strip()
        if media_url and (
            len(media_url) > 500 or not re.match(r"^https?://[^\s/$.?#][^\s]*$", media_url)
        ):
            errors["media_url"] = (
                "图片链接须为 http:// 或 https:// 开头的网址（不超过 500 个字符）。"
            )
        return errors, {
            "address": address,
            "media_url": media_url,
            "subject": subject,
            "content": content,
            "phone": phone,
            "email": email,
            "category": category,
            "town": town,
        }


def find_or_create_citizen(
    *, name: str = "", phone: str = "", email: str = "", openid: str = "", weibo_uid: str = ""
) -> Citizen | None:
    """The same person writing again is found by keyed hash (phone, e-mail) or account id."""
    if not any([name, phone, email, openid, weibo_uid]):
        return None
    citizen = None
    if phone:
        citizen = Citizen.objects.filter(phone_index=blind_index(phone, "phone")).first()
    if citizen is None and openid:
        citizen = Citizen.objects.filter(wechat_openid=openid).first()
    if citizen is None and weibo_uid:
        citizen = Citizen.objects.filter(weibo_uid=weibo_uid).first()
    if citizen is None and email:
        citizen = Citizen.objects.filter(email_index=blind_index(email, "email")).first()
    if citizen is None:
        return inserts.create(
            Citizen, name=name, phone=phone, email=email, wechat_openid=openid, weibo_uid=weibo_uid
        )
    changed = []
    for field, value in (
        ("name", name),
        ("phone", phone),
        ("email", email),
        ("wechat_openid", openid),
        ("weibo_uid", weibo_uid),
    ):
        if value and not getattr(citizen, field):
            setattr(citizen, field, value)
            changed.append(field)
    if changed:
        citizen.save()
    return citizen


def _intake_departments(policy) -> tuple[Department, Department]:
    """The policy's intake and supervising departments, else 信访局 / 政府办, else the root;
    in one query at most (this runs for every letter)."""
    intake, supervising = policy.intake_department, policy.supervising_department
    if intake is not None and supervising is not None:
        return intake, supervising
    found = {
        d.code: d
        for d in Department.objects.filter(Q(code__in=("xfj", "gov-office")) | Q(depth=1)).order_by(
            "path"
        )
    }
    root = next((d for d in found.values() if d.depth == 1), None)
    if root is None:
        raise LetterInputError({"department": "尚未建立部门，无法收信。"})
    return intake or found.get("xfj") or root, supervising or found.get("gov-office") or root


_INTAKE_POLICY_KEY = "govhub:letters:intake-policy:v1"
INTAKE_POLICY_TTL = 300  # seconds; policy_changed drops it on every change sooner


def intake_policy():
    """(policy, intake department, supervising department) from the shared cache (Redis in
    production, so a change made through one worker is seen by every worker), kept a moment
    in the process (core.hotcache): every letter needs them and they change a few times a year.
    Dropped by ``policy_changed`` when the policy or any department is saved or deleted. For
    computing only — ``update_policy`` reads the row itself before saving it."""
    from govhub.core import hotcache

    def compute():
        policy = current_policy()
        return (policy, *_intake_departments(policy))

    return hotcache.get(_INTAKE_POLICY_KEY, compute, INTAKE_POLICY_TTL)


def policy_changed(**_kwargs) -> None:
    """Signal receiver (letters.apps): the cached intake policy is dropped."""
    from govhub.core import hotcache

    hotcache.drop(_INTAKE_POLICY_KEY)


def check_letter(**fields) -> dict[str, str]:
    """Every problem with a letter's fields at once (field → Chinese message), without saving:
    a form shows them all beside their fields in one go. Takes ``LetterFields``' names as
    keywords (channel, subject, content, phone, email, town_code, category_code, latitude,
    longitude, address, media_url)."""
    errors, _clean = LetterFields(**fields).validate()
    return errors


def subject_from(content: str, default: str) -> str:
    """A subject for a letter that came without one: its first sentence, at most 30 characters."""
    return re.split(r"[。！？\n!?]", content, maxsplit=1)[0][:30] or default


def scoped_key(scope: str | None, key: str) -> str:
    """The stored idempotency key: ``<scope>:<key>``, at most 80 characters (a long key is
    hashed so two long keys of one client cannot collide by truncation)."""
    if not scope:
        return key[:80]
    full = f"{scope}:{key}"
    if len(full) <= 80:
        return full
    return f"{scope}:h:{hashlib.sha256(key.encode()).hexdigest()}"[:80]


def submit_letter(
    *,
    channel: str,
    subject: str,
    content: str,
    name: str = "",
    phone: str = "",
    email: str = "",
    openid: str = "",
    weibo_uid: str = "",
    town_code: str | None = None,
    category_code: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    address: str = "",
    media_url: str = "",
    publish_consent: bool = False,
    attachments: Sequence = (),
    idempotency_key: str | None = None,
    idempotency_scope: str | None = None,
    actor=None,
    received_at=None,
    api_token=None,
    channel_account=None,
    channel_ref: dict | None = None,
) -> Letter:
    """Receive a letter and return it committed, with its ``tracking_code``.

    Accepting is all that happens here — the citizen, the letter, its ``received`` state row,
    the audit record and the receipt notice, in one transaction; the router's suggestion, the
    duplicate check and the automatic dispatch are queued for the worker after the commit
    (``letters.jobs.route_letter``; a sweep re-queues a lost one).

    Raises LetterInputError (field → Chinese message) for bad input, PermissionDenied when a
    staff ``actor`` may not record letters. The same ``idempotency_key`` twice returns the first
    letter (a double-clicked submit makes one letter). ``idempotency_scope`` names the caller
    (an API token or user): the key is then stored as ``<scope>:<key>`` and only that caller's
    letters are found by it, so another client's key never returns someone else's letter."""
    fields = LetterFields.from_args(locals())
    if getattr(actor, "is_authenticated", False) and not can(actor, "record_letter"):
        from govhub.core.permissions import require

        require(actor, "record_letter")
        raise PermissionDenied("无权登记来信")
    if idempotency_key:
        raw_key = idempotency_key
        idempotency_key = scoped_key(idempotency_scope, raw_key)
        if idempotency_scope:
            # a client's retry gets its first letter even if it changed the body; rows stored
            # before keys were scoped are found only by the user who recorded them
            existing = Letter.objects.filter(idempotency_key=idempotency_key).first()
            if existing is None and getattr(actor, "is_authenticated", False):
                existing = Letter.objects.filter(
                    idempotency_key=raw_key[:80], events__actor=actor
                ).first()
            if existing is not None:
                return existing
        # an unscoped key (the portal form's token, a platform's message id) is not looked up
        # first: the unique constraint refuses the second insert and the first letter is
        # returned below — one query less for every letter, a little more work for a retry
    errors, clean = fields.validate()
    try:
        checked = att.check_files(attachments)
    except att.AttachmentError as exc:
        errors["attachments"] = str(exc)
    if errors:
        raise LetterInputError(errors)
    if channel == Channel.SITE_ERROR and clean["category"] is None:
        clean["category"] = Category.objects.filter(code="site_error").first()
    policy, intake_dept, supervising = intake_policy()
    received_at = received_at or timezone.now()
    dispatch_due, reply_due = receive_deadlines(received_at, policy, clean["category"])
    letter_row = {
        "channel": channel,
        "subject": clean["subject"],
        "content": clean["content"],
        "category": clean["category"],
        "town": clean["town"],
        "address": clean["address"],
        "media_url": clean["media_url"],
        "latitude": latitude,
        "longitude": longitude,
        "publish_consent": bool(publish_consent),
        "idempotency_key": idempotency_key or None,
        "intake_department": intake_dept,
        "supervising_department": supervising,
        "received_at": received_at,
        "dispatch_due": dispatch_due,
        "reply_due": reply_due,
        "search_text": "",
        "api_token": api_token,
        "channel_account": channel_account,
        "channel_ref": channel_ref or {},
    }
    writer = {
        "name": clean_text(name)[:50],
        "phone": clean["phone"],
        "email": clean["email"],
        "openid": openid,
        "weibo_uid": weibo_uid,
    }
    for _attempt in range(3):
        code = new_tracking_code()
        stored: list = []
        try:
            with transaction.atomic(), audit.deferred():
                return _accept(code, letter_row, writer, checked, stored, actor, intake_dept)
        except BaseException as exc:
            _discard(stored)  # the rows rolled back: their files must not linger
            if not isinstance(exc, IntegrityError):
                raise
            if idempotency_key:
                existing = Letter.objects.filter(idempotency_key=idempotency_key).first()
                if existing is not None:
                    return existing
            if not Letter.objects.filter(tracking_code=code).exists():
                raise
            # the drawn code was taken (about 1 in 2^59 per letter): draw again
    raise RuntimeError("could not draw a free tracking code")  # pragma: no cover


def _accept(code, letter_row, writer, checked, stored, actor, intake_dept) -> Letter:
    """Inside submit_letter's transaction: the rows of an accepted letter, its receipt notice
    and its routing job (queued for after the commit)."""
    from govhub.letters import actions, notify
    from govhub.letters.jobs import queue_routing

    citizen = find_or_create_citizen(**writer)
    last4 = writer["phone"][-4:] if writer["phone"] else ""
    # the code's uniqueness is the table's constraint: a collision rolls back and draws again
    letter = inserts.create(
        Letter,
        tracking_code=code,
        pin_hash=pin_hash(code, last4) if last4 else "",
        citizen=citizen,
        **letter_row,
    )
    for c in checked:
        try:
            stored.append(
                Attachment.objects.create(
                    letter=letter,
                    file=att.stored_file(c),
                    original_name=c.name,
                    mime=c.mime,
                    size=len(c.data),
                ).file
            )
        except OSError as exc:  # disk full, folder gone: nothing is kept, the citizen
            # is told in Chinese and may send again (the same token), not a 500
            log.warning("letter attachment not stored: %s", type(exc).__name__)
            raise LetterInputError({"attachments": ATTACHMENT_NOT_STORED}) from exc
    received = actions.record_event(
        letter,
        actor,
        "received",
        "收到来信",
        "",
        Status.RECEIVED,
        public=True,
        public_note="您的来信已收到，正在分办。",
        department=intake_dept,
    )
    audit.record(
        actor=actor,
        action="letter_received",
        obj=letter,
        summary={"channel": letter.channel, "attachments": len(checked)},
    )
    # the receipt is queued before the routing job can dispatch, so it is told first
    notify.queue_event(received)
    queue_routing(letter.pk)
    return letter


def _discard(files: list) -> None:
    for f in files:
        with contextlib.suppress(OSError):
            f.storage.delete(f.name)


def letters_from_wechat(openid: str, limit: int = 5) -> list[Letter]:
    """The letters this WeChat subscriber left through a WeChat account, newest first: the
    account answers "查询" with them, the openid standing in for the phone's last four digits
    (a letter left without a phone cannot be looked up on the portal). Found by the openid the
    letter came from (``channel_ref``), not by the citizen record: that one is matched by an
    unverified phone number and may hold someone else's letters."""
    if not openid:
        return []
    return list(
        Letter.objects.filter(channel="wechat", channel_ref__openid=openid).order_by(
            "-received_at"
        )[:limit]
    )


def lookup_letter(code: str, phone_last4: str) -> Letter | None:
    """The letter with this code whose phone ends with these four digits; None otherwise (the
    caller cannot tell a wrong code from a wrong number)."""
    code = normalise_code(code)
    pin = re.sub(r"\D", "", phone_last4 or "")
    if len(code) != 14 or len(pin) != 4:
        return None
    letter = Letter.objects.filter(tracking_code=code).first()
    if letter is None or not letter.pin_hash:
        return None
    if not hmac.compare_digest(letter.pin_hash, pin_hash(code, pin)):
        return None
    return letter

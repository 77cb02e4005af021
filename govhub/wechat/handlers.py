"""What the county's account answers to each pushed message or event.

Order for a text: a guided conversation in progress (leaving a letter), then commands
(留言 / 人工), then the answers engine (keyword rules, knowledge base). What nothing answers goes
to the unified inbox, and the citizen is offered to leave a letter or wait for a person.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import re
import threading
import time
from functools import partial

from django.db import IntegrityError, close_old_connections, connection, transaction
from django.db.models import F
from django.utils import timezone
from wechatpy.replies import ArticlesReply, TextReply

from govhub.channels.models import ChannelAccount
from govhub.core.upsert import insert_on_conflict
from govhub.core.writelock import sqlite_writer
from govhub.qa import engine
from govhub.qa.models import KeywordRule, KnowledgeEntry
from govhub.wechat import cache as wx_cache
from govhub.wechat import delivered
from govhub.wechat.models import (
    AccountSettings,
    Conversation,
    DeliveredMessage,
    MenuButton,
    Subscriber,
    conversations_lapsed_before,
)
from govhub.wechat.protocol import dedupe_key

log = logging.getLogger(__name__)

WAIT_FOR_FIRST = 4.5  # seconds a retry waits for the first delivery's reply
SLOW_BUILD_ENTRIES = 1500  # rebuilding an index this large is answered by customer-service message
PHONE = re.compile(r"^1[3-9]\d{9}$")

WELCOME = "欢迎关注{name}！您可以直接输入问题咨询，例如“怎么办理居住证”；回复“留言”可给县长信箱写信，回复“人工”转人工服务。"
FALLBACK = (
    "抱歉，暂时没有找到与您问题相符的答案，您的问题已转给工作人员。\n"
    "回复「1」留言给县长信箱（将登记为正式信件并给您查询码）\n回复「2」等待工作人员在线答复"
)
DEFAULT_REPLY = "您好，暂不支持自动处理这类消息。请直接输入文字问题，或回复“人工”联系工作人员。"
SLOW_REPLY = "正在为您查询，请稍候，答案将通过消息发送给您。"
LETTER_COMMANDS = ("留言", "写信", "我要留言")
HUMAN_COMMANDS = ("人工", "人工客服", "转人工")
CANCEL_COMMANDS = ("取消", "退出")
STATUS_COMMANDS = ("查询", "信件查询", "我的信件", "查信件")
COMMANDS = frozenset(LETTER_COMMANDS + HUMAN_COMMANDS + CANCEL_COMMANDS + STATUS_COMMANDS)
MY_LETTERS_KEY = "MY_LETTERS"  # a menu button with this key answers as "查询" does
MAX_REPLY_CHARS = 600  # a passive reply's content may not exceed 2,048 bytes
OFFER_REPLIES = frozenset(("1", "2", *CANCEL_COMMANDS))  # what an "offer" conversation takes


def settings_for(account: ChannelAccount) -> AccountSettings:
    return wx_cache.reply_settings(account)


def text_reply(msg, content: str) -> str:
    return TextReply(message=msg, content=content).render()


def render_answer(msg, ans: engine.Answer) -> str:
    if ans.news:
        return ArticlesReply(
            message=msg,
            articles=[
                {
                    "title": ans.title,
                    "description": ans.text[:120],
                    "image": ans.image,
                    "url": ans.url,
                }
            ],
        ).render()
    text = ans.text
    if ans.kind == "kb":
        if ans.links:
            text += "\n" + "\n".join(f'<a href="{u}">{t}</a>' for t, u in ans.links[:3])
        if ans.department:
            text += f"\n（答复部门：{ans.department}）"
    return text_reply(msg, text)


# --- retries ----------------------------------------------------------------------------


class _Retry(Exception):
    """This message was already recorded: undo this delivery's effects, send the first reply."""


def handle_once(account: ChannelAccount, msg) -> str:
    """Process a pushed message once; a retry (same key) gets the first delivery's stored reply.

    A question the answers engine answers, from someone in no guided conversation, changes
    nothing but counters: one read settles that it is neither a retry nor part of a
    conversation, and its delivery is recorded in the next batch (``delivered``). Everything
    else runs in one transaction: the effects (inbox entry, conversation, letter) and then the
    dedup row with the reply, so SQLite takes its write lock once per message and a failure
    leaves nothing half-written (WeChat's retry then processes the message afresh). A concurrent
    retry finds the dedup row taken when it comes to record its own: its transaction is rolled
    back (the unique key makes it wait for the first one's commit on PostgreSQL) and it returns
    the stored reply."""
    key = dedupe_key(msg)
    msg_type = f"{msg.type}:{getattr(msg, 'event', '')}"[:32]
    ans = precomputed_answer(account, msg)
    if ans is not None and ans.answered:
        stored, in_conversation = delivered.earlier(account.pk, key, msg.source)
        if stored is not None:
            return stored
        if not in_conversation:
            reply = render_answer(msg, ans)
            delivered.record_later(account.pk, key, msg.source, msg_type, reply)
            touch_subscriber(account, msg.source)
            record_hit(ans)
            return reply
    try:
        with sqlite_writer(), transaction.atomic():
            reply = handle(account, msg, key, ans) or ""
            if delivered.record(account.pk, key, msg.source, msg_type, reply) is None:
                raise _Retry
    except _Retry:
        return wait_for_reply(account, key)
    return reply


def wait_for_reply(account: ChannelAccount, key: str) -> str:
    deadline = time.monotonic() + WAIT_FOR_FIRST
    while True:
        row = (
            DeliveredMessage.objects.filter(account=account, dedupe_key=key)
            .values("done", "reply_xml")
            .first()
        )
        if row and row["done"]:
            return row["reply_xml"]
        if time.monotonic() > deadline:
            return ""
        time.sleep(0.05)


def question_of(msg) -> str | None:
    """The text a citizen asked (a text, or a voice message WeChat recognised), or None."""
    if msg.type == "text":
        return (msg.content or "").strip()
    if msg.type == "voice" and getattr(msg, "recognition", None):
        return msg.recognition.strip()
    return None


def precomputed_answer(account: ChannelAccount, msg) -> engine.Answer | None:
    """The engine's answer to a question, computed before any write so the transaction holds
    the lock only for writing. None when the message is not such a question (an event, a
    command, a reply to an offer, a cold index over a large knowledge base: the full path
    answers that by customer-service message). Whether the sender is in a guided conversation
    is read afterwards, with the dedup row, in one statement (``delivered.earlier``)."""
    text = question_of(msg)
    if not text or text in COMMANDS or text in OFFER_REPLIES:
        return None
    if not engine.is_ready() and _kb_is_large():
        return None
    return wx_cache.answer(text, account.pk)


_CONV_FIELDS = ("id", "account_id", "openid", "flow", "step", "data")


def load_conversation(account: ChannelAccount, openid: str) -> Conversation | None:
    """The subscriber's guided conversation unless it lapsed (without updated_at), by raw SQL:
    the ORM's query building costs more than the query."""
    since = connection.ops.adapt_datetimefield_value(conversations_lapsed_before())
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT id, account_id, openid, flow, step, data FROM {Conversation._meta.db_table}"  # nosec B608 - table name from model metadata; values are %s parameters
            " WHERE account_id = %s AND openid = %s AND updated_at >= %s",
            [account.pk, openid, since],
        )
        row = cur.fetchone()
    if row is None:
        return None
    data = Conversation._meta.get_field("data").from_db_value(row[5], None, connection)
    return Conversation.from_db(connection.alias, _CONV_FIELDS, (*row[:5], data))


def drop_conversation(conv: Conversation | None) -> None:
    if conv is None:
        return
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {Conversation._meta.db_table} WHERE id = %s", [conv.pk])  # nosec B608 - table name from model metadata; values are %s parameters


HIT_FLUSH_EVERY = 2.0  # seconds; hit counts are statistics, written in batches
_hits: dict[tuple[str, int | str], int] = {}
_hits_lock = threading.Lock()
_hits_flushed = [0.0]


def record_hit(ans: engine.Answer) -> None:
    """Count the rule or entry that answered (once per message, not per retry).

    Counted in memory and written at most every ``HIT_FLUSH_EVERY`` seconds per process: one
    UPDATE per answered entry per flush instead of one per message (a killed worker loses at
    most those seconds of counts, never a citizen's message)."""
    key = (
        ("rule", ans.rule_id) if ans.rule_id else ("entry", ans.entry_id) if ans.entry_id else None
    )
    if key is None:
        return
    _count(key)


def record_unanswered(text: str) -> None:
    """Count a question nobody answered, as ``record_hit`` counts answers: in memory, written
    with them (``engine.record_unanswered``), so the message's transaction has one write less."""
    _count(("unanswered", text))


def _count(key: tuple[str, int | str]) -> None:
    with _hits_lock:
        _hits[key] = _hits.get(key, 0) + 1
    if time.monotonic() - _hits_flushed[0] >= HIT_FLUSH_EVERY:
        flush_hits()


def flush_hits() -> None:
    """Write the counted hits and unanswered questions (also called at the end of tests)."""
    with _hits_lock:
        pending = dict(_hits)
        _hits.clear()
        _hits_flushed[0] = time.monotonic()
    if not pending:
        return
    with sqlite_writer():
        for (kind, ref), n in pending.items():
            if kind == "unanswered":
                engine.record_unanswered(str(ref), "wechat", times=n)
            else:
                model = KeywordRule if kind == "rule" else KnowledgeEntry
                model.objects.filter(pk=ref).update(hits=F("hits") + n)


atexit.register(lambda: _hits and _safe_flush())


def _safe_flush() -> None:
    try:
        flush_hits()
    except Exception:  # noqa: BLE001 - the process is ending; counts are only statistics
        log.warning("could not write %d pending hit counts at exit", len(_hits))


# --- dispatch ---------------------------------------------------------------------------

SUBSCRIBER_TOUCH_EVERY = 60.0  # seconds; last_message_at serves a 48-hour window
_touched: dict[tuple[int, str], float] = {}


def touch_subscriber(account: ChannelAccount, openid: str, **fields) -> None:
    """Record the subscriber's latest interaction (an upsert; skipped when this process did it
    less than a minute ago). Other fields (subscribe events) are always written."""
    now = timezone.now()
    memo_key = (account.pk, openid)
    if not fields:
        seen = _touched.get(memo_key)
        mono = time.monotonic()
        if seen is not None and mono - seen < SUBSCRIBER_TOUCH_EVERY:
            return
        if len(_touched) > 50_000:
            _touched.clear()
        values = {
            "account_id": account.pk,
            "openid": openid[:64],
            "subscribed": True,
            "subscribed_at": now,
            "last_message_at": now,
            "tags": [],
            "scene": "",
        }
        with sqlite_writer():  # held already inside the full path's transaction
            insert_on_conflict(
                Subscriber, values, ("account", "openid"), update=["last_message_at"]
            )
        _touched[memo_key] = mono
        return
    _touched.pop(memo_key, None)
    fields.setdefault("last_message_at", now)
    if not Subscriber.objects.filter(account=account, openid=openid).update(**fields):
        try:
            with transaction.atomic():
                Subscriber.objects.create(
                    account=account,
                    openid=openid,
                    subscribed_at=fields.pop("subscribed_at", now),
                    **fields,
                )
        except IntegrityError:
            Subscriber.objects.filter(account=account, openid=openid).update(**fields)


def handle(account: ChannelAccount, msg, key: str, ans: engine.Answer | None = None) -> str:
    """The reply to a message, after acting on it (``ans``: the engine's answer if known)."""
    if msg.type == "event":
        return handle_event(account, msg)
    touch_subscriber(account, msg.source)
    if msg.type == "text":
        return handle_text(account, msg, msg.content or "", key, ans)
    if msg.type == "voice" and getattr(msg, "recognition", None):
        return handle_text(account, msg, msg.recognition, key, ans)
    described = {
        "image": lambda: f"[图片] {getattr(msg, 'image', '')}",
        "location": lambda: (
            f"[位置] {getattr(msg, 'label', '')} ({getattr(msg, 'location_x', '')}, {getattr(msg, 'location_y', '')})"
        ),
        "link": lambda: f"[链接] {getattr(msg, 'title', '')} {getattr(msg, 'url', '')}",
        "voice": lambda: "[语音]",
    }
    if msg.type in described:
        to_inbox(account, msg, key, described[msg.type]())
        return text_reply(
            msg, "已收到您发送的内容，工作人员会尽快查看。如需咨询，请直接输入文字问题。"
        )
    return text_reply(msg, settings_for(account).default_reply or DEFAULT_REPLY)


def menu_text(account: ChannelAccount) -> str:
    tops = [b.name for b in MenuButton.objects.filter(account=account, parent=None)]
    return f"\n下方菜单：{' | '.join(tops)}" if tops else ""


def handle_event(account: ChannelAccount, msg) -> str:
    event = (getattr(msg, "event", "") or "").lower()
    now = timezone.now()
    if event in ("subscribe", "subscribe_scan"):
        scene = str(getattr(msg, "scene_id", "") or getattr(msg, "key", "") or "")[:64]
        touch_subscriber(
            account,
            msg.source,
            subscribed=True,
            subscribed_at=now,
            unsubscribed_at=None,
            scene=scene,
        )
        welcome = settings_for(account).welcome_text or WELCOME.format(name=account.name)
        return text_reply(msg, welcome + menu_text(account))
    if event == "unsubscribe":
        Subscriber.objects.filter(account=account, openid=msg.source).update(
            subscribed=False, unsubscribed_at=now
        )
        Conversation.objects.filter(account=account, openid=msg.source).delete()
        return ""
    touch_subscriber(account, msg.source)
    if event == "click":
        if getattr(msg, "key", "") == MY_LETTERS_KEY:
            return text_reply(msg, my_letters_text(msg.source))
        button = MenuButton.objects.filter(
            account=account, key=getattr(msg, "key", "") or ""
        ).first()
        if button and button.reply_text:
            return text_reply(msg, button.reply_text)
        ans = engine.answer(
            button.name if button else (getattr(msg, "key", "") or ""),
            account_id=account.pk,
            channel="wechat",
            record=False,
        )
        if ans.answered:
            return render_answer(msg, ans)
        return text_reply(msg, settings_for(account).default_reply or DEFAULT_REPLY)
    if event == "scan":
        return text_reply(msg, f"欢迎回到{account.name}，请直接输入您要咨询的问题。")
    return ""  # view, location and other events need no reply


# --- text -------------------------------------------------------------------------------


def to_inbox(account: ChannelAccount, msg, key: str, text: str):
    from govhub.inbox.intake import receive_message

    m, _ = receive_message(
        channel="wechat",
        account=account,
        sender_ref=msg.source,
        text=text,
        remote_id=f"{account.pk}:{key}",
        meta={"msg_type": msg.type},
    )
    return m


def handle_text(
    account: ChannelAccount, msg, text: str, key: str, ans: engine.Answer | None = None
) -> str:
    text = text.strip()
    conv = load_conversation(account, msg.source)
    if conv is not None:
        reply = continue_conversation(account, msg, conv, text)
        if reply is not None:
            return reply
    # an offer the text did not take: a new letter or a new offer replaces it, else it goes
    offer = conv if conv is not None and conv.flow == "offer" else None
    if text in LETTER_COMMANDS:
        start_letter(account, msg.source, "")
        return text_reply(
            msg, "请直接输入您要反映的问题或建议（至少 10 个字），回复「取消」可退出。"
        )
    if text in STATUS_COMMANDS:
        return text_reply(msg, my_letters_text(msg.source))
    if text in HUMAN_COMMANDS:
        drop_conversation(offer)
        to_inbox(account, msg, key, text)
        return text_reply(msg, "已为您转接工作人员，请直接留下您的问题，我们会在工作时间尽快答复。")
    if not engine.is_ready() and _kb_is_large():
        drop_conversation(offer)
        threading.Thread(target=_warm_in_background, daemon=True).start()
        from govhub.core.jobs import enqueue_on_commit
        from govhub.wechat.jobs import deliver_answer

        enqueue_on_commit(deliver_answer, account.pk, msg.source, text, f"{account.pk}:{key}")
        return text_reply(msg, SLOW_REPLY)
    if ans is None:
        ans = wx_cache.answer(text, account.pk)
    if ans.answered:
        drop_conversation(offer)
        transaction.on_commit(partial(record_hit, ans))  # not for a retry rolled back
        return render_answer(msg, ans)
    transaction.on_commit(partial(record_unanswered, text))  # not for a retry rolled back
    to_inbox(account, msg, key, text)
    set_conversation(account, msg.source, "offer", "choose", {"question": text[:1000]})
    return text_reply(msg, settings_for(account).fallback_text or FALLBACK)


def _kb_is_large() -> bool:
    from govhub.qa.models import KnowledgeEntry

    return KnowledgeEntry.objects.filter(enabled=True).count() > SLOW_BUILD_ENTRIES


def _warm_in_background() -> None:
    try:
        engine.warm_up()
    finally:
        close_old_connections()


def set_conversation(account: ChannelAccount, openid: str, flow: str, step: str, data: dict):
    """Start (or restart) the subscriber's guided conversation: one upsert."""
    values = {
        "account_id": account.pk,
        "openid": openid[:64],
        "flow": flow,
        "step": step,
        "data": data,
        "updated_at": timezone.now(),
    }
    update = ["flow", "step", "data", "updated_at"]
    insert_on_conflict(Conversation, values, ("account", "openid"), update=update)


def start_letter(account: ChannelAccount, openid: str, content: str) -> None:
    set_conversation(
        account, openid, "letter", "phone" if content else "content", {"content": content}
    )


def continue_conversation(
    account: ChannelAccount, msg, conv: Conversation, text: str
) -> str | None:
    """The next step of a guided conversation, or None when the text starts something new."""
    if text in CANCEL_COMMANDS:
        drop_conversation(conv)
        return text_reply(msg, "已取消。您可以继续输入问题咨询。")
    if conv.flow == "offer":
        if text == "1":
            question = conv.data.get("question", "")
            if len(question) >= 10:
                start_letter(account, msg.source, question)
                return text_reply(
                    msg,
                    f"将以您刚才的问题登记信件：\n「{question[:100]}」\n"
                    "如需留下联系电话，请回复 11 位手机号；不留请回复「跳过」。",
                )
            start_letter(account, msg.source, "")
            return text_reply(
                msg, "请详细描述您要反映的问题或建议（至少 10 个字），回复「取消」可退出。"
            )
        if text == "2":
            drop_conversation(conv)
            return text_reply(msg, "好的，工作人员会在工作时间尽快在这里答复您，请留意消息。")
        return None  # a new question: ``handle_text`` replaces the offer or drops it
    if conv.flow == "letter" and conv.step == "content":
        if len(text) < 10:
            return text_reply(
                msg, "内容太短了，请至少写 10 个字，说明事情经过和您的诉求；回复「取消」可退出。"
            )
        conv.step, conv.data = "phone", {"content": text[:5000]}
        conv.save(update_fields=["step", "data", "updated_at"])
        return text_reply(msg, "如需留下联系电话以便回访，请回复 11 位手机号；不留请回复「跳过」。")
    if conv.flow == "letter" and conv.step == "phone":
        phone = "" if text in ("跳过", "不留", "否") else re.sub(r"[\s-]", "", text)
        if phone and not PHONE.match(phone):
            return text_reply(msg, "手机号格式不对，请回复 11 位手机号，或回复「跳过」。")
        content = conv.data.get("content", "")
        drop_conversation(conv)
        return text_reply(msg, submit_letter_from_wechat(account, msg.source, content, phone))
    drop_conversation(conv)
    return None


def my_letters_text(openid: str) -> str:
    """The sender's letters with their status, and the approved answer of those answered."""
    from govhub.letters.intake import letters_from_wechat
    from govhub.letters.models import ANSWERED_STATUSES, OPEN_STATUSES, ReplyStatus

    letters = letters_from_wechat(openid)
    if not letters:
        return "您还没有通过本公众号写过信。回复「留言」可给县长信箱写信。"
    parts = [f"您通过本公众号写的信（最近 {len(letters)} 封）："]
    for letter in letters:
        line = f"\n\n{letter.tracking_code}「{letter.subject[:20]}」\n{letter.get_status_display()}"
        if letter.status in OPEN_STATUSES:
            line += f"，{letter.reply_due.month} 月 {letter.reply_due.day} 日前答复"
        elif letter.status in ANSWERED_STATUSES:
            reply = letter.replies.filter(status=ReplyStatus.APPROVED).first()
            if reply is not None:
                body = " ".join(reply.body.split())
                line += f"。答复：{body[:60]}{'…' if len(body) > 60 else ''}"
        parts.append(line)
    text = "".join(parts)
    return text if len(text) <= MAX_REPLY_CHARS else text[: MAX_REPLY_CHARS - 1] + "…"


def submit_letter_from_wechat(
    account: ChannelAccount, openid: str, content: str, phone: str
) -> str:
    """Create the letter (letters.intake.submit_letter); the reply carries the tracking code."""
    from govhub.letters.intake import LetterInputError, subject_from, submit_letter

    subject = subject_from(content, "微信留言")
    try:
        letter = submit_letter(
            channel="wechat",
            subject=subject,
            content=content,
            phone=phone,
            openid=openid,
            # a stable digest: str hash() differs between worker processes
            idempotency_key=f"wx-{account.pk}-{openid}-{hashlib.sha1(content.encode(), usedforsecurity=False).hexdigest()[:16]}",
            channel_account=account,
            channel_ref={"openid": openid},  # "查询" finds the sender's letters by it
        )
    except LetterInputError as exc:
        return f"信件未能登记：{exc}。请回复「留言」重新填写。"
    return (
        f"您的信件已登记，查询码：{letter.tracking_code}。\n"
        "我们将在 1 个工作日内分办，办理结果会通过本公众号告知您；回复「查询」可随时查看进度。"
    )

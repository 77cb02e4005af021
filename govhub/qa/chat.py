"""The portal chat: a visitor's question that nothing answered goes to the inbox; staff replies
come back to the same browser session (the visitor's page polls for them)."""

from __future__ import annotations

import secrets

from govhub.inbox.intake import receive_message
from govhub.inbox.models import Channel, InboxMessage, InboxReply
from govhub.ratings.actions import rating_token


def new_session_ref() -> str:
    return "chat-" + secrets.token_urlsafe(12)


def hand_over(session_ref: str, question: str, remote_id: str | None = None) -> InboxMessage:
    """Put the visitor's question into the inbox (idempotent per question id)."""
    remote_id = remote_id or f"{session_ref}:{secrets.token_hex(6)}"
    msg, _ = receive_message(
        channel=Channel.CHAT,
        account=None,
        sender_ref=session_ref,
        text=question,
        remote_id=remote_id,
    )
    return msg


def replies_for(session_ref: str, after_id: int = 0) -> list[dict]:
    """Staff replies to this visitor's questions, newer than ``after_id``."""
    rows = InboxReply.objects.filter(
        message__channel=Channel.CHAT, message__sender_ref=session_ref, pk__gt=after_id
    ).order_by("pk")[:50]
    return [
        {
            "id": r.pk,
            "text": r.text,
            "sent_at": r.sent_at.isoformat(),
            # 好差评 of each reply, once (the event is the reply itself)
            "rating_token": rating_token("inbox", r.pk, event=f"reply:{r.pk}"),
        }
        for r in rows
    ]

"""Public question answering: ``POST /api/qa/ask``, chat hand-over and staff replies."""

from __future__ import annotations

from ninja import Router

from govhub.core import ratelimit
from govhub.core.errors import DomainError
from govhub.core.middleware import client_ip
from govhub.core.schemas import StrictIn
from govhub.qa import chat, engine

router = Router(tags=["问答"])

# Per-address limits, counted by core.ratelimit on Django's cache (shared by all workers in
# production); asking on the /qa/ page and through the API share one budget.
# (requests, seconds) per client address
LIMITS = {
    "ask": (30, 60),  # questions: one every two seconds on average
    "handover": (10, 600),  # questions handed to staff
    "replies": (60, 60),  # the widget polls every 5 seconds
}
MESSAGE = "您的操作太频繁了，请{wait}后再试。"


def _wait_text(seconds: int) -> str:
    return f"{seconds // 60} 分钟" if seconds >= 120 else f"{seconds} 秒"


def over_limit(request, scope: str) -> str | None:
    """Count one request; the Chinese refusal when this address is over the scope's limit."""
    limit, window = LIMITS[scope]
    if ratelimit.hit(f"qa-{scope}", client_ip(request), limit, window):
        return MESSAGE.format(wait=_wait_text(window))
    return None


def check_limit(request, scope: str) -> None:
    """Raise a structured 429 (``{"error": "rate_limited", ...}``) when over the limit."""
    message = over_limit(request, scope)
    if message:
        limit, window = LIMITS[scope]
        raise DomainError(
            "rate_limited",
            message,
            details={"limit": limit, "window_seconds": window},
            status=429,
        )


class AskIn(StrictIn):
    question: str
    session: str = ""


class HandOverIn(StrictIn):
    question: str
    session: str


def _check_question(q: str) -> str:
    q = (q or "").strip()
    if not q:
        raise DomainError("empty_question", "请输入问题")
    if len(q) > engine.MAX_QUESTION:
        raise DomainError("question_too_long", f"问题不能超过 {engine.MAX_QUESTION} 字")
    return q


@router.post("/ask", auth=None, summary="提问：关键词回复、知识库检索，或提示转人工/留言")
def ask(request, payload: AskIn):
    check_limit(request, "ask")
    q = _check_question(payload.question)
    ans = engine.answer(q, channel="web")
    body = ans.as_dict()
    if not ans.answered:
        body["text"] = "抱歉，暂时没有找到答案。您可以转人工客服，或给县长信箱写信。"
        body["options"] = [
            {"action": "handover", "label": "转人工客服"},
            {"action": "letter", "label": "给县长信箱写信", "url": "/letters/write/"},
        ]
    return body


@router.post("/chat/handover", auth=None, summary="把问题转给工作人员（进入统一留言箱）")
def handover(request, payload: HandOverIn):
    check_limit(request, "handover")
    q = _check_question(payload.question)
    session = (payload.session or "").strip()
    if not session.startswith("chat-") or len(session) > 64:
        raise DomainError("bad_session", "会话标识无效，请刷新页面后重试")
    msg = chat.hand_over(session, q)
    return {"message_id": msg.pk, "text": "已转给工作人员，答复会显示在这里，请不要关闭页面。"}


@router.get("/chat/replies", auth=None, summary="工作人员对本会话的答复")
def replies(request, session: str, after: int = 0):
    check_limit(request, "replies")
    if not session.startswith("chat-") or len(session) > 64:
        raise DomainError("bad_session", "会话标识无效")
    return {"replies": chat.replies_for(session, after)}


ROUTERS = [("/qa", router)]

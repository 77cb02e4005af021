"""Public question answering: ``POST /api/qa/ask``, chat hand-over and staff replies."""

from __future__ import annotations

from ninja import Router, Schema
from ninja.errors import HttpError  # noqa: F401

from govhub.api.errors import DomainError
from govhub.qa import chat, engine

router = Router(tags=["问答"])


class AskIn(Schema):
    question: str
    session: str = ""


class HandOverIn(Schema):
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
    q = _check_question(payload.question)
    session = (payload.session or "").strip()
    if not session.startswith("chat-") or len(session) > 64:
        raise DomainError("bad_session", "会话标识无效，请刷新页面后重试")
    msg = chat.hand_over(session, q)
    return {"message_id": msg.pk, "text": "已转给工作人员，答复会显示在这里，请不要关闭页面。"}


@router.get("/chat/replies", auth=None, summary="工作人员对本会话的答复")
def replies(request, session: str, after: int = 0):
    if not session.startswith("chat-") or len(session) > 64:
        raise DomainError("bad_session", "会话标识无效")
    return {"replies": chat.replies_for(session, after)}


ROUTERS = [("/qa", router)]

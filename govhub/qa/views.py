"""The public /qa/ page: ask without JavaScript; the chat widget enhances the same page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from govhub.qa import chat, engine
from govhub.qa.api import over_limit
from govhub.ratings.actions import rating_token

SESSION_KEY = "qa_chat_ref"


def _session_ref(request: HttpRequest) -> str:
    ref = request.session.get(SESSION_KEY)
    if not ref:
        ref = chat.new_session_ref()
        request.session[SESSION_KEY] = ref
    return ref


@require_http_methods(["GET", "POST"])
def ask_page(request: HttpRequest) -> HttpResponse:
    """The question page. A question asked with the form (POST) counts in the statistics (hits,
    unanswered questions); following a link to ``/qa/?q=…`` (a suggestion, a menu, a crawler)
    only reads: a GET changes nothing."""
    data = request.POST if request.method == "POST" else request.GET
    q = (data.get("q") or "").strip()
    ctx: dict = {"q": q, "max_len": engine.MAX_QUESTION, "session_ref": _session_ref(request)}
    status = 200
    if q:
        if len(q) > engine.MAX_QUESTION:
            ctx["error"] = f"问题不能超过 {engine.MAX_QUESTION} 字，请精简后再问。"
        elif refused := over_limit(request, "ask"):
            ctx["error"], status = refused, 429
        else:
            ctx["answer"] = engine.answer(q, channel="web", record=request.method == "POST")
            if ctx["answer"].kind == "kb" and ctx["answer"].entry_id:
                # 好差评 of this answer (一事一评: the token names this one answer)
                ctx["rating_token"] = rating_token("answer", ctx["answer"].entry_id)
    ctx["replies"] = chat.replies_for(ctx["session_ref"])
    ctx["handed_over"] = request.GET.get("handed") == "1"
    return render(request, "qa/ask.html", ctx, status=status)


@require_http_methods(["POST"])
def handover(request: HttpRequest) -> HttpResponse:
    q = (request.POST.get("q") or "").strip()[: engine.MAX_QUESTION]
    if not q:
        return redirect("/qa/")
    if refused := over_limit(request, "handover"):
        ctx = {"q": q, "max_len": engine.MAX_QUESTION, "session_ref": _session_ref(request)}
        return render(request, "qa/ask.html", {**ctx, "error": refused}, status=429)
    chat.hand_over(_session_ref(request), q)
    return redirect("/qa/?handed=1")

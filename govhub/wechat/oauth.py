"""WeChat web authorisation (网页授权, silent ``snsapi_base``): who a citizen is in WeChat's browser.

A page opened from the account's menu inside WeChat does not know the visitor's openid, so a
booking or a comment made there could only be answered by SMS. Pages that create work for a
citizen call ``authorize_redirect(request)`` on GET: inside WeChat's browser (User-Agent with
MicroMessenger), with an account configured and no openid in the session yet, it sends the
browser once through the account's authorize URL; WeChat comes back to ``callback`` with a
code, which channels' client exchanges for the openid (``sns/oauth2/access_token``). The openid
lives only in the session: never logged, never shown. The ``state`` carries a nonce kept in the
session and signed with the secret key (a forged or replayed state is ignored, no exchange).
Any failure — forged state, bad code, WeChat unreachable — leaves the page working without the
openid (the citizen is then told by SMS), and the browser is not sent round again in this
session. Outside WeChat nothing happens.
"""

from __future__ import annotations

import secrets

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import url_has_allowed_host_and_scheme

from govhub.channels.models import ChannelAccount
from govhub.channels.wechat_client import make_oauth, oauth_openid

SESSION_OPENID = "wx_openid"
SESSION_STATE = "wx_oauth_state"
SESSION_TRIED = "wx_oauth_tried"
_SALT = "govhub.wechat.oauth.state"


def in_wechat(request: HttpRequest) -> bool:
    return "micromessenger" in request.headers.get("User-Agent", "").lower()


def account() -> ChannelAccount | None:
    """The official account citizens authorise through (the first enabled, configured one)."""
    return (
        ChannelAccount.objects.filter(platform="wechat", enabled=True)
        .exclude(app_id="")
        .order_by("pk")
        .first()
    )


def openid_of(request: HttpRequest) -> str:
    """The visitor's openid for the account, when WeChat gave it in this session, else ""."""
    if not in_wechat(request):
        return ""
    return str(request.session.get(SESSION_OPENID, "") or "")


def _sign(nonce: str) -> str:
    return salted_hmac(_SALT, nonce).hexdigest()[:32]


def make_state(request: HttpRequest, next_path: str) -> str:
    """A fresh state (letters and digits, ≤128 bytes as WeChat asks), remembered in the session."""
    nonce = secrets.token_hex(8)
    request.session[SESSION_STATE] = {"nonce": nonce, "next": next_path}
    return nonce + _sign(nonce)


def check_state(request: HttpRequest, state: str) -> str | None:
    """The page to return to when ``state`` is the one this session was given, else None.
    The state is used once."""
    kept = request.session.pop(SESSION_STATE, None) or {}
    nonce, signature = (state or "")[:16], (state or "")[16:]
    if not kept or len(state or "") != 48:
        return None
    if not constant_time_compare(signature, _sign(nonce)):
        return None
    if not constant_time_compare(nonce, kept.get("nonce", "")):
        return None
    return kept.get("next") or "/"


def authorize_redirect(request: HttpRequest) -> HttpResponse | None:
    """A redirect through WeChat's authorize page when this GET should learn the openid, else
    None (outside WeChat, already known, already tried, or no account configured)."""
    if request.method != "GET" or not in_wechat(request):
        return None
    if request.session.get(SESSION_OPENID) or request.session.get(SESSION_TRIED):
        return None
    acc = account()
    if acc is None or not acc.app_secret:
        return None
    # once per session: if WeChat never comes back (e.g. the domain is not configured for web
    # authorisation), the page opens normally next time instead of sending the browser round
    request.session[SESSION_TRIED] = True
    state = make_state(request, request.get_full_path())
    back = request.build_absolute_uri(reverse("wechat:oauth_callback"))
    return HttpResponseRedirect(make_oauth(acc, back, state=state).authorize_url)


def callback(request: HttpRequest) -> HttpResponse:
    """WeChat's return: check the state, exchange the code, go back to the page."""
    next_path = check_state(request, request.GET.get("state", ""))
    if next_path is None or not url_has_allowed_host_and_scheme(
        next_path, allowed_hosts={request.get_host()}, require_https=False
    ):
        return HttpResponseRedirect("/")
    code = request.GET.get("code", "")
    acc = account()
    if code and acc is not None:
        openid = oauth_openid(acc, code[:128])
        if openid:
            request.session[SESSION_OPENID] = openid[:64]
    return HttpResponseRedirect(next_path)

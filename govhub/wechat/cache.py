"""Per-process caches for the callback's hot path: the account, its reply settings, answers.

WeChat pushes every message to the same few accounts, so looking the account up (and decrypting
its token) for each message is wasted work. Entries live ``TTL`` seconds; a save or delete in
this process clears them at once (signals), other workers see the change within ``TTL``.
Answers are cached per (account, question) and dropped when the answers engine's version moves
(every rule or knowledge-base edit bumps it), so an edit shows within a second.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from django.db.models.signals import post_delete, post_save

from govhub.channels.models import ChannelAccount, Platform
from govhub.qa import engine

TTL = 30.0
ANSWER_TTL = 60.0  # rules have start and end dates: a cached rule answer lives a minute at most
MAX_ANSWERS = 4096

_lock = threading.Lock()
_accounts: dict[str, tuple[float, ChannelAccount | None]] = {}
_settings: dict[int, tuple[float, object]] = {}
_answers: OrderedDict[tuple[int | None, str], tuple[object, float, engine.Answer]] = OrderedDict()


def account(slug: str) -> ChannelAccount | None:
    """The enabled WeChat account with this slug (None when unknown), cached for ``TTL``."""
    now = time.monotonic()
    hit = _accounts.get(slug)
    if hit is not None and hit[0] > now:
        return hit[1]
    found = ChannelAccount.objects.filter(slug=slug, platform=Platform.WECHAT, enabled=True).first()
    if found is not None:
        found.callback_token  # noqa: B018 - decrypt once, not per message
    with _lock:
        if len(_accounts) > 1000:  # unknown slugs from scanners must not grow this forever
            _accounts.clear()
        _accounts[slug] = (now + TTL, found)
    return found


def reply_settings(account_obj: ChannelAccount):
    """The account's AccountSettings (an unsaved default when it has none), cached for ``TTL``."""
    from govhub.wechat.models import AccountSettings

    now = time.monotonic()
    hit = _settings.get(account_obj.pk)
    if hit is not None and hit[0] > now:
        return hit[1]
    s = AccountSettings.objects.filter(account=account_obj).first() or AccountSettings(
        account=account_obj
    )
    _settings[account_obj.pk] = (now + TTL, s)
    return s


def answer(text: str, account_id: int | None) -> engine.Answer:
    """``engine.answer`` without recording, memoised while the engine's version stays the same.

    Recording (hit counts, unanswered questions) is the caller's job, done once per message."""
    version = engine.current_version()
    key = (account_id, text)
    hit = _answers.get(key)
    if hit is not None and hit[0] == version and hit[1] > time.monotonic():
        return hit[2]
    ans = engine.answer(text, account_id=account_id, channel="wechat", record=False)
    with _lock:
        _answers[key] = (version, time.monotonic() + ANSWER_TTL, ans)
        _answers.move_to_end(key)
        while len(_answers) > MAX_ANSWERS:
            _answers.popitem(last=False)
    return ans


def clear(*_args, **_kwargs) -> None:
    with _lock:
        _accounts.clear()
        _settings.clear()
        _answers.clear()


def _connect() -> None:
    from govhub.wechat.models import AccountSettings

    for model in (ChannelAccount, AccountSettings):
        post_save.connect(clear, sender=model, dispatch_uid=f"wechat-cache-{model.__name__}")
        post_delete.connect(clear, sender=model, dispatch_uid=f"wechat-cache-d-{model.__name__}")

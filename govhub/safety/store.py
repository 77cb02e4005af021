"""The dictionaries in force: the base edition merged with the county's own entries."""

from __future__ import annotations

import threading
import time

from govhub.safety.lexicon import BASE_EDITION, Entry, Leader, Lexicon, base_lexicon

_lock = threading.Lock()
_cached: tuple[float, str, Lexicon] | None = None
RECHECK_SECONDS = 2.0  # how long a process trusts its copy before asking for the version


def dictionary_version() -> str:
    from django.db.models import Max

    from govhub.safety.models import DictionaryRevision

    top = DictionaryRevision.objects.aggregate(m=Max("id"))["m"]
    return f"{BASE_EDITION}+{top or 0}"


def current_lexicon() -> Lexicon:
    """Base edition + local entries (a local entry with a base entry's kind and term replaces
    it; a disabled one removes it). One query per ``RECHECK_SECONDS`` when nothing changed."""
    global _cached
    now = time.monotonic()
    with _lock:
        if _cached is not None and now - _cached[0] < RECHECK_SECONDS:
            return _cached[2]
    try:
        version = dictionary_version()
    except Exception:  # noqa: BLE001 - no database (a command run outside a project): the base
        return base_lexicon()
    with _lock:
        if _cached is not None and _cached[1] == version:
            _cached = (now, version, _cached[2])
            return _cached[2]
    lexicon = build_lexicon(version)
    with _lock:
        _cached = (now, version, lexicon)
    return lexicon


def build_lexicon(version: str) -> Lexicon:
    from govhub.safety.models import LeaderEntry, Term

    base = base_lexicon()
    local = {(t.kind, t.term): t for t in Term.objects.all()}
    entries = [e for e in base.entries if (e.kind, e.term) not in local]
    for t in local.values():
        if t.enabled:
            entries.append(
                Entry(t.kind, t.term, t.correction, t.severity, t.since, t.note, t.source, "local")
            )
    leaders_local = list(LeaderEntry.objects.all())
    overridden = {(x.name, x.title, x.start) for x in leaders_local}
    leaders = [ld for ld in base.leaders if (ld.name, ld.title, ld.start) not in overridden]
    leaders += [
        Leader(x.name, x.title, x.level, x.start, x.end, x.source, "local")
        for x in leaders_local
        if x.enabled
    ]
    return Lexicon(entries, leaders, version=version)


def forget() -> None:
    """Drop the process's copy (tests, and right after a change in this process)."""
    global _cached
    with _lock:
        _cached = None

"""Pre-publication checks (发布前检查): the shared content checker, plus what only a publication
has (images, attachments, channel limits).

Text checks — personal data, wording against the dictionaries, typos, links — are
``govhub.safety``'s (one checker for publishing, the matrix, the portal and citizens'
messages). This module adds the publication's own checks, applies the per-code severity of
``CheckSetting`` and keeps the old entries of the publishing wording dictionary
(``WordingTerm``) in force as local dictionary entries.

``Finding`` lives in ``govhub.safety.findings``; it stays importable from here until the channel
adapters import it from there.
"""

from __future__ import annotations

import re
from dataclasses import replace

from govhub.core.pii import id_check_digit_ok, luhn_ok  # noqa: F401 - kept for callers
from govhub.safety import links
from govhub.safety.findings import (  # noqa: F401 - re-exported
    CODE_LABELS,
    DEFAULT_SEVERITY,
    PERSONAL_CODES,
    Finding,
)
from govhub.safety.lexicon import Entry, Lexicon
from govhub.safety.text import html_to_text, parse_html  # noqa: F401 - html_to_text re-exported

# every text finding can be let through by a reviewer with a reason (放行); the publication's
# own structural checks (channel limits, attachments, cover, credentials) cannot
OVERRIDABLE_CODES = frozenset(
    c
    for c in CODE_LABELS
    if c not in {"channel_limit", "attachment", "missing_cover", "credential", "unsafe_html"}
)


def severities() -> dict[str, str]:
    """Current severity per code ('' when a check is switched off), from CheckSetting rows."""
    from govhub.publishing.models import CheckSetting

    out = dict(DEFAULT_SEVERITY)
    for code, severity, enabled in CheckSetting.objects.values_list("code", "severity", "enabled"):
        out[code] = severity if enabled else ""
    return out


_KIND_OF_TERM = {
    "forbidden": "forbidden",
    "sensitive": "sensitive",
    "wrong_expression": "wrong_form",
}


def _lexicon() -> Lexicon:
    """The county's dictionaries plus the enabled entries of the publishing wording dictionary."""
    from django.db.models import Count, Max

    from govhub.publishing.models import WordingTerm
    from govhub.safety.store import current_lexicon

    lex = current_lexicon()
    agg = WordingTerm.objects.filter(enabled=True).aggregate(
        n=Count("id"), last=Max("updated_at"), top=Max("id")
    )
    if not agg["n"]:
        return lex
    version = f"{lex.version}|wt:{agg['n']}:{agg['top']}:{agg['last']}"
    cached = _legacy.get("lex")
    if cached is not None and cached.version == version:
        return cached
    extra = [
        Entry(
            _KIND_OF_TERM[t.kind],
            t.term.strip(),
            t.correction,
            t.severity,
            None,
            t.note,
            "发布词库",
            "local",
        )
        for t in WordingTerm.objects.filter(enabled=True)
        if t.term.strip()
    ]
    # a term the county configured here replaces the base entries for the same term
    known = {e.term for e in extra}
    merged = Lexicon(
        [e for e in lex.entries if e.term not in known] + extra,
        lex.leaders,
        lex.edition,
        version,
    )
    _legacy["lex"] = merged
    return merged


_legacy: dict[str, Lexicon] = {}


def _apply(findings: list[Finding], sev: dict[str, str]) -> list[Finding]:
    """A switched-off code yields nothing; a code's configured severity applies unless the
    dictionary entry set its own."""
    out = []
    for f in findings:
        code_sev = sev.get(f.code, f.severity)
        if not code_sev:
            continue
        if f.code not in ("wrong_expression", "forbidden_term", "sensitive_term"):
            f = f.with_severity(code_sev)
        out.append(f)
    return out


def check_text(text: str, *, html: bool = False, as_of=None) -> list[Finding]:
    """All text findings in ``text`` (HTML is reduced to its visible text first; positions then
    index that text). Sorted by position."""
    from govhub.safety.checker import checker_for

    found = checker_for(_lexicon()).check(text or "", as_of=as_of, html=html)
    return _apply(found, severities())


def internal_link_alive(href: str) -> bool:
    """Does a link to this site open (a view, a live page, a stored file, a published piece)?"""
    return links.internal_link_alive(href)


def _published_piece_alive(path: str) -> bool:
    from govhub.publishing.models import Publication, PubStatus

    pk = path.strip("/").split("/")[-1]
    return (
        pk.isdigit() and Publication.objects.filter(pk=int(pk), status=PubStatus.PUBLISHED).exists()
    )


links.register_resolver("/publishing/p/", _published_piece_alive)


# --- a whole publication -----------------------------------------------------------------

_PARTS = (("title", "标题"), ("digest", "摘要"), ("short_text", "微博文字"))
ATTACHMENT_EXTENSIONS = {
    ".pdf",
    ".doc",
    ".docx",
    ".xls",
    ".xlsx",
    ".ppt",
    ".pptx",
    ".wps",
    ".ofd",
    ".txt",
    ".csv",
    ".zip",
    ".jpg",
    ".jpeg",
    ".png",
}
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024


def _prefixed(findings: list[Finding], where: str) -> list[Finding]:
    return [replace(f, message=f"【{where}】{f.message}", where=where) for f in findings]


def check_publication(publication, accounts=None) -> list[Finding]:
    """Every finding for a piece: wording and personal data in each part and attachment, unsafe
    HTML, dead internal links, images without alt text, and each target channel's limits."""
    from govhub.channels.adapters import adapter_for
    from govhub.channels.render import sanitise_html

    sev = severities()
    out: list[Finding] = []
    for field, label in _PARTS:
        out += _prefixed(check_text(getattr(publication, field) or ""), label)
    out += _prefixed(check_text(publication.body or "", html=True), "正文")
    if publication.pk:
        for att in publication.attachments.all():
            out += _prefixed(check_text(att.extracted_text or ""), f"附件 {att.name}")
            ext = ("." + att.name.rsplit(".", 1)[-1].lower()) if "." in att.name else ""
            if ext not in ATTACHMENT_EXTENSIONS and sev.get("attachment"):
                out.append(
                    Finding("attachment", sev["attachment"], f"附件“{att.name}”的类型不允许发布")
                )
    body = publication.body or ""
    if (
        body
        and sanitise_html(body) != body
        and sev.get("unsafe_html")
        and re.search(r"<script|\son\w+\s*=|javascript:", body, re.I)
    ):
        out.append(
            Finding("unsafe_html", sev["unsafe_html"], "正文含有脚本或事件属性，发布时将被移除")
        )
    scanner = parse_html(body)
    srcs = [img.get("src") or "" for img in scanner.images]
    out += links.check_links(
        scanner.links + [src for src in srcs if src and links.is_internal(src)],
        blocked_domains=_lexicon().blocked_domains,
        severity=sev,
    )
    if sev.get("image_alt"):
        for img in scanner.images:
            if not (img.get("alt") or "").strip():
                out.append(
                    Finding(
                        "image_alt",
                        sev["image_alt"],
                        f"图片 {(img.get('src') or '')[-60:]} 缺少替代文字（alt），读屏软件无法朗读",
                        suggestion="为图片补充简短说明",
                    )
                )
    if accounts is None:
        accounts = list(publication.targets.all()) if publication.pk else []
    seen = set()
    for account in accounts:
        for f in adapter_for(account.platform).validate(publication, account):
            code_sev = sev.get(f.code, f.severity)
            if not code_sev:
                continue
            key = (f.code, f.message)
            if key not in seen:
                seen.add(key)
                out.append(
                    Finding(
                        f.code,
                        code_sev if f.severity == "blocking" else f.severity,
                        f.message,
                        f.start,
                        f.end,
                        f.excerpt,
                        f.suggestion,
                    )
                )
    return out

"""Pre-publication checks (发布前检查): wording, personal data, links, images, channel limits.

``check_text`` is the shared entry point (the supervision work calls it for inspection faults):
it finds ID-card numbers with a valid check digit, mobile numbers, bank-card numbers passing
Luhn, and every term of the wording dictionary in one Aho-Corasick pass (pyahocorasick), so
thousands of terms cost one scan of the text. Severity (blocking/warning) comes from the
dictionary entry or from the configurable CheckSetting of each code.
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import asdict, dataclass
from html.parser import HTMLParser

import ahocorasick

from govhub.core.text import html_to_text

CODE_LABELS = {
    "id_number": "身份证号码",
    "mobile": "手机号码",
    "bank_card": "银行卡号",
    "forbidden_term": "禁用词",
    "sensitive_term": "敏感词",
    "wrong_expression": "错误表述",
    "dead_link": "失效的站内链接",
    "image_alt": "图片缺少替代文字",
    "channel_limit": "渠道限制",
    "unsafe_html": "不安全的 HTML",
    "attachment": "附件",
    "missing_cover": "缺少封面",
    "credential": "渠道凭据",
}

DEFAULT_SEVERITY = {
    "id_number": "blocking",
    "mobile": "blocking",
    "bank_card": "blocking",
    "forbidden_term": "blocking",
    "sensitive_term": "warning",
    "wrong_expression": "warning",
    "dead_link": "warning",
    "image_alt": "warning",
    "channel_limit": "blocking",
    "unsafe_html": "warning",
    "attachment": "blocking",
    "missing_cover": "blocking",
    "credential": "warning",
}
PERSONAL_CODES = {"id_number", "mobile", "bank_card"}


@dataclass(frozen=True)
class Finding:
    """One thing a check found; ``start``/``end`` index the checked (plain) text."""

    code: str
    severity: str
    message: str
    start: int = 0
    end: int = 0
    excerpt: str = ""
    suggestion: str = ""

    @property
    def blocking(self) -> bool:
        return self.severity == "blocking"

    @property
    def personal(self) -> bool:
        return self.code in PERSONAL_CODES

    @property
    def label(self) -> str:
        return CODE_LABELS.get(self.code, self.code)

    @property
    def fingerprint(self) -> str:
        """Stable identity of a finding for overrides (the raw value never stored)."""
        raw = f"{self.code}|{self.start}|{self.end}|{self.message}"
        return hashlib.sha256(raw.encode()).hexdigest()[:32]

    def as_dict(self) -> dict:
        return asdict(self) | {"label": self.label, "fingerprint": self.fingerprint}


# --- personal data ---------------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
ID_RE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
MOBILE_RE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")
CARD_RE = re.compile(r"(?<!\d)(?:\d[ -]?){15,18}\d(?!\d)")


def id_check_digit_ok(number: str) -> bool:
    """True when an 18-digit resident ID number's last character is its ISO 7064 check digit."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(c) * w for c, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _mask(value: str, keep_head: int = 3, keep_tail: int = 4) -> str:
    v = re.sub(r"[ -]", "", value)
    if len(v) <= keep_head + keep_tail:
        return "*" * len(v)
    return v[:keep_head] + "*" * (len(v) - keep_head - keep_tail) + v[-keep_tail:]


def _personal_findings(text: str, severity: dict[str, str]) -> list[Finding]:
    found: list[Finding] = []
    taken: list[tuple[int, int]] = []
    if severity.get("id_number"):
        for m in ID_RE.finditer(text):
            if id_check_digit_ok(m.group()):
                taken.append(m.span())
                found.append(
                    Finding(
                        "id_number",
                        severity["id_number"],
                        "正文含有身份证号码，公开发布会泄露个人信息，请删除或打码",
                        m.start(),
                        m.end(),
                        _mask(m.group()),
                        "删除或改为 " + _mask(m.group()),
                    )
                )
    if severity.get("mobile"):
        for m in MOBILE_RE.finditer(text):
            if any(a <= m.start() < b for a, b in taken):
                continue
            taken.append(m.span())
            found.append(
                Finding(
                    "mobile",
                    severity["mobile"],
                    "正文含有手机号码，公开发布会泄露个人信息；如为办事电话请改用单位固定电话",
                    m.start(),
                    m.end(),
                    _mask(m.group()),
                    "删除或改为单位电话",
                )
            )
    if severity.get("bank_card"):
        for m in CARD_RE.finditer(text):
            if any(a <= m.start() < b or a < m.end() <= b for a, b in taken):
                continue
            digits = re.sub(r"[ -]", "", m.group())
            if 16 <= len(digits) <= 19 and luhn_ok(digits):
                found.append(
                    Finding(
                        "bank_card",
                        severity["bank_card"],
                        "正文含有银行卡号，公开发布会泄露个人信息，请删除",
                        m.start(),
                        m.end(),
                        _mask(digits, 4, 4),
                        "删除银行卡号",
                    )
                )
    return found


# --- wording dictionary ----------------------------------------------------------------

_TERM_CODE = {
    "forbidden": "forbidden_term",
    "sensitive": "sensitive_term",
    "wrong_expression": "wrong_expression",
}


@dataclass(frozen=True)
class _Entry:
    term: str
    code: str
    severity: str
    correction: str
    note: str


class _Dictionary:
    """The compiled automaton, rebuilt when the dictionary's version (count + last edit) changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: tuple | None = None
        self._automaton: ahocorasick.Automaton | None = None

    def automaton(self) -> ahocorasick.Automaton | None:
        from django.db.models import Count, Max

        from govhub.publishing.models import WordingTerm

        agg = WordingTerm.objects.filter(enabled=True).aggregate(
            n=Count("id"), last=Max("updated_at"), top=Max("id")
        )
        version = (agg["n"], agg["last"], agg["top"])
        with self._lock:
            if version != self._version:
                self._automaton = self._build() if agg["n"] else None
                self._version = version
            return self._automaton

    @staticmethod
    def _build() -> ahocorasick.Automaton:
        from govhub.publishing.models import WordingTerm

        auto = ahocorasick.Automaton()
        for t in WordingTerm.objects.filter(enabled=True).order_by("kind", "term"):
            term = t.term.strip()
            if not term:
                continue
            entry = _Entry(term, _TERM_CODE[t.kind], t.severity, t.correction, t.note)
            existing = auto.get(term, None)
            # a forbidden entry wins over a sensitive/wrong entry for the same word
            if existing is None or (
                existing.code != "forbidden_term" and entry.code == "forbidden_term"
            ):
                auto.add_word(term, entry)
        auto.make_automaton()
        return auto


DICTIONARY = _Dictionary()


def _term_findings(text: str, enabled: dict[str, str]) -> list[Finding]:
    auto = DICTIONARY.automaton()
    if auto is None:
        return []
    hits: list[tuple[int, int, _Entry]] = []
    for end_index, entry in auto.iter(text):
        start = end_index - len(entry.term) + 1
        hits.append((start, end_index + 1, entry))
    # keep the longest match where matches overlap (e.g. "国务院总理" over "总理")
    hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    out: list[Finding] = []
    last_end = -1
    for start, end, entry in hits:
        if start < last_end or not enabled.get(entry.code):
            continue
        last_end = end
        if entry.code == "wrong_expression":
            message = f"“{entry.term}”是错误或过时的表述" + (
                f"，应为“{entry.correction}”" if entry.correction else ""
            )
        elif entry.code == "forbidden_term":
            message = f"“{entry.term}”属于禁用词，不得出现在政府发布内容中"
        else:
            message = f"“{entry.term}”属于敏感词，请审慎使用"
        if entry.note:
            message += f"（{entry.note}）"
        out.append(
            Finding(entry.code, entry.severity, message, start, end, entry.term, entry.correction)
        )
    return out


def severities() -> dict[str, str]:
    """Current severity per code ('' when a check is switched off), from CheckSetting rows."""
    from govhub.publishing.models import CheckSetting

    out = dict(DEFAULT_SEVERITY)
    for code, severity, enabled in CheckSetting.objects.values_list("code", "severity", "enabled"):
        out[code] = severity if enabled else ""
    return out


def check_text(text: str, *, html: bool = False) -> list[Finding]:
    """All wording and personal-data findings in ``text`` (HTML is reduced to its visible text
    first; positions then index that text). Sorted by position."""
    if html:
        text = html_to_text(text)
    if not text:
        return []
    sev = severities()
    found = _personal_findings(text, sev)
    found += _term_findings(
        text,
        {
            **sev,
            "forbidden_term": sev.get("forbidden_term") or "",
            "sensitive_term": sev.get("sensitive_term") or "",
            "wrong_expression": sev.get("wrong_expression") or "",
        },
    )
    # a switched-off code yields nothing; a dictionary entry keeps its own severity
    return sorted(found, key=lambda f: (f.start, f.code))


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
    return [
        Finding(
            f.code, f.severity, f"【{where}】{f.message}", f.start, f.end, f.excerpt, f.suggestion
        )
        for f in findings
    ]


class _LinkImageScanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.images: list[dict] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "img":
            self.images.append(a)


def internal_link_alive(href: str) -> bool:
    """Does a link to this site resolve (a Django view, a live Wagtail page or a stored file)?"""
    from django.conf import settings
    from django.core.files.storage import default_storage
    from django.urls import Resolver404, resolve

    path = href.split("#", 1)[0].split("?", 1)[0]
    if settings.SITE_URL and path.startswith(settings.SITE_URL):
        path = path[len(settings.SITE_URL) :] or "/"
    if path.startswith(settings.MEDIA_URL):
        return default_storage.exists(path[len(settings.MEDIA_URL) :])
    if path.startswith(settings.STATIC_URL):
        return True
    try:
        match = resolve(path)
    except Resolver404:
        return False
    if match.url_name == "wagtail_serve" or getattr(match.func, "__name__", "") == "serve":
        from django.http import Http404
        from wagtail.models import Site

        site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
        if site is None:
            return False
        components = [c for c in path.split("/") if c]
        try:
            page, _args, _kwargs = site.root_page.specific.route(None, components)
        except Http404:
            return False
        return page.live
    if path.startswith("/publishing/p/"):
        from govhub.publishing.models import Publication, PubStatus

        pk = path.strip("/").split("/")[-1]
        return (
            pk.isdigit()
            and Publication.objects.filter(pk=int(pk), status=PubStatus.PUBLISHED).exists()
        )
    return True


def _is_internal(href: str) -> bool:
    from django.conf import settings

    return (href.startswith("/") and not href.startswith("//")) or bool(
        settings.SITE_URL and href.startswith(settings.SITE_URL)
    )


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
    scanner = _LinkImageScanner()
    scanner.feed(body)
    if sev.get("dead_link"):
        srcs = [img.get("src") or "" for img in scanner.images]
        for href in dict.fromkeys(scanner.links + [s for s in srcs if s]):
            if _is_internal(href) and not internal_link_alive(href):
                out.append(
                    Finding(
                        "dead_link",
                        sev["dead_link"],
                        f"站内链接 {href[:120]} 无法打开",
                        excerpt=href[:120],
                        suggestion="改为有效链接或删除",
                    )
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

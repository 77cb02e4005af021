"""The crawler behind test_crawl.py: everything one person can reach, read as that person reads it.

It walks the site with a plain HTTP session (the browser's cookies, no JavaScript), from the
back office's menu (Wagtail's sidebar is JSON in the page; its links and labels are read from
there) or the portal's home page, its sitemap and its GET forms, and follows every internal link.
GET only: it never posts a form, and the test asks the server which GET requests wrote to the
database (conftest's write trap), since a link that changes state on GET is a bug of its own.

Each page it reads is checked for what the person sees (text, tooltips, placeholders, button
labels, the menu): Latin words outside a short allow-list, raw codes (choice values, True/False/
None), and each link on it (href and src: pages, images, scripts, styles) must answer 200 (after
redirects) without sending the person to the login page or to 没有权限.

Pages of one kind (a letter, a page in the explorer) are sampled, not all read: the crawler keeps
opening pages of a URL pattern (`/admin/letters/{n}/`) while they show something new (a form
field, a button, a heading it has not seen on that pattern) and stops after a few that show
nothing new. Public pages are all read.
"""

from __future__ import annotations

import json
import re
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import parse_qsl, urldefrag, urlencode, urljoin, urlsplit
from xml.etree import ElementTree

import requests

# --- what a person reads --------------------------------------------------------------------


# Latin words a Chinese official reads without trouble: formats, units, standard abbreviations,
# and the names WeChat's own platform uses in its settings (an operator copies them from there).
def _words(text: str) -> list[str]:
    return text.split()


ALLOWED_WORDS = {
    *_words("RSS Atom API PDF Excel Word WPS OFD ZIP CSV XML JSON HTML HTTP HTTPS SMTP URL IP ID"),
    # spreadsheet formats named beside CSV where a file is imported
    *_words("XLSX xlsx TSV JSONL"),
    # image formats as Wagtail's upload page lists them, encodings, the 网站备案 mark
    *_words("PNG JPG JPEG GIF WebP WEBP AVIF HEIC TIFF BMP SVG UTF GBK ICP"),
    # standards and libraries named where they are used
    *_words("GeoReport Open Leaflet ECharts"),
    # units
    *_words("km kg cm mm ml MB KB GB TB kb px"),
    # abbreviations a Chinese official writes as they are
    *_words("APP App QQ GPS AQI CPI GDP PPI VIP WiFi Wi-Fi Wi Fi PM AI OCR CA LED IC HPV CT DNA"),
    *_words("ETC POS USB SIM"),
    # WeChat/Weibo settings, named as the platforms' own consoles name them
    *_words("AppID AppSecret Token EncodingAESKey AES OpenID openid UnionID UID"),
    # keys as printed on a keyboard (the shortcuts dialog)
    *_words("Ctrl Alt Shift Esc Enter Tab Cmd"),
    # shown only to a browser with scripts switched off, in the sentence that says so
    "JavaScript",
}
# choice values that are also ordinary words in an allowed context are still raw codes when seen
RAW_LITERALS = {"True", "False", "None", "null", "undefined", "NaN"}

_STRIP = re.compile(
    r"""(?:https?|ftp)://[^\s<>"'，。、；）)\]]+            # addresses
      | [\w.+-]+@[\w-]+(?:\.[\w-]+)+                       # e-mail addresses
      | (?<![\w/])(?:[A-Za-z0-9-]+\.)+(?:cn|com|net|org|gov|edu)(?![A-Za-z])(?:/[^\s]*)?
      | (?<![\w])/[\w\-./?=&%{}]*                            # paths
      | [\w\-]+\.(?:pdf|docx?|xlsx?|pptx?|jpe?g|png|gif|webp|svg|txt|zip|csv|xml|json|ofd|wps)\b
      | \bApp\s?(?:Key|Secret|ID)\b                           # the platforms' own credential names
      | \bgh_[\w…]*                                           # a WeChat account's original id
      | \*{2,}\w*                                             # a masked secret's last letters
    """,
    re.VERBOSE | re.IGNORECASE,
)
_WORD = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z][A-Za-z0-9_]*(?:[-'’][A-Za-z][A-Za-z0-9_]*)*")


@dataclass
class Vocabulary:
    """What may and may not appear: the allow-list plus the demo's own data (login names,
    department codes typed by the administrator), and the codes stored behind every choice."""

    raw_codes: set[str]
    data_words: set[str] = field(default_factory=set)
    allowed: set[str] = field(default_factory=lambda: set(ALLOWED_WORDS))

    def problems(self, text: str) -> list[tuple[str, str, str]]:
        """(kind, subject, context) for one piece of visible text (a text node, a tooltip): a
        raw code standing alone (``in_review``, ``True``) is a raw-code; other Latin words are
        English, reported once per piece with the piece itself as subject."""
        cleaned = " ".join(_STRIP.sub(" ", text).split())
        words = []
        for m in _WORD.finditer(cleaned):
            word = m.group(0)
            if len(word) < 2 or any(ch.isdigit() for ch in word):
                continue
            if word in self.allowed or word in self.data_words:
                continue
            words.append(word)
        if not words:
            return []
        found = []
        codes = [w for w in words if w in RAW_LITERALS or w in self.raw_codes or "_" in w]
        if codes and (len(words) == 1 or len(codes) == len(words)):
            for word in codes:
                at = cleaned.find(word)
                context = cleaned[max(0, at - 25) : at + len(word) + 25]
                found.append(("raw-code", f"「{word}」", f"in 「{context}」"))
            return found
        subject = cleaned if len(cleaned) <= 80 else cleaned[:77] + "…"
        return [("english", f"「{subject}」", "(" + " ".join(dict.fromkeys(words)) + ")")]


def build_vocabulary() -> Vocabulary:
    """Raw codes are the stored values of every choice field of every installed model (status,
    platform, role…) that differ from their label; data words are the codes and login names
    people typed (department codes, 公开类别代码 such as ZCWJ, usernames)."""
    from django.apps import apps

    codes: set[str] = set()
    for model in apps.get_models():
        for f in model._meta.get_fields():
            choices = getattr(f, "flatchoices", None) or []
            for value, label in choices:
                code = isinstance(value, str) and re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", value)
                if code and str(label) != value:
                    codes.add(value)
    data: set[str] = set()
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if f.get_internal_type() in {"CharField", "SlugField"} and (
                f.name in {"code", "username", "hostname"} or f.name.endswith("_code")
            ):
                for value in model._default_manager.values_list(f.name, flat=True).distinct():
                    data.update(_WORD.findall(value or ""))
    return Vocabulary(raw_codes=codes - ALLOWED_WORDS, data_words=data)


# --- reading a page -------------------------------------------------------------------------

_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
    "param",
}
_NO_TEXT = {"script", "style", "svg", "textarea"}
_TEXT_ATTRS = {"title", "alt", "placeholder", "aria-label", "aria-description"}
_LINK_ATTRS = {
    "a": ("href",),
    "link": ("href",),
    "script": ("src",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "iframe": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "embed": ("src",),
    "object": ("data",),
}


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str, str]]  # (tag/type, name, default value)


class PageReader(HTMLParser):
    """Visible text (with tooltips, placeholders, alt text and button labels), links, GET forms,
    JSON islands (Wagtail's sidebar) and a structural signature of one HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.links: list[tuple[str, str]] = []  # (tag.attr, url)
        self.json: dict[str, str] = {}
        self.forms: list[Form] = []
        self.signature: set[str] = set()
        # text not shown: script, style, svg, a textarea's typed content, and any
        # element with the hidden attribute (skipped by counting its tag until it closes)
        self._skip: str | None = None
        self._skip_depth = 0
        self._json_id: str | None = None
        self._button: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        # a bulk action's link gets the chosen rows' ids from the page's script when clicked
        links = () if "data-bulk-action-button" in a else _LINK_ATTRS.get(tag, ())
        for attr in links:
            value = a.get(attr, "").strip()
            if not value:
                continue
            if attr == "srcset":
                for part in value.split(","):
                    if part.strip():
                        self.links.append((f"{tag}.srcset", part.split()[0]))
            elif not (tag == "link" and a.get("rel") in {"preconnect", "dns-prefetch"}):
                self.links.append((f"{tag}.{attr}", value))
        if tag == "script" and a.get("type") == "application/json" and a.get("id"):
            self._json_id = a["id"]
            self.json[self._json_id] = ""
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower(), []))
        if tag in {"input", "select", "textarea"} and a.get("name"):
            kind = a.get("type", "text") if tag == "input" else tag
            if self.forms:
                self.forms[-1].fields.append((kind, a["name"], a.get("value", "")))
            self.signature.add(f"field:{a['name']}")
        if self._skip is None and "hidden" not in a:
            for attr in _TEXT_ATTRS & a.keys():
                self.texts.append(a[attr])
            if tag == "input" and a.get("type") in {"submit", "button", "reset"}:
                self.texts.append(a.get("value", ""))
                self.signature.add(f"button:{a.get('value', '')}")
        if tag == "button":
            self._button = ""
        if self._skip is None and tag not in _VOID and (tag in _NO_TEXT or "hidden" in a):
            self._skip, self._skip_depth = tag, 0
        if tag == self._skip:
            self._skip_depth += 1

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag == self._skip:
            self._skip_depth -= 1
            if self._skip_depth <= 0:
                self._skip = None
        if tag == "script":
            self._json_id = None
        if tag == "button" and self._button is not None:
            self.signature.add(f"button:{' '.join(self._button.split())}")
            self._button = None

    def handle_data(self, data):
        if self._json_id is not None:
            self.json[self._json_id] += data
            return
        if self._skip is not None:
            return
        if data.strip():
            self.texts.append(data)
            if self._button is not None:
                self._button += data


def sidebar(json_text: str) -> tuple[list[str], list[str]]:
    """Labels and links of Wagtail's sidebar (telepath-packed JSON): what the menu shows."""
    labels: list[str] = []
    urls: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if "_val" in node:
                return walk(node["_val"])
            for key in ("label", "footer_text"):
                if isinstance(node.get(key), str):
                    labels.append(node[key])
            if isinstance(node.get("url"), str):
                urls.append(node["url"])
            for value in node.values():
                if isinstance(value, list | dict):
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(json_text))
    return labels, urls


# --- walking the site ---------------------------------------------------------------------


@dataclass
class Finding:
    check: str  # english | raw-code | dead-link | foreign-link | get-writes | overflow
    role: str
    page: str  # where the person saw it
    subject: str  # the word, or the link, that is wrong
    detail: str = ""  # the words around it, or what the link answers

    def __str__(self) -> str:
        return f"[{self.role}] {self.page} — {self.subject} {self.detail}".rstrip()


# who fixes what: the first matching path prefix names the owner (BRIEF.md's areas)
OWNERS = [
    (
        "publishing",
        (
            "/admin/publishing/",
            "/admin/review_",
            "/admin/check_settings/",
            "/admin/wording/",
            "/admin/delivery/",
            "/admin/new/",
            "/publishing/",
            "/api/",
        ),
    ),
    (
        "letters",
        (
            "/admin/letters/",
            "/admin/letter_",
            "/admin/record/",
            "/admin/policy/",
            "/admin/router/",
            "/letters/",
            "/open311/",
        ),
    ),
    (
        "supervision",
        (
            "/admin/matrix",
            "/admin/analytics/",
            "/admin/wechat",
            "/admin/inbox/",
            "/admin/qa",
            "/admin/unanswered/",
            "/admin/export/",
            "/admin/outbox/",
            "/admin/channel_accounts/",
            "/wechat/",
            "/qa/",
        ),
    ),
    (
        "services",
        (
            "/admin/service_guides/",
            "/admin/query_connectors/",
            "/admin/service_events/",
            "/admin/services/",
            "/services/",
        ),
    ),
    ("participation", ("/admin/participation/", "/participation/")),
    ("safety", ("/admin/safety/",)),
    ("wagtail", ("/admin/",)),
    ("portal", ("/",)),
]


def owner(page: str) -> str:
    """The area (and so the engineer) that owns a page of the site."""
    path = urlsplit(page).path
    for name, prefixes in OWNERS:
        if path.startswith(prefixes):
            return name
    return "portal"


def _subject_key(f: Finding) -> str:
    """Dead links of one kind (/admin/qa_entries/copy/1/, …/2/) are one finding."""
    if f.check == "dead-link" and f.subject.startswith("/"):
        return _pattern(f.subject, query_keys=False)
    return f.subject


def summarize(findings: list[Finding], limit: int = 60) -> str:
    """One line per wrong word or link: owner, role, page, finding — with how many pages show
    it, so the owner of that page can find it (a word of Wagtail's shows on every page: one
    line; dead links of one URL pattern: one line)."""
    groups: dict[tuple[str, str, str], list[Finding]] = defaultdict(list)
    for f in findings:
        groups[(owner(f.page), f.check, _subject_key(f))].append(f)
    lines = []
    ordered = sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1], -len(kv[1])))
    for (area, check, _key), group in ordered:
        first = group[0]
        pages = len({f.page for f in group})
        links = len({f.subject for f in group})
        more = f"（另有 {pages - 1} 页）" if pages > 1 else ""
        kind = f"（同类 {links} 个）" if links > 1 else ""
        lines.append(
            f"[{area}] {check} [{first.role}] 页面 {first.page}{more}: "
            f"{first.subject}{kind} {first.detail}".rstrip()
        )
    if len(lines) > limit:
        lines = [*lines[:limit], f"… 另有 {len(lines) - limit} 项（全部见 crawl-report.txt）"]
    return "\n".join(lines)


def report(crawls: list[Crawl]) -> str:
    """The whole walk, for the file kept beside the screenshots: figures per role, then every
    finding grouped by owner."""
    lines = ["角色            页面   链接  同类未重复  问题     秒"]
    for c in crawls:
        lines.append(
            f"{c.role:<13} {len(c.pages):>5} {len(c.links):>6} {c.sampled_out:>10} "
            f"{len(c.findings):>5} {c.seconds:6.1f}"
        )
    findings = [f for c in crawls for f in c.findings]
    by_owner: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_owner[owner(f.page)].append(f)
    for area in sorted(by_owner):
        lines += ["", f"== {area}: {len(by_owner[area])} 处 ==", summarize(by_owner[area], 10**6)]
    return "\n".join(lines) + "\n"


@dataclass
class Crawl:
    role: str
    pages: dict[str, int] = field(default_factory=dict)  # crawled page → status
    html_pages: list[str] = field(default_factory=list)  # public pages read, for the browser
    links: dict[str, str] = field(default_factory=dict)  # checked link → outcome ("" = fine)
    sampled_out: int = 0
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0

    def of(self, check: str) -> list[Finding]:
        return [f for f in self.findings if f.check == check]


def _pattern(url: str, *, query_keys: bool = True) -> str:
    """/admin/letters/12/?tab=x → /admin/letters/{n}/?tab: pages of one kind."""
    parts = urlsplit(url)
    path = re.sub(r"/\d+(?=/|$)", "/{n}", parts.path)
    if not parts.query:
        return path
    if not query_keys:
        return path + "?"
    keys = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return path + "?" + "&".join(keys)


def canonical(url: str) -> str:
    """Without the fragment and the ``next`` parameter (where to go after a form: the page
    itself is the same)."""
    url, _ = urldefrag(url)
    parts = urlsplit(url)
    if "next=" not in parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    return parts._replace(query=urlencode([(k, v) for k, v in pairs if k != "next"])).geturl()


QUERY_MAX = 3  # variants of one public path's query string (page=2, page=3…)
FOREIGN_OK = (".gov.cn", "conac.cn")  # government sites (conac: the 党政机关 mark)
NEVER_GET = ("/admin/logout/",)


class Crawler:
    """One person's walk: ``back_office`` walks /admin/ (staff), else the public site.

    ``stale``/``most``: how many pages of one URL pattern showing nothing new end the sampling
    of that pattern, and how many it reads at most; ``shared_patterns`` carries what earlier
    walks saw on each pattern, so a second person reads one page of a kind the first has read
    unless theirs shows something more (another button, another field)."""

    def __init__(
        self,
        base: str,
        role: str,
        cookies: dict[str, str],
        vocabulary: Vocabulary,
        *,
        back_office: bool,
        shared_status: dict[str, str],
        shared_patterns: dict[str, set[str]] | None = None,
        stale: int = 1,
        most: int = 6,
    ):
        self.base = base.rstrip("/")
        self.host = urlsplit(self.base).netloc
        self.role = role
        self.back_office = back_office
        self.vocab = vocabulary
        self.stale, self.most = stale, most
        self.http = requests.Session()
        for name, value in cookies.items():
            self.http.cookies.set(name, value, domain=urlsplit(self.base).hostname)
        # a link followed must not change who the person is or how the site looks to them
        # (/mode/elder/ sets a cookie): keep the cookies the walk started with
        self.http.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        self.shared = shared_status
        # what earlier walks saw on each pattern: a page showing nothing beyond it is not new
        self.seen_on = shared_patterns if shared_patterns is not None else {}
        self.crawl = Crawl(role)
        self._queue: deque[tuple[str, str]] = deque()  # (url, the page it was found on)
        self._seen: set[str] = set()
        self._patterns: dict[str, dict] = defaultdict(
            lambda: {"n": 0, "stale": 0, "sigs": set(), "done": False}
        )
        self._reported: set[tuple[str, str, str]] = set()

    # scope ------------------------------------------------------------------------------
    def _in_scope(self, path: str) -> bool:
        if self.back_office:
            return path.startswith("/admin/") and not path.startswith(
                ("/admin/logout/", "/admin/login/", "/admin/jsi18n/")
            )
        return not path.startswith(
            ("/admin/", "/static/", "/media/", "/documents/", "/api/", "/django-admin/")
        )

    def _pattern(self, url: str) -> str:
        if self.back_office:  # sorting, filters and pages of a listing: one pattern
            return _pattern(url, query_keys=False)
        return _pattern(url) if urlsplit(url).query else url

    # the walk ---------------------------------------------------------------------------
    def run(self, seeds: list[str]) -> Crawl:
        started = time.monotonic()
        for seed in seeds:
            self._enqueue(urljoin(self.base + "/", seed), "（起点）")
        while self._queue:
            url, origin = self._queue.popleft()
            self._visit(url, origin)
        self.crawl.seconds = time.monotonic() - started
        return self.crawl

    def _enqueue(self, url: str, origin: str) -> None:
        if url not in self._seen:
            self._seen.add(url)
            self._queue.append((url, origin))

    def _find(self, check: str, page: str, subject: str, detail: str = "") -> None:
        key = (check, page, subject)
        if key not in self._reported:
            self._reported.add(key)
            self.crawl.findings.append(Finding(check, self.role, page, subject, detail))

    def _rel(self, url: str) -> str:
        parts = urlsplit(url)
        return parts.path + ("?" + parts.query if parts.query else "")

    def _visit(self, url: str, origin: str) -> None:
        state = self._patterns[self._pattern(url)]
        if state["done"]:
            self.crawl.sampled_out += 1
            return
        state["n"] += 1
        try:
            response = self.http.get(url, timeout=60)
        except requests.RequestException as exc:
            self.crawl.links[url] = str(exc)
            self._find("dead-link", origin, self._rel(url), str(exc))
            return
        outcome = self._outcome(response)
        self.crawl.links[url] = outcome
        self.crawl.pages[self._rel(url)] = response.status_code
        if outcome:
            self._find("dead-link", origin, self._rel(url), f"→ {outcome}")
            return
        if not self._in_scope(urlsplit(response.url).path):
            return
        ctype = response.headers.get("Content-Type", "")
        page = self._rel(response.url)
        if "html" in ctype:
            signature = self._read_html(page, response.text, response.url)
        elif re.search(r"[/+]xml$", ctype.split(";")[0].strip()):
            signature = self._read_xml(page, response.content)
        elif "json" in ctype and self.back_office:
            signature = self._read_json(page, response.text, response.url)
        else:
            signature = set()
        if self.back_office or urlsplit(url).query:
            known = self.seen_on.setdefault(self._pattern(url), set())
            new = signature - state["sigs"] - known
            state["sigs"] |= signature
            known |= signature
            state["stale"] = 0 if new else state["stale"] + 1
            most = self.most if self.back_office else QUERY_MAX
            if state["stale"] >= self.stale or state["n"] >= most:
                state["done"] = True

    def _outcome(self, response: requests.Response) -> str:
        """'' when a person following the link gets the page; else what they get instead."""
        final = urlsplit(response.url)
        if response.status_code != 200:
            return f"HTTP {response.status_code}"
        if final.netloc != self.host:
            return f"跳转到外部地址 {response.url}"
        if final.path.startswith("/admin/login/") and self.back_office:
            return "跳转到登录页"
        # Wagtail answers a page the person may not open with a redirect to the dashboard and
        # 没有权限 in a message: the link should not have been shown to them
        asked = urlsplit(response.history[0].url).path if response.history else final.path
        if self.back_office and final.path == "/admin/" and asked != "/admin/":
            return "跳转到控制面板（没有权限）"
        return ""

    def _check_link(self, page: str, tag: str, url: str) -> None:
        url = canonical(url)
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"}:
            return
        if parts.netloc != self.host:
            if not (parts.hostname or "").endswith(FOREIGN_OK):
                # one line per other host: a feed pointing at http://localhost/ says it once
                self._find(
                    "foreign-link", page, f"{parts.scheme}://{parts.netloc}", f"如 {url}（{tag}）"
                )
            return
        if parts.path.startswith(NEVER_GET):
            return
        if self._in_scope(parts.path):
            self._enqueue(url, page)
            return
        if url not in self.crawl.links:
            # files and public pages are the same for everyone: asked once per test session
            shared = self.shared if not parts.path.startswith("/admin/") else {}
            if url not in shared:
                try:
                    response = self.http.get(url, timeout=60)
                    shared[url] = self._outcome(response)
                except requests.RequestException as exc:
                    shared[url] = str(exc)
            self.crawl.links[url] = shared[url]
        if self.crawl.links[url]:
            self._find("dead-link", page, self._rel(url), f"（{tag}）→ {self.crawl.links[url]}")

    def _check_text(self, page: str, texts: list[str]) -> None:
        for text in texts:
            for kind, subject, detail in self.vocab.problems(text):
                self._find(kind, page, subject, detail)

    def _read_html(self, page: str, html: str, url: str) -> set[str]:
        reader = PageReader()
        reader.feed(html)
        reader.close()
        texts = list(reader.texts)
        links = [(tag, urljoin(url, href)) for tag, href in reader.links]
        if "wagtail-sidebar-props" in reader.json:
            labels, urls = sidebar(reader.json["wagtail-sidebar-props"])
            texts += labels
            links += [("menu", urljoin(url, u)) for u in urls]
        self._check_text(page, texts)
        for tag, link in links:
            self._check_link(page, tag, link)
        if not self.back_office:
            self.crawl.html_pages.append(url)
            for form in reader.forms:
                self._follow_get_form(url, form)
        return reader.signature | {f"link:{_pattern(u)}" for _, u in links}

    def _read_json(self, page: str, text: str, url: str) -> set[str]:
        """Wagtail's modal choosers answer JSON with the HTML to show in the modal."""
        try:
            data = json.loads(text)
        except ValueError:
            return set()
        if isinstance(data, dict) and isinstance(data.get("html"), str):
            return self._read_html(page, data["html"], url)
        return set()

    def _read_xml(self, page: str, content: bytes) -> set[str]:
        """Feeds and the sitemap: their links are pages a reader or a search engine opens."""
        try:
            root = ElementTree.fromstring(content)
        except ElementTree.ParseError as exc:
            self._find("dead-link", page, "XML", f"无法解析: {exc}")
            return set()
        for el in root.iter():
            local = el.tag.rsplit("}", 1)[-1]
            if local in {"loc", "link", "guid", "id"} and (el.text or "").startswith("http"):
                self._check_link(page, f"xml.{local}", el.text.strip())
            for attr in ("href", "url"):
                if el.get(attr, "").startswith(("http", "/")):
                    self._check_link(page, f"xml.{local}", urljoin(self.base, el.get(attr)))
        return set()

    def _follow_get_form(self, url: str, form: Form) -> None:
        """Public GET forms (search, archive filters) read, they do not write: submit each once
        with a sample word in its text boxes and its defaults elsewhere."""
        if form.method != "get":
            return
        params = []
        for kind, name, value in form.fields:
            if kind in {"text", "search"}:
                params.append((name, value or "公积金"))
            elif kind in {"hidden", "select"} or (kind in {"radio", "checkbox"} and value):
                params.append((name, value))
        target = urljoin(url, form.action or url)
        if params:
            self._check_link(self._rel(url), "form", target + "?" + urlencode(params))


def public_seeds(base: str) -> list[str]:
    """Public seeds beside the home page: robots.txt and every sitemap it names."""
    seeds = ["/", "/robots.txt", "/sitemap.xml"]
    try:
        robots = requests.get(base + "/robots.txt", timeout=30).text
    except requests.RequestException:
        return seeds
    for line in robots.splitlines():
        if line.lower().startswith("sitemap:"):
            seeds.append(line.split(":", 1)[1].strip())
    return seeds

"""Visible text of HTML (what a reader sees), shared by every check that reads a page."""

from __future__ import annotations

from html.parser import HTMLParser

_BLOCK = ("p", "br", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self.images: list[dict] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "noscript", "template"):
            self._skip += 1
        elif tag in _BLOCK:
            self.parts.append("\n")
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "img":
            self.images.append(a)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "noscript", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def parse_html(html: str) -> _TextExtractor:
    parser = _TextExtractor()
    parser.feed(html or "")
    parser.close()
    return parser


def html_to_text(html: str) -> str:
    """Visible text of an HTML fragment (scripts and styles dropped)."""
    return "".join(parse_html(html).parts).strip()

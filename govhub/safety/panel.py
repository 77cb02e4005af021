"""The text of a checked part with its findings marked in place (for the findings panels)."""

from __future__ import annotations

from dataclasses import dataclass

from django.template.defaultfilters import linebreaksbr
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString

from govhub.safety.findings import Finding


@dataclass
class Marked:
    html: SafeString
    count: int


def annotate(
    text: str, findings: list[Finding], *, numbers: dict[str, int] | None = None
) -> Marked:
    """``text`` as HTML with each finding's span in a ``<mark>`` carrying its number, label and
    suggestion (findings without a span, such as links, are left to the list)."""
    spans = sorted(
        (f for f in findings if f.end > f.start and f.end <= len(text)), key=lambda f: f.start
    )
    out, at, n = [], 0, 0
    for i, f in enumerate(spans, start=1):
        if f.start < at:
            continue
        num = (numbers or {}).get(f.fingerprint, i)
        out.append(escape(text[at : f.start]))
        cls = "gh-mark-block" if f.blocking else "gh-mark-warn"
        tip = f"{num}. {f.label}：{f.message}" + (f"；建议：{f.suggestion}" if f.suggestion else "")
        # personal data is shown masked, as everywhere staff read it
        shown = f.excerpt if f.personal else text[f.start : f.end]
        out.append(
            format_html(
                '<mark class="{}" data-finding="{}" data-start="{}" data-end="{}" title="{}">'
                "{}<sup>{}</sup></mark>",
                cls,
                num,
                f.start,
                f.end,
                tip,
                shown,
                num,
            )
        )
        at = f.end
        n += 1
    out.append(escape(text[at:]))
    # every piece is escaped (escape, format_html); line breaks become <br>
    html = format_html_join("", "{}", ((piece,) for piece in out))
    return Marked(linebreaksbr(html, autoescape=True), n)
